// A native 3x3 pooling (padding 1, stride 1 or 2) for float32 CPU tensors, forward and backward, in
// channels-last memory. libtorch's own pooling backward is several times slower than the memory
// traffic needs, and DARTS calls these pools hundreds of times per search step.
//
// Semantics match F.max_pool2d(x, 3, s, 1) and F.avg_pool2d(x, 3, s, 1, count_include_pad=False):
// max pooling treats padding as -inf and sends the gradient to the first maximum in window order
// (row-major), as PyTorch does; average pooling divides by the number of real pixels in the window.
//
// Layout: an image is H rows of W pixels of C floats (NHWC). For stride 1 the output row for one tap
// is a contiguous span of OW*C floats in both input and output (shifted by the tap), so every inner
// loop runs over a flat span whatever C is (C = 4 vectorizes as well as C = 64). For stride 2 the
// loops run over ow, then c.
#include "nt.h"

#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <vector>

#define NT_POOL_INLINE inline __attribute__((always_inline))

namespace {

using idx_t = int64_t;

// One image: H x W x C in, OH x OW x C out.
struct Geometry {
  idx_t H, W, C, OH, OW, stride;
};

// The valid output-column range [ow0, ow1) for horizontal tap offset dx at stride 1 (OW == W).
NT_POOL_INLINE void span_range(idx_t W, int dx, idx_t& ow0, idx_t& ow1) {
  ow0 = dx < 0 ? 1 : 0;
  ow1 = dx > 0 ? W - 1 : W;
}

// Number of real rows (or columns) under the window of output position o.
NT_POOL_INLINE idx_t real_count(idx_t o, idx_t stride, idx_t size) {
  idx_t lo = std::max<idx_t>(o * stride - 1, 0), hi = std::min<idx_t>(o * stride + 1, size - 1);
  return hi - lo + 1;
}

// ---- element kernels over a flat span (restrict pointers, no branches: they vectorize) ----

// o = max(o, v), NaN propagating like PyTorch (a NaN input wins).
NT_POOL_INLINE void span_max(float* __restrict o, const float* __restrict v, idx_t n) {
  for (idx_t j = 0; j < n; ++j) {
    float x = v[j], m = o[j];
    o[j] = (x > m || x != x) ? x : m;
  }
}

NT_POOL_INLINE void span_add(float* __restrict o, const float* __restrict v, idx_t n) {
  for (idx_t j = 0; j < n; ++j) o[j] += v[j];
}

// Max backward for one tap: where the input equals the window's maximum and the gradient is still
// unclaimed (rem != 0 unless the upstream gradient is 0 itself), move rem into gin. Taps run in
// window order, so the first maximum takes the gradient.
NT_POOL_INLINE void span_route(float* __restrict gin, float* __restrict rem, const float* __restrict in,
                               const float* __restrict out, idx_t n) {
  for (idx_t j = 0; j < n; ++j) {
    // Bit masks instead of ?: so GCC if-converts the loop (an all-ones mask where the tap is the max).
    uint32_t hit = -static_cast<uint32_t>(in[j] == out[j]), r;
    std::memcpy(&r, &rem[j], sizeof r);
    uint32_t moved = r & hit, kept = r & ~hit;
    float m, k;
    std::memcpy(&m, &moved, sizeof m);
    std::memcpy(&k, &kept, sizeof k);
    gin[j] += m;
    rem[j] = k;
  }
}

// ---- per-image kernels (each compiled for AVX2+FMA and baseline, NT_HOT_LOOPS) ----

// The window of output row oh: calls f(ih, in_offset, out_offset, n) for each input row ih under it and each run of
// n floats where output (at out_offset in its row) and input (at in_offset in row ih) meet under one tap. Stride 1:
// one flat span per horizontal tap; stride 2: one pixel (C floats) per output column and tap.
template <typename F>
NT_POOL_INLINE void for_each_tap(const Geometry& g, idx_t oh, F&& f) {
  for (int dy = -1; dy <= 1; ++dy) {
    const idx_t ih = oh * g.stride + dy;
    if (ih < 0 || ih >= g.H) continue;
    if (g.stride == 1) {
      for (int dx = -1; dx <= 1; ++dx) {
        idx_t ow0, ow1;
        span_range(g.W, dx, ow0, ow1);
        if (ow1 > ow0) f(ih, (ow0 + dx) * g.C, ow0 * g.C, (ow1 - ow0) * g.C);
      }
    } else {
      for (idx_t ow = 0; ow < g.OW; ++ow)
        for (int dx = -1; dx <= 1; ++dx) {
          const idx_t iw = ow * 2 + dx;
          if (iw >= 0 && iw < g.W) f(ih, iw * g.C, ow * g.C, g.C);
        }
    }
  }
}

NT_POOL_INLINE void max_forward_image_body(const float* in, float* out, Geometry g) {
  const idx_t row = g.W * g.C, orow = g.OW * g.C;
  for (idx_t oh = 0; oh < g.OH; ++oh) {
    float* o = out + oh * orow;
    std::fill(o, o + orow, -std::numeric_limits<float>::infinity());
    for_each_tap(g, oh, [&](idx_t ih, idx_t i, idx_t j, idx_t n) { span_max(o + j, in + ih * row + i, n); });
  }
}
NT_HOT_LOOPS(max_forward_image, (const float* in, float* out, Geometry g), (in, out, g))

// colinv[ow * C + c] = 1 / (real columns under output column ow).
NT_POOL_INLINE void avg_forward_image_body(const float* in, float* out, const float* colinv, Geometry g) {
  const idx_t row = g.W * g.C, orow = g.OW * g.C;
  for (idx_t oh = 0; oh < g.OH; ++oh) {
    float* __restrict o = out + oh * orow;
    std::fill(o, o + orow, 0.0f);
    for_each_tap(g, oh, [&](idx_t ih, idx_t i, idx_t j, idx_t n) { span_add(o + j, in + ih * row + i, n); });
    const float rowinv = 1.0f / static_cast<float>(real_count(oh, g.stride, g.H));
    for (idx_t j = 0; j < orow; ++j) o[j] *= colinv[j] * rowinv;
  }
}
NT_HOT_LOOPS(avg_forward_image, (const float* in, float* out, const float* colinv, Geometry g), (in, out, colinv, g))

// gin (zeroed by the caller) receives the gradient; rem is a scratch row of OW*C floats.
NT_POOL_INLINE void max_backward_image_body(const float* in, const float* out, const float* gout, float* gin, float* rem, Geometry g) {
  const idx_t row = g.W * g.C, orow = g.OW * g.C;
  for (idx_t oh = 0; oh < g.OH; ++oh) {
    const float* o = out + oh * orow;
    std::copy(gout + oh * orow, gout + (oh + 1) * orow, rem);
    for_each_tap(g, oh, [&](idx_t ih, idx_t i, idx_t j, idx_t n) { span_route(gin + ih * row + i, rem + j, in + ih * row + i, o + j, n); });
  }
}
NT_HOT_LOOPS(max_backward_image, (const float* in, const float* out, const float* gout, float* gin, float* rem, Geometry g),
             (in, out, gout, gin, rem, g))

// gin (zeroed by the caller) receives the gradient; scaled is a scratch row of OW*C floats.
NT_POOL_INLINE void avg_backward_image_body(const float* gout, float* gin, float* scaled, const float* colinv, Geometry g) {
  const idx_t row = g.W * g.C, orow = g.OW * g.C;
  for (idx_t oh = 0; oh < g.OH; ++oh) {
    const float* __restrict go = gout + oh * orow;
    const float rowinv = 1.0f / static_cast<float>(real_count(oh, g.stride, g.H));
    for (idx_t j = 0; j < orow; ++j) scaled[j] = go[j] * colinv[j] * rowinv;
    for_each_tap(g, oh, [&](idx_t ih, idx_t i, idx_t j, idx_t n) { span_add(gin + ih * row + i, scaled + j, n); });
  }
}
NT_HOT_LOOPS(avg_backward_image, (const float* gout, float* gin, float* scaled, const float* colinv, Geometry g), (gout, gin, scaled, colinv, g))

// ---- tensor-level drivers ----

// sizes: the input's [N, C, H, W].
Geometry geometry(at::IntArrayRef sizes, int64_t stride) {
  Geometry g;
  g.C = sizes[1];
  g.H = sizes[2];
  g.W = sizes[3];
  g.stride = stride;
  g.OH = (g.H + 2 - 3) / stride + 1;
  g.OW = (g.W + 2 - 3) / stride + 1;
  return g;
}

std::vector<float> column_inverses(const Geometry& g) {
  std::vector<float> colinv(static_cast<size_t>(g.OW * g.C));
  for (idx_t ow = 0; ow < g.OW; ++ow)
    std::fill(colinv.begin() + ow * g.C, colinv.begin() + (ow + 1) * g.C,
              1.0f / static_cast<float>(real_count(ow, g.stride, g.W)));
  return colinv;
}

int64_t grain(const Geometry& g) { return nt::images_per_chunk(g.H * g.W * g.C); }

// x: 4-D float32 CPU, channels-last contiguous. Returns the pooled tensor, channels-last.
at::Tensor pool_forward(const at::Tensor& x, bool max, int64_t stride) {
  const Geometry g = geometry(x.sizes(), stride);
  const int64_t N = x.size(0);
  auto out = nt::empty_channels_last(x, N, g.C, g.OH, g.OW);
  if (out.numel() == 0) return out;
  const float* in = x.data_ptr<float>();
  float* o = out.data_ptr<float>();
  const idx_t in_img = g.H * g.W * g.C, out_img = g.OH * g.OW * g.C;
  std::vector<float> colinv = max ? std::vector<float>() : column_inverses(g);
  at::parallel_for(0, N, grain(g), [&](int64_t begin, int64_t end) {
    for (int64_t n = begin; n < end; ++n) {
      if (max)
        max_forward_image(in + n * in_img, o + n * out_img, g);
      else
        avg_forward_image(in + n * in_img, o + n * out_img, colinv.data(), g);
    }
  });
  return out;
}

// sizes: the input's [N, C, H, W]. For max pooling x and out are the forward's input and output
// (channels-last); average pooling needs neither (pass undefined tensors). Returns the input
// gradient, channels-last.
at::Tensor pool_backward(at::IntArrayRef sizes, const at::Tensor& x, const at::Tensor& out, const at::Tensor& grad_out,
                         bool max, int64_t stride) {
  const Geometry g = geometry(sizes, stride);
  const int64_t N = sizes[0];
  // Zeroed image by image in the parallel loop below, while the image is about to be used (cache-hot).
  auto gin = nt::empty_channels_last(grad_out, N, g.C, g.H, g.W);
  if (gin.numel() == 0) return gin;
  auto go = grad_out.contiguous(at::MemoryFormat::ChannelsLast);
  const float* gop = go.data_ptr<float>();
  float* gip = gin.data_ptr<float>();
  const float* in = max ? x.data_ptr<float>() : nullptr;
  const float* o = max ? out.data_ptr<float>() : nullptr;
  const idx_t in_img = g.H * g.W * g.C, out_img = g.OH * g.OW * g.C;
  std::vector<float> colinv = max ? std::vector<float>() : column_inverses(g);
  at::parallel_for(0, N, grain(g), [&](int64_t begin, int64_t end) {
    std::vector<float> scratch(static_cast<size_t>(g.OW * g.C));
    for (int64_t n = begin; n < end; ++n) {
      std::fill(gip + n * in_img, gip + (n + 1) * in_img, 0.0f);
      if (max)
        max_backward_image(in + n * in_img, o + n * out_img, gop + n * out_img, gip + n * in_img, scratch.data(), g);
      else
        avg_backward_image(gop + n * out_img, gip + n * in_img, scratch.data(), colinv.data(), g);
    }
  });
  return gin;
}

struct Pool3x3 : public torch::autograd::Function<Pool3x3> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, bool max, int64_t stride) {
    auto out = pool_forward(x, max, stride);
    ctx->saved_data["max"] = max;
    ctx->saved_data["stride"] = stride;
    ctx->saved_data["sizes"] = x.sizes().vec();
    // The max backward re-finds each window's first maximum by comparing input and output, so no
    // argmax tensor is kept; average pooling needs only the sizes.
    if (max) ctx->save_for_backward({x, out});
    return out;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    if (at::GradMode::is_enabled())
      throw std::runtime_error("double backward of the native 3x3 pooling is not supported (backward was asked with create_graph)");
    const bool max = ctx->saved_data["max"].toBool();
    const int64_t stride = ctx->saved_data["stride"].toInt();
    at::Tensor gin;
    if (grads[0].defined()) {
      const auto sizes = ctx->saved_data["sizes"].toIntVector();
      if (max) {
        auto saved = ctx->get_saved_variables();
        gin = pool_backward(sizes, saved[0], saved[1], grads[0], true, stride);
      } else {
        gin = pool_backward(sizes, at::Tensor(), at::Tensor(), grads[0], false, stride);
      }
    }
    return {gin, at::Tensor(), at::Tensor()};
  }
};

at::Tensor pool3x3(const at::Tensor& input, bool max, int64_t stride) {
  if (stride != 1 && stride != 2)
    throw std::invalid_argument("nt_pool3x3: stride must be 1 or 2, got " + std::to_string(stride));
  if (input.dim() != 4)
    throw std::invalid_argument("nt_pool3x3: input must be 4-D [N, C, H, W], got " + std::to_string(input.dim()) +
                                "-D " + c10::str(input.sizes()));
  if (input.size(2) < 1 || input.size(3) < 1)
    throw std::invalid_argument("nt_pool3x3: input height and width must be at least 1, got " + c10::str(input.sizes()));
  if (input.scalar_type() != at::kFloat || input.device().type() != at::kCPU) {
    int64_t kernel[2] = {3, 3}, strides[2] = {stride, stride}, padding[2] = {1, 1}, dilation[2] = {1, 1};
    return max ? at::max_pool2d(input, kernel, strides, padding, dilation, false)
               : at::avg_pool2d(input, kernel, strides, padding, false, /*count_include_pad=*/false, c10::nullopt);
  }
  auto x = input.contiguous(at::MemoryFormat::ChannelsLast);
  if (at::GradMode::is_enabled() && input.requires_grad()) return Pool3x3::apply(x, max, stride);
  return pool_forward(x, max, stride);
}

}  // namespace

// 3x3 pooling with padding 1 and stride 1 or 2: max (max != 0, padding = -inf) or average with
// count_include_pad = False. Float32 CPU inputs run the native channels-last kernels (result
// channels-last); other dtypes and devices fall back to at::max_pool2d / at::avg_pool2d.
NT_API int32_t nt_pool3x3(nt_tensor input, int32_t max, int64_t stride, nt_tensor* out) {
  NT_GUARD(*out = nt::wrap(pool3x3(*input, max != 0, stride)))
}
