// Neural-network ops: softmax, convolution, batch norm, pooling, linear, dropout, cross-entropy.
#include "nt.h"

// log = 1 gives log_softmax.
NT_API int32_t nt_softmax(nt_tensor a, int64_t dim, int32_t log, nt_tensor* out) {
  NT_GUARD(*out = nt::wrap(log ? at::log_softmax(*a, dim) : at::softmax(*a, dim)))
}

namespace {

// libtorch 1.13's oneDNN 2.6.3 (jit:avx2 direct convolution) writes past the end of the input gradient in backward_data
// for a channels-last (nhwc) input whose channel count is not a multiple of 8 (the AVX2 vector) when the stride is above
// 1: e.g. 8x2x8x8 -> 1 channel, 1x1 stride 2 (PC-DARTS's FactorizedReduce at C/K = 2) corrupted the heap. The same
// convolution on an NCHW input runs oneDNN's blocked (padded) layout and stays in bounds, so those shapes go through an
// NCHW copy, the result made channels-last again. Channel counts that are multiples of 8 and stride 1 are untouched.
bool nhwc_strided_bug(const at::Tensor& x, int64_t sh, int64_t sw) {
  return (sh > 1 || sw > 1) && x.dim() == 4 && x.device().is_cpu() && x.scalar_type() == at::kFloat && x.size(1) % 8 != 0 &&
         x.suggest_memory_format() == at::MemoryFormat::ChannelsLast;
}

}  // namespace

// bias may be null.
NT_API int32_t nt_conv2d(nt_tensor input, nt_tensor weight, nt_tensor bias, int64_t sh, int64_t sw, int64_t ph, int64_t pw,
                         int64_t dh, int64_t dw, int64_t groups, nt_tensor* out) {
  NT_GUARD({
    int64_t stride[2] = {sh, sw}, padding[2] = {ph, pw}, dilation[2] = {dh, dw};
    const auto& x = *input;
    if (nhwc_strided_bug(x, sh, sw))
      // clone, not contiguous(): a tensor contiguous both ways (size-1 dims) keeps its channels-last strides under
      // contiguous(), and libtorch picks oneDNN's nhwc path when the input or the weight suggests channels-last.
      *out = nt::wrap(at::conv2d(x.clone(at::MemoryFormat::Contiguous), weight->clone(at::MemoryFormat::Contiguous), nt::opt(bias), stride,
                                 padding, dilation, groups)
                          .contiguous(at::MemoryFormat::ChannelsLast));
    else
      *out = nt::wrap(at::conv2d(x, *weight, nt::opt(bias), stride, padding, dilation, groups));
  })
}

// Any of weight, bias, running_mean, running_var may be null. In training mode libtorch updates the
// running stats in place: running = (1 - momentum) * running + momentum * batch (unbiased variance).
NT_API int32_t nt_batch_norm(nt_tensor input, nt_tensor weight, nt_tensor bias, nt_tensor running_mean, nt_tensor running_var,
                             int32_t training, double momentum, double eps, nt_tensor* out) {
  NT_GUARD(*out = nt::wrap(at::batch_norm(*input, nt::opt(weight), nt::opt(bias), nt::opt(running_mean), nt::opt(running_var),
                                          training != 0, momentum, eps, /*cudnn_enabled=*/true)))
}

NT_API int32_t nt_max_pool2d(nt_tensor input, int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph, int64_t pw,
                             int32_t ceil_mode, nt_tensor* out) {
  NT_GUARD({
    int64_t kernel[2] = {kh, kw}, stride[2] = {sh, sw}, padding[2] = {ph, pw}, dilation[2] = {1, 1};
    *out = nt::wrap(at::max_pool2d(*input, kernel, stride, padding, dilation, ceil_mode != 0));
  })
}

NT_API int32_t nt_avg_pool2d(nt_tensor input, int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph, int64_t pw,
                             int32_t ceil_mode, int32_t count_include_pad, nt_tensor* out) {
  NT_GUARD({
    int64_t kernel[2] = {kh, kw}, stride[2] = {sh, sw}, padding[2] = {ph, pw};
    *out = nt::wrap(at::avg_pool2d(*input, kernel, stride, padding, ceil_mode != 0, count_include_pad != 0, c10::nullopt));
  })
}

NT_API int32_t nt_adaptive_avg_pool2d(nt_tensor input, int64_t oh, int64_t ow, nt_tensor* out) {
  NT_GUARD({
    int64_t size[2] = {oh, ow};
    *out = nt::wrap(at::adaptive_avg_pool2d(*input, size));
  })
}

NT_API int32_t nt_linear(nt_tensor input, nt_tensor weight, nt_tensor bias, nt_tensor* out) {
  NT_GUARD(*out = nt::wrap(at::linear(*input, *weight, nt::opt(bias))))
}

// Inverted dropout with a keep mask drawn from g: out = input * mask / (1 - p). Outside training
// (or with p = 0) the result is a new handle aliasing input, as F.dropout returns its input.
NT_API int32_t nt_dropout(nt_tensor input, double p, int32_t training, nt_generator g, nt_tensor* out) {
  NT_GUARD({
    if (p < 0.0 || p > 1.0) throw std::invalid_argument("dropout probability has to be between 0 and 1, but got " + std::to_string(p));
    if (!training || p == 0.0) {
      *out = nt::wrap(*input);
    } else if (p == 1.0) {
      *out = nt::wrap(at::mul(*input, 0.0));
    } else {
      auto mask = at::empty_like(*input, at::MemoryFormat::Preserve);
      {
        at::NoGradGuard no_grad;
        mask.bernoulli_(1.0 - p, nt::gen(g));
        mask.div_(1.0 - p);
      }
      *out = nt::wrap(at::mul(*input, mask));
    }
  })
}

// reduction: 0 none, 1 mean, 2 sum (at::Reduction codes). Targets are int64 class indices.
NT_API int32_t nt_cross_entropy(nt_tensor logits, nt_tensor targets, int32_t reduction, double label_smoothing, nt_tensor* out) {
  NT_GUARD(*out = nt::wrap(at::cross_entropy_loss(*logits, *targets, c10::nullopt, reduction, /*ignore_index=*/-100, label_smoothing)))
}
