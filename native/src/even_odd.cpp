// x[:, :, 0::2, 0::2] and x[:, :, 1::2, 1::2], the two pixel grids FactorizedReduce's stride-2 1x1 convolutions read,
// as dense channels-last tensors, with a backward that writes the input gradient once, densely and channels-last.
// Through libtorch (a slice, then strided convolutions) the slice's backward zero-fills an NCHW gradient of the whole
// input, which autograd then adds to the other convolution's channels-last gradient: on 64x64x32x32 that mixed-layout
// add took 5.5 ms against 0.7 ms for two channels-last tensors (docs/performance.md). Needs an even height and width
// (FactorizedReduce needs them anyway); other inputs get libtorch's slices.
#include "nt.h"
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>
#include <algorithm>
#include <cstring>

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// c floats; a plain loop, since a memcpy call per pixel costs more than the copy for few channels (PC-DARTS's C/K = 4)
inline void copy(float* __restrict dst, const float* __restrict src, int64_t c) {
  for (int64_t k = 0; k < c; k++) dst[k] = src[k];
}

// The images' rows, half-size: for each output row (n, oy) calls f(n, oy).
template <typename F>
void for_each_row(int64_t n, int64_t oh, F&& f) {
  at::parallel_for(0, n * oh, 16, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) f(r / oh, r % oh);
  });
}

struct EvenOdd : public torch::autograd::Function<EvenOdd> {
  static variable_list forward(AutogradContext* ctx, const at::Tensor& input) {
    const auto x = nt::channel_stride_one(input);
    const int64_t n = x.size(0), c = x.size(1), oh = x.size(2) / 2, ow = x.size(3) / 2;
    auto even = nt::empty_channels_last(x, n, c, oh, ow), odd = nt::empty_channels_last(x, n, c, oh, ow);
    float* pe = even.data_ptr<float>();
    float* po = odd.data_ptr<float>();
    const nt::PixelRows px(x);
    for_each_row(n, oh, [&](int64_t b, int64_t y) {
      for (int64_t i = 0; i < ow; i++) {
        const int64_t o = ((b * oh + y) * ow + i) * c;
        copy(pe + o, px.at(b, 2 * y, 2 * i), c);
        copy(po + o, px.at(b, 2 * y + 1, 2 * i + 1), c);
      }
    });
    ctx->saved_data["h"] = x.size(2);
    ctx->saved_data["w"] = x.size(3);
    return {even, odd};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    if (at::GradMode::is_enabled())
      throw std::runtime_error("double backward of the native even/odd pixel split is not supported (create_graph)");
    const auto& ge = grads[0];
    const auto& go = grads[1];
    const auto& any = ge.defined() ? ge : go;
    const int64_t n = any.size(0), c = any.size(1), oh = any.size(2), ow = any.size(3);
    const int64_t h = ctx->saved_data["h"].toInt(), w = ctx->saved_data["w"].toInt();
    auto gx = nt::empty_channels_last(any, n, c, h, w);
    const auto e = ge.defined() ? ge.contiguous(at::MemoryFormat::ChannelsLast) : at::Tensor();
    const auto o = go.defined() ? go.contiguous(at::MemoryFormat::ChannelsLast) : at::Tensor();
    const float* pe = e.defined() ? e.data_ptr<float>() : nullptr;
    const float* po = o.defined() ? o.data_ptr<float>() : nullptr;
    float* pg = gx.data_ptr<float>();
    for_each_row(n, oh, [&](int64_t b, int64_t y) {
      // input rows 2y (even pixels from ge, odd ones zero) and 2y + 1 (odd pixels from go, even ones zero)
      float* r0 = pg + ((b * h + 2 * y) * w) * c;
      float* r1 = r0 + w * c;
      std::memset(r0, 0, static_cast<size_t>(2 * w * c) * sizeof(float));
      for (int64_t i = 0; i < ow; i++) {
        const int64_t src = ((b * oh + y) * ow + i) * c;
        if (pe) copy(r0 + 2 * i * c, pe + src, c);
        if (po) copy(r1 + (2 * i + 1) * c, po + src, c);
      }
    });
    return {gx};
  }
};

bool native_case(const at::Tensor& x) {
  return x.dim() == 4 && x.scalar_type() == at::kFloat && x.device().is_cpu() && x.numel() > 0 && x.size(2) % 2 == 0 &&
         x.size(3) % 2 == 0;
}

}  // namespace

// x[:, :, 0::2, 0::2] and x[:, :, 1::2, 1::2] as two channels-last tensors. 4-D float32 CPU input of even height and
// width runs the native copy (gradient to x, no double backward); anything else is libtorch's slicing.
NT_API int32_t nt_even_odd_pixels(nt_tensor input, nt_tensor* even, nt_tensor* odd) {
  NT_GUARD({
    const auto& x = *input;
    if (x.dim() != 4) throw std::invalid_argument("even/odd pixels: the input must be 4-D, got " + c10::str(x.sizes()));
    if (native_case(x)) {
      auto parts = EvenOdd::apply(x);
      *even = nt::wrap(std::move(parts[0]));
      *odd = nt::wrap(std::move(parts[1]));
    } else {
      *even = nt::wrap(x.slice(2, 0, c10::nullopt, 2).slice(3, 0, c10::nullopt, 2));
      *odd = nt::wrap(x.slice(2, 1, c10::nullopt, 2).slice(3, 1, c10::nullopt, 2));
    }
  })
}
