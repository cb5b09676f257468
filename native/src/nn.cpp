// Neural-network ops: softmax, convolution, batch norm, pooling, linear, dropout, cross-entropy.
#include "nt.h"

// log = 1 gives log_softmax.
NT_API int32_t nt_softmax(nt_tensor a, int64_t dim, int32_t log, nt_tensor* out) {
  NT_GUARD(*out = nt::wrap(log ? at::log_softmax(*a, dim) : at::softmax(*a, dim)))
}

// bias may be null.
NT_API int32_t nt_conv2d(nt_tensor input, nt_tensor weight, nt_tensor bias, int64_t sh, int64_t sw, int64_t ph, int64_t pw,
                         int64_t dh, int64_t dw, int64_t groups, nt_tensor* out) {
  NT_GUARD({
    int64_t stride[2] = {sh, sw}, padding[2] = {ph, pw}, dilation[2] = {dh, dw};
    *out = nt::wrap(at::conv2d(*input, *weight, nt::opt(bias), stride, padding, dilation, groups));
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
