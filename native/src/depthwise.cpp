// Depthwise convolution (one k x k filter per channel, no bias) over channels-last float32 memory: oneDNN's forward,
// and the shim's own backward. libtorch 1.13's oneDNN depthwise backward was 10-100x slower than its forward on
// this CPU (64x16x32x32: 3x3 dilation 2 took 23.6 ms fwd+bwd against 0.21 ms fwd; docs/performance.md), and the
// DARTS search space runs hundreds of these per step.
//
// Layout: x is N x H x W x C in memory (channels-last), the weight C x 1 x k x k. For one output row and one tap
// (i, j) of the filter, the outputs (ow, c) over the valid ow range read inputs (ow*s - p + j*d, c): with stride 1
// both are one contiguous span of floats, so the inner loop is a flat multiply-add over that span against a weight
// row "tiled" as tile[(i*k + j)][ow*C + c] = w[c, i, j]. It vectorizes for any C, including PC-DARTS's C/K = 4.
// Stride 2 runs the same loop per output pixel over C floats.
#include "nt.h"
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>
#include <algorithm>
#include <vector>

namespace {

using nt::v8;

// a[e] += b[e] * c[e]
inline __attribute__((always_inline)) void madd_body(float* __restrict a, const float* __restrict b, const float* __restrict c, int64_t n) {
  for (int64_t e = 0; e < n; e++) a[e] += b[e] * c[e];
}
NT_HOT_LOOPS(madd, (float* __restrict a, const float* __restrict b, const float* __restrict c, int64_t n), (a, b, c, n))

// acc[e] += sum over r < rows of a[r][e] * b[r][e], for e < len: a weight-gradient tile row summed over a band of rows,
// 32 lanes kept in registers across the band (2 loads per multiply-add, one store per band instead of per row).

inline __attribute__((always_inline)) void band_dot_body(float* acc, const float* const* a, const float* const* b, int64_t rows, int64_t len) {
  int64_t e = 0;
  for (; e + 32 <= len; e += 32) {
    v8 s0 = *reinterpret_cast<const v8*>(acc + e), s1 = *reinterpret_cast<const v8*>(acc + e + 8);
    v8 s2 = *reinterpret_cast<const v8*>(acc + e + 16), s3 = *reinterpret_cast<const v8*>(acc + e + 24);
    for (int64_t r = 0; r < rows; r++) {
      const float* x = a[r] + e;
      const float* y = b[r] + e;
      s0 += *reinterpret_cast<const v8*>(x) * *reinterpret_cast<const v8*>(y);
      s1 += *reinterpret_cast<const v8*>(x + 8) * *reinterpret_cast<const v8*>(y + 8);
      s2 += *reinterpret_cast<const v8*>(x + 16) * *reinterpret_cast<const v8*>(y + 16);
      s3 += *reinterpret_cast<const v8*>(x + 24) * *reinterpret_cast<const v8*>(y + 24);
    }
    *reinterpret_cast<v8*>(acc + e) = s0;
    *reinterpret_cast<v8*>(acc + e + 8) = s1;
    *reinterpret_cast<v8*>(acc + e + 16) = s2;
    *reinterpret_cast<v8*>(acc + e + 24) = s3;
  }
  for (; e + 8 <= len; e += 8) {  // spans clipped at the image border end off the 32-float grid
    v8 s0 = *reinterpret_cast<const v8*>(acc + e);
    for (int64_t r = 0; r < rows; r++) s0 += *reinterpret_cast<const v8*>(a[r] + e) * *reinterpret_cast<const v8*>(b[r] + e);
    *reinterpret_cast<v8*>(acc + e) = s0;
  }
  for (; e < len; e++) {
    float s = acc[e];
    for (int64_t r = 0; r < rows; r++) s += a[r][e] * b[r][e];
    acc[e] = s;
  }
}
NT_HOT_LOOPS(band_dot, (float* acc, const float* const* a, const float* const* b, int64_t rows, int64_t len), (acc, a, b, rows, len))

struct Geometry {
  int64_t n, c, h, w, k, s, p, d, oh, ow;

  Geometry(const at::Tensor& x, int64_t k, int64_t s, int64_t p, int64_t d)
      : n(x.size(0)), c(x.size(1)), h(x.size(2)), w(x.size(3)), k(k), s(s), p(p), d(d),
        oh((h + 2 * p - d * (k - 1) - 1) / s + 1), ow((w + 2 * p - d * (k - 1) - 1) / s + 1) {}

  // The output columns [lo, hi) whose tap j lands inside the input row.
  void columns(int64_t j, int64_t& lo, int64_t& hi) const {
    const int64_t shift = j * d - p;  // input column = ow * s + shift
    lo = shift >= 0 ? 0 : (-shift + s - 1) / s;
    hi = (w - 1 - shift) < 0 ? 0 : (w - 1 - shift) / s + 1;
    hi = std::min(hi, ow);
  }

  int64_t tile() const { return ow * c; }  // floats in one tap's row of the tiled weight
};

// tile[(i*k + j) * OW*C + ow*C + c] = w[c, 0, i, j]
std::vector<float> tiled(const at::Tensor& weight, const Geometry& g) {
  const float* w = weight.data_ptr<float>();
  std::vector<float> t(static_cast<size_t>(g.k * g.k * g.tile()));
  for (int64_t tap = 0; tap < g.k * g.k; tap++)
    for (int64_t o = 0; o < g.ow; o++)
      for (int64_t ch = 0; ch < g.c; ch++) t[tap * g.tile() + o * g.c + ch] = w[ch * g.k * g.k + tap];
  return t;
}

// Visits every (output row span, input row span, tap) of image b. For each it calls
// f(out_offset, in_offset, tap_offset, length) for stride 1 (one contiguous span), or per pixel with length C.
template <typename F>
void for_each_span(const Geometry& g, int64_t b, F&& f) {
  for (int64_t oy = 0; oy < g.oh; oy++) {
    for (int64_t i = 0; i < g.k; i++) {
      const int64_t iy = oy * g.s - g.p + i * g.d;
      if (iy < 0 || iy >= g.h) continue;
      const int64_t out_row = ((b * g.oh + oy) * g.ow) * g.c;
      const int64_t in_row = ((b * g.h + iy) * g.w) * g.c;
      for (int64_t j = 0; j < g.k; j++) {
        int64_t lo, hi;
        g.columns(j, lo, hi);
        if (lo >= hi) continue;
        const int64_t tap = (i * g.k + j) * g.tile();
        if (g.s == 1) {
          f(out_row + lo * g.c, in_row + (lo - g.p + j * g.d) * g.c, tap + lo * g.c, (hi - lo) * g.c);
        } else {
          for (int64_t o = lo; o < hi; o++)
            f(out_row + o * g.c, in_row + (o * g.s - g.p + j * g.d) * g.c, tap + o * g.c, g.c);
        }
      }
    }
  }
}

// The forward is libtorch's (oneDNN's channels-last depthwise forward is fast; only its backward is slow).
at::Tensor forward_impl(const at::Tensor& x, const at::Tensor& weight, const Geometry& g) {
  int64_t s[2] = {g.s, g.s}, p[2] = {g.p, g.p}, d[2] = {g.d, g.d};
  return at::conv2d(x, weight, {}, s, p, d, g.c).contiguous(at::MemoryFormat::ChannelsLast);
}

at::Tensor input_grad(const at::Tensor& go, const at::Tensor& weight, const Geometry& g) {
  // Stride 1: the input gradient is the forward convolution of the output gradient with the flipped filter and
  // padding d*(k-1) - p, which oneDNN does fast. Stride 2 (and unusual padding) scatter below.
  const int64_t q = g.d * (g.k - 1) - g.p;
  if (g.s == 1 && q >= 0) {
    int64_t s[2] = {1, 1}, p[2] = {q, q}, d[2] = {g.d, g.d};
    return at::conv2d(go, weight.flip({2, 3}), {}, s, p, d, g.c).contiguous(at::MemoryFormat::ChannelsLast);
  }
  auto gx = nt::empty_channels_last(go, g.n, g.c, g.h, g.w).zero_();
  const auto t = tiled(weight, g);
  const float* gop = go.data_ptr<float>();
  float* gxp = gx.data_ptr<float>();
  at::parallel_for(0, g.n, 1, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; b++)
      for_each_span(g, b, [&](int64_t out, int64_t in, int64_t tap, int64_t len) { madd(gxp + in, gop + out, t.data() + tap, len); });
  });
  return gx;
}

// Stride 1: every tap (i, j) of output row (n, oy) reads input row (n, oy - p + i*d), and its output columns [lo, hi)
// (those whose tap lands inside that row) read one contiguous span of it, so tile[tap] += go_row * x_row_shifted over
// bands of output rows (band_dot), rows whose input row is outside the image left out. No padded copy of x is made.
void weight_tiles_stride1(const at::Tensor& go, const at::Tensor& x, const Geometry& g, int64_t b0, int64_t b1, float* acc) {
  constexpr int64_t band = 8;
  const int64_t len = g.tile();
  const float* gop = go.data_ptr<float>();
  const float* xp = x.data_ptr<float>();
  const int64_t rows = (b1 - b0) * g.oh;
  const float* grow[band];
  const float* xrow[band];
  for (int64_t r0 = 0; r0 < rows; r0 += band) {
    const int64_t nr = std::min(band, rows - r0);
    for (int64_t i = 0; i < g.k; i++) {
      int64_t valid = 0;
      for (int64_t r = 0; r < nr; r++) {
        const int64_t b = b0 + (r0 + r) / g.oh, oy = (r0 + r) % g.oh, iy = oy - g.p + i * g.d;
        if (iy < 0 || iy >= g.h) continue;
        grow[valid] = gop + (b * g.oh + oy) * len;
        xrow[valid] = xp + (b * g.h + iy) * g.w * g.c;
        valid++;
      }
      if (valid == 0) continue;
      for (int64_t j = 0; j < g.k; j++) {
        int64_t lo, hi;
        g.columns(j, lo, hi);
        if (lo >= hi) continue;
        const float* go_span[band];
        const float* x_span[band];
        for (int64_t r = 0; r < valid; r++) {
          go_span[r] = grow[r] + lo * g.c;
          x_span[r] = xrow[r] + (lo - g.p + j * g.d) * g.c;
        }
        band_dot(acc + (i * g.k + j) * len + lo * g.c, go_span, x_span, valid, (hi - lo) * g.c);
      }
    }
  }
}

at::Tensor weight_grad(const at::Tensor& go, const at::Tensor& x, const Geometry& g, const at::Tensor& weight) {
  // Each chunk of images sums into its own tiled accumulator; the tiles are folded over (chunk, ow) at the end.
  const int64_t chunks = std::max<int64_t>(1, std::min<int64_t>(g.n, at::get_num_threads()));
  const int64_t size = g.k * g.k * g.tile();
  std::vector<float> acc(static_cast<size_t>(chunks * size), 0.f);
  const float* gop = go.data_ptr<float>();
  const float* xp = x.data_ptr<float>();
  at::parallel_for(0, chunks, 1, [&](int64_t begin, int64_t end) {
    for (int64_t chunk = begin; chunk < end; chunk++) {
      float* a = acc.data() + chunk * size;
      const int64_t b0 = chunk * g.n / chunks, b1 = (chunk + 1) * g.n / chunks;
      if (g.s == 1) {
        weight_tiles_stride1(go, x, g, b0, b1, a);
        continue;
      }
      for (int64_t b = b0; b < b1; b++)
        for_each_span(g, b, [&](int64_t out, int64_t in, int64_t tap, int64_t len) { madd(a + tap, gop + out, xp + in, len); });
    }
  });
  auto gw = at::zeros_like(weight, at::MemoryFormat::Contiguous);
  float* gwp = gw.data_ptr<float>();
  for (int64_t chunk = 0; chunk < chunks; chunk++)
    for (int64_t tap = 0; tap < g.k * g.k; tap++)
      for (int64_t o = 0; o < g.ow; o++)
        for (int64_t ch = 0; ch < g.c; ch++) gwp[ch * g.k * g.k + tap] += acc[chunk * size + tap * g.tile() + o * g.c + ch];
  return gw;
}

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct Depthwise : public torch::autograd::Function<Depthwise> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& weight, int64_t k, int64_t s, int64_t p,
                            int64_t d) {
    auto xc = x.contiguous(at::MemoryFormat::ChannelsLast);
    auto wc = weight.contiguous();
    ctx->save_for_backward({xc, wc});
    ctx->saved_data["k"] = k;
    ctx->saved_data["s"] = s;
    ctx->saved_data["p"] = p;
    ctx->saved_data["d"] = d;
    return forward_impl(xc, wc, Geometry(xc, k, s, p, d));
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    if (at::GradMode::is_enabled())
      throw std::runtime_error("double backward of the native depthwise convolution is not supported (create_graph)");
    auto saved = ctx->get_saved_variables();
    const auto& x = saved[0];
    const auto& w = saved[1];
    const Geometry g(x, ctx->saved_data["k"].toInt(), ctx->saved_data["s"].toInt(), ctx->saved_data["p"].toInt(),
                     ctx->saved_data["d"].toInt());
    auto go = grads[0].contiguous(at::MemoryFormat::ChannelsLast);
    at::Tensor gx, gw;
    if (ctx->needs_input_grad(0)) gx = input_grad(go, w, g);
    if (ctx->needs_input_grad(1)) gw = weight_grad(go, x, g, w);
    return {gx, gw, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

// The native loops cover 4-D float32 CPU input, a C x 1 x k x k weight and an output of at least one pixel; the rest
// goes to at::conv2d (which also gives libtorch's own message for bad shapes).
bool native_case(const at::Tensor& x, const at::Tensor& w, int64_t s, int64_t p, int64_t d) {
  if (x.dim() != 4 || w.dim() != 4 || !x.device().is_cpu() || !w.device().is_cpu()) return false;
  if (x.scalar_type() != at::kFloat || w.scalar_type() != at::kFloat) return false;
  if (w.size(0) != x.size(1) || w.size(1) != 1 || w.size(2) != w.size(3)) return false;
  if (s < 1 || p < 0 || d < 1) return false;
  const int64_t k = w.size(2), reach = d * (k - 1) + 1;
  return x.size(2) + 2 * p >= reach && x.size(3) + 2 * p >= reach && x.numel() > 0;
}

}  // namespace

// Depthwise conv2d: weight C x 1 x k x k, groups = C, no bias; same result as at::conv2d(x, w, {}, s, p, d, C),
// returned channels-last. Gradients flow to x and w (no double backward).
NT_API int32_t nt_depthwise_conv2d(nt_tensor input, nt_tensor weight, int64_t stride, int64_t padding, int64_t dilation,
                                   nt_tensor* out) {
  NT_GUARD({
    const auto& x = *input;
    const auto& w = *weight;
    if (native_case(x, w, stride, padding, dilation)) {
      *out = nt::wrap(Depthwise::apply(x, w, w.size(2), stride, padding, dilation));
    } else {
      int64_t s[2] = {stride, stride}, p[2] = {padding, padding}, d[2] = {dilation, dilation};
      *out = nt::wrap(at::conv2d(x, w, {}, s, p, d, x.dim() == 4 ? x.size(1) : 1));
    }
  })
}
