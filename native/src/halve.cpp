// Two ways the search cells halve an image, over channels-last float32 memory, each with a backward that writes the
// input gradient once, densely and channels-last:
//
// - even_odd: x[:, :, 0::2, 0::2] and x[:, :, 1::2, 1::2], the two pixel grids FactorizedReduce's stride-2 1x1
//   convolutions read. Through libtorch (a slice, then strided convolutions) the slice's backward zero-fills an NCHW
//   gradient of the whole input, which autograd then adds to the other convolution's channels-last gradient: on
//   64x64x32x32 that mixed-layout add took 5.5 ms against 0.7 ms for two channels-last tensors (docs/performance.md).
// - max_pool2x2: max over 2x2 windows with stride 2 (partial channels' bypass channels on a reduction edge), reading a
//   channel slice of a channels-last tensor in place.
//
// Both need an even height and width (FactorizedReduce needs them anyway); other inputs go to libtorch.
#include "nt.h"
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>
#include <algorithm>
#include <cstring>

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Element (n, c = 0, h, w) of a 4-D tensor whose channel stride is 1 (channels-last, or a channel slice of it).
struct Pixels {
  const float* base;
  int64_t sn, sh, sw;
  explicit Pixels(const at::Tensor& t) : base(t.data_ptr<float>()), sn(t.stride(0)), sh(t.stride(2)), sw(t.stride(3)) {}
  const float* at(int64_t n, int64_t h, int64_t w) const { return base + n * sn + h * sh + w * sw; }
};

at::Tensor channel_stride_one(const at::Tensor& t) { return t.stride(1) == 1 ? t : t.contiguous(at::MemoryFormat::ChannelsLast); }

at::Tensor empty_cl(const at::Tensor& like, int64_t n, int64_t c, int64_t h, int64_t w) {
  return at::empty({n, c, h, w}, like.options(), at::MemoryFormat::ChannelsLast);
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
    const auto x = channel_stride_one(input);
    const int64_t n = x.size(0), c = x.size(1), oh = x.size(2) / 2, ow = x.size(3) / 2;
    auto even = empty_cl(x, n, c, oh, ow), odd = empty_cl(x, n, c, oh, ow);
    float* pe = even.data_ptr<float>();
    float* po = odd.data_ptr<float>();
    const Pixels px(x);
    const size_t bytes = static_cast<size_t>(c) * sizeof(float);
    for_each_row(n, oh, [&](int64_t b, int64_t y) {
      for (int64_t i = 0; i < ow; i++) {
        const int64_t o = ((b * oh + y) * ow + i) * c;
        std::memcpy(pe + o, px.at(b, 2 * y, 2 * i), bytes);
        std::memcpy(po + o, px.at(b, 2 * y + 1, 2 * i + 1), bytes);
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
    auto gx = empty_cl(any, n, c, h, w);
    const auto e = ge.defined() ? ge.contiguous(at::MemoryFormat::ChannelsLast) : at::Tensor();
    const auto o = go.defined() ? go.contiguous(at::MemoryFormat::ChannelsLast) : at::Tensor();
    const float* pe = e.defined() ? e.data_ptr<float>() : nullptr;
    const float* po = o.defined() ? o.data_ptr<float>() : nullptr;
    float* pg = gx.data_ptr<float>();
    const size_t bytes = static_cast<size_t>(c) * sizeof(float);
    for_each_row(n, oh, [&](int64_t b, int64_t y) {
      // input rows 2y (even pixels from ge, odd ones zero) and 2y + 1 (odd pixels from go, even ones zero)
      float* r0 = pg + ((b * h + 2 * y) * w) * c;
      float* r1 = r0 + w * c;
      for (int64_t i = 0; i < ow; i++) {
        const int64_t src = ((b * oh + y) * ow + i) * c;
        if (pe) std::memcpy(r0 + 2 * i * c, pe + src, bytes); else std::memset(r0 + 2 * i * c, 0, bytes);
        std::memset(r0 + (2 * i + 1) * c, 0, bytes);
        std::memset(r1 + 2 * i * c, 0, bytes);
        if (po) std::memcpy(r1 + (2 * i + 1) * c, po + src, bytes); else std::memset(r1 + (2 * i + 1) * c, 0, bytes);
      }
    });
    return {gx};
  }
};

struct MaxPool2x2 : public torch::autograd::Function<MaxPool2x2> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& input) {
    const auto x = channel_stride_one(input);
    const int64_t n = x.size(0), c = x.size(1), oh = x.size(2) / 2, ow = x.size(3) / 2;
    auto out = empty_cl(x, n, c, oh, ow);
    float* po = out.data_ptr<float>();
    const Pixels px(x);
    for_each_row(n, oh, [&](int64_t b, int64_t y) {
      for (int64_t i = 0; i < ow; i++) {
        const float* a = px.at(b, 2 * y, 2 * i);
        const float* p = px.at(b, 2 * y, 2 * i + 1);
        const float* q = px.at(b, 2 * y + 1, 2 * i);
        const float* r = px.at(b, 2 * y + 1, 2 * i + 1);
        float* dst = po + ((b * oh + y) * ow + i) * c;
        for (int64_t k = 0; k < c; k++) {
          float m = a[k];  // a NaN in the window is the result, as in libtorch
          for (const float v : {p[k], q[k], r[k]}) m = (v > m || v != v) ? v : m;
          dst[k] = m;
        }
      }
    });
    ctx->save_for_backward({x, out});
    return out;
  }

  // The gradient goes to the first position of each window holding the maximum (as libtorch's max pooling does).
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    if (at::GradMode::is_enabled())
      throw std::runtime_error("double backward of the native 2x2 max pooling is not supported (create_graph)");
    const auto saved = ctx->get_saved_variables();
    const auto& x = saved[0];
    const auto& out = saved[1];
    const auto g = grads[0].contiguous(at::MemoryFormat::ChannelsLast);
    const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3), oh = h / 2, ow = w / 2;
    auto gx = empty_cl(g, n, c, h, w);
    const Pixels px(x);
    const float* pm = out.data_ptr<float>();
    const float* pg = g.data_ptr<float>();
    float* pgx = gx.data_ptr<float>();
    for_each_row(n, oh, [&](int64_t b, int64_t y) {
      for (int64_t i = 0; i < ow; i++) {
        const int64_t o = ((b * oh + y) * ow + i) * c;
        const float* src[4] = {px.at(b, 2 * y, 2 * i), px.at(b, 2 * y, 2 * i + 1), px.at(b, 2 * y + 1, 2 * i), px.at(b, 2 * y + 1, 2 * i + 1)};
        float* dst[4] = {pgx + ((b * h + 2 * y) * w + 2 * i) * c, pgx + ((b * h + 2 * y) * w + 2 * i + 1) * c,
                         pgx + ((b * h + 2 * y + 1) * w + 2 * i) * c, pgx + ((b * h + 2 * y + 1) * w + 2 * i + 1) * c};
        for (int64_t k = 0; k < c; k++) {
          const float m = pm[o + k], gv = pg[o + k];
          bool given = false;
          for (int t = 0; t < 4; t++) {
            // a NaN maximum goes to the window's first NaN
            const bool hit = !given && (src[t][k] == m || (m != m && src[t][k] != src[t][k]));
            dst[t][k] = hit ? gv : 0.f;
            given = given || hit;
          }
        }
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

// max_pool2d(x, 2, 2), channels-last out. 4-D float32 CPU input of even height and width runs the native loops
// (gradient to x, no double backward); anything else goes to at::max_pool2d.
NT_API int32_t nt_max_pool2x2(nt_tensor input, nt_tensor* out) {
  NT_GUARD({
    const auto& x = *input;
    *out = nt::wrap(native_case(x) ? MaxPool2x2::apply(x) : at::max_pool2d(x, {2, 2}, {2, 2}));
  })
}
