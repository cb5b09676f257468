// Training-mode batch normalisation without affine weight/bias, forward and backward, by the shim's own loops over
// channels-last float32 memory. The DARTS search cells call it ~600 times per forward on small tensors such as
// 64x4x32x32, where libtorch 1.13's channels-last batch norm is slow for few channels (5.4 ms fwd+bwd against 0.8 ms
// on an NCHW copy, which itself costs two copies).
//
//   y = (x - mean_c) / sqrt(var_c + eps)          (batch statistics over N, H, W; biased variance)
//   running_mean = (1 - momentum) * running_mean + momentum * mean_c
//   running_var  = (1 - momentum) * running_var  + momentum * var_c * n / (n - 1)
//   gx = (go - mean(go) - xhat * mean(go * xhat)) / sqrt(var_c + eps)
//
// With relu set, the output is max(y, 0) (the separable convolution's BatchNorm -> ReLU in one pass each way): the
// forward writes max(y, 0), and the backward first zeroes go where y <= 0 (y recomputed from the saved x), then runs the
// same formula. That saves the ReLU's own pass over memory in forward and in backward.
//
// Layout: an image is H*W pixels of C floats, a flat array where the channel of index e is e mod C. The loops walk
// it in blocks of L floats, L the smallest common multiple of C and 32, so lane l of every block is channel l mod C:
// per-lane sums and per-lane constants make every loop a flat vector loop whatever C is (C = 4 as well as C = 64).
// The last M mod L floats of an image (a whole number of pixels) run a scalar loop on the same lanes.
//
// Precision: per image, each lane sums in float around a per-channel centre (the image's first pixel), giving
// S1 = sum(x - a) and Q = sum((x - a)^2); the per-image, per-channel sums are folded in double, so the mean and the
// variance need no cancellation-prone sum of squares. Images are independent (parallel over the batch) and the fold
// runs in image order, so the result does not depend on the thread count.
#include "nt.h"

#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <vector>

namespace {

using nt::v8;
#define LD(p) (*reinterpret_cast<const v8*>(p))
#define ST(p, v) (*reinterpret_cast<v8*>(p) = (v))

inline __attribute__((always_inline)) v8 relu8(v8 v) {
  const v8 zero{};
  return v > zero ? v : zero;
}
// g where y = d * s > 0, else 0 (the ReLU's backward, for the pre-ReLU value y).
inline __attribute__((always_inline)) v8 pass8(v8 g, v8 d, v8 s) {
  const v8 zero{};
  return d * s > zero ? g : zero;
}
inline float pass1(float g, float d, float s) { return d * s > 0.f ? g : 0.f; }

// For one image of B blocks of L floats (L % 32 == 0): s1[l] = sum_b (x[b*L + l] - a[l]) and
// q[l] = sum_b (x[b*L + l] - a[l])^2, 32 lanes at a time held in registers across the blocks.
inline __attribute__((always_inline)) void moments_body(const float* x, const float* a, int64_t blocks, int64_t L, float* s1, float* q) {
  for (int64_t j = 0; j < L; j += 32) {
    const v8 a0 = LD(a + j), a1 = LD(a + j + 8), a2 = LD(a + j + 16), a3 = LD(a + j + 24);
    v8 s0{}, s1v{}, s2{}, s3{}, q0{}, q1{}, q2{}, q3{};
    const float* p = x + j;
    for (int64_t b = 0; b < blocks; b++, p += L) {
      const v8 d0 = LD(p) - a0, d1 = LD(p + 8) - a1, d2 = LD(p + 16) - a2, d3 = LD(p + 24) - a3;
      s0 += d0, s1v += d1, s2 += d2, s3 += d3;
      q0 += d0 * d0, q1 += d1 * d1, q2 += d2 * d2, q3 += d3 * d3;
    }
    ST(s1 + j, s0), ST(s1 + j + 8, s1v), ST(s1 + j + 16, s2), ST(s1 + j + 24, s3);
    ST(q + j, q0), ST(q + j + 8, q1), ST(q + j + 16, q2), ST(q + j + 24, q3);
  }
}
NT_HOT_LOOPS(moments, (const float* x, const float* a, int64_t blocks, int64_t L, float* s1, float* q), (x, a, blocks, L, s1, q))

// y[b*L + l] = (x[b*L + l] - m[l]) * s[l] (then max(y, 0) when relu; added to y when acc), 16 lanes at a time with their
// constants in registers.
template <bool Relu, bool Acc>
inline __attribute__((always_inline)) void normalize_lanes(const float* x, float* y, const float* m, const float* s, int64_t blocks, int64_t L) {
  for (int64_t j = 0; j < L; j += 16) {
    const v8 m0 = LD(m + j), m1 = LD(m + j + 8), k0 = LD(s + j), k1 = LD(s + j + 8);
    const float* p = x + j;
    float* o = y + j;
    for (int64_t b = 0; b < blocks; b++, p += L, o += L) {
      v8 y0 = (LD(p) - m0) * k0, y1 = (LD(p + 8) - m1) * k1;
      if (Relu) y0 = relu8(y0), y1 = relu8(y1);
      if (Acc) y0 += LD(o), y1 += LD(o + 8);
      ST(o, y0);
      ST(o + 8, y1);
    }
  }
}
inline __attribute__((always_inline)) void normalize_body(const float* x, float* y, const float* m, const float* s, int64_t blocks, int64_t L,
                                                         bool relu, bool acc) {
  if (acc)
    relu ? normalize_lanes<true, true>(x, y, m, s, blocks, L) : normalize_lanes<false, true>(x, y, m, s, blocks, L);
  else
    relu ? normalize_lanes<true, false>(x, y, m, s, blocks, L) : normalize_lanes<false, false>(x, y, m, s, blocks, L);
}
NT_HOT_LOOPS(normalize, (const float* x, float* y, const float* m, const float* s, int64_t blocks, int64_t L, bool relu, bool acc),
             (x, y, m, s, blocks, L, relu, acc))

// g1[l] = sum_b e[b*L + l] and g2[l] = sum_b e[b*L + l] * (x[b*L + l] - m[l]), where e = go (or, with relu, go where the
// forward's output was positive, else 0).
template <bool Relu>
inline __attribute__((always_inline)) void grad_sums_lanes(const float* go, const float* x, const float* m, const float* s, int64_t blocks,
                                                          int64_t L, float* g1, float* g2) {
  for (int64_t j = 0; j < L; j += 32) {
    const v8 m0 = LD(m + j), m1 = LD(m + j + 8), m2 = LD(m + j + 16), m3 = LD(m + j + 24);
    v8 a0{}, a1{}, a2{}, a3{}, b0{}, b1{}, b2{}, b3{};
    const float* g = go + j;
    const float* p = x + j;
    for (int64_t b = 0; b < blocks; b++, g += L, p += L) {
      const v8 d0 = LD(p) - m0, d1 = LD(p + 8) - m1, d2 = LD(p + 16) - m2, d3 = LD(p + 24) - m3;
      v8 e0 = LD(g), e1 = LD(g + 8), e2 = LD(g + 16), e3 = LD(g + 24);
      if (Relu) {
        e0 = pass8(e0, d0, LD(s + j)), e1 = pass8(e1, d1, LD(s + j + 8));
        e2 = pass8(e2, d2, LD(s + j + 16)), e3 = pass8(e3, d3, LD(s + j + 24));
      }
      a0 += e0, a1 += e1, a2 += e2, a3 += e3;
      b0 += e0 * d0, b1 += e1 * d1, b2 += e2 * d2, b3 += e3 * d3;
    }
    ST(g1 + j, a0), ST(g1 + j + 8, a1), ST(g1 + j + 16, a2), ST(g1 + j + 24, a3);
    ST(g2 + j, b0), ST(g2 + j + 8, b1), ST(g2 + j + 16, b2), ST(g2 + j + 24, b3);
  }
}
inline __attribute__((always_inline)) void grad_sums_body(const float* go, const float* x, const float* m, const float* s, int64_t blocks,
                                                         int64_t L, float* g1, float* g2, bool relu) {
  relu ? grad_sums_lanes<true>(go, x, m, s, blocks, L, g1, g2) : grad_sums_lanes<false>(go, x, m, s, blocks, L, g1, g2);
}
NT_HOT_LOOPS(grad_sums, (const float* go, const float* x, const float* m, const float* s, int64_t blocks, int64_t L, float* g1, float* g2,
                         bool relu),
             (go, x, m, s, blocks, L, g1, g2, relu))

// gx = ((e - mg) - (x - m) * k) * s per lane, with k = s * mean(e * xhat), mg = mean(e) and e as in grad_sums.
template <bool Relu>
inline __attribute__((always_inline)) void grad_input_lanes(const float* go, const float* x, float* gx, const float* m, const float* s,
                                                           const float* mg, const float* k, int64_t blocks, int64_t L) {
  for (int64_t j = 0; j < L; j += 16) {
    const v8 m0 = LD(m + j), m1 = LD(m + j + 8), s0 = LD(s + j), s1 = LD(s + j + 8);
    const v8 g0 = LD(mg + j), g1 = LD(mg + j + 8), k0 = LD(k + j), k1 = LD(k + j + 8);
    const float* g = go + j;
    const float* p = x + j;
    float* o = gx + j;
    for (int64_t b = 0; b < blocks; b++, g += L, p += L, o += L) {
      const v8 d0 = LD(p) - m0, d1 = LD(p + 8) - m1;
      const v8 e0 = Relu ? pass8(LD(g), d0, s0) : LD(g), e1 = Relu ? pass8(LD(g + 8), d1, s1) : LD(g + 8);
      ST(o, ((e0 - g0) - d0 * k0) * s0);
      ST(o + 8, ((e1 - g1) - d1 * k1) * s1);
    }
  }
}
inline __attribute__((always_inline)) void grad_input_body(const float* go, const float* x, float* gx, const float* m, const float* s,
                                                          const float* mg, const float* k, int64_t blocks, int64_t L, bool relu) {
  relu ? grad_input_lanes<true>(go, x, gx, m, s, mg, k, blocks, L) : grad_input_lanes<false>(go, x, gx, m, s, mg, k, blocks, L);
}
NT_HOT_LOOPS(grad_input, (const float* go, const float* x, float* gx, const float* m, const float* s, const float* mg, const float* k,
                          int64_t blocks, int64_t L, bool relu),
             (go, x, gx, m, s, mg, k, blocks, L, relu))

#undef LD
#undef ST

struct Geometry {
  int64_t n, c, pixels;  // images, channels, H*W
  int64_t image;         // floats per image
  int64_t lanes;         // L: a multiple of C and of 32
  int64_t blocks, tail;  // whole blocks per image, floats left after them (a multiple of C)

  explicit Geometry(const at::Tensor& x)
      : n(x.size(0)), c(x.size(1)), pixels(x.size(2) * x.size(3)), image(pixels * c), lanes(std::lcm<int64_t>(c, 32)),
        blocks(image / lanes), tail(image % lanes) {}

  int64_t count() const { return n * pixels; }  // values per channel

  // A per-channel constant repeated over the L lanes.
  std::vector<float> lane(const std::vector<double>& per_channel) const {
    std::vector<float> out(static_cast<size_t>(lanes));
    for (int64_t l = 0; l < lanes; l++) out[l] = static_cast<float>(per_channel[l % c]);
    return out;
  }
};

int64_t grain(const Geometry& g) { return nt::images_per_chunk(g.image); }

struct Stats {
  std::vector<double> mean, var;  // per channel; var biased
};

// Batch mean and biased variance per channel.
Stats batch_stats(const float* x, const Geometry& g) {
  const int64_t C = g.c, L = g.lanes;
  // Per image and channel: the centre a (the image's first pixel), S1 = sum(x - a), Q = sum((x - a)^2).
  std::vector<double> centre(static_cast<size_t>(g.n * C)), s1(centre.size()), q(centre.size());
  at::parallel_for(0, g.n, grain(g), [&](int64_t begin, int64_t end) {
    std::vector<float> a(static_cast<size_t>(L)), ls(a.size()), lq(a.size());
    for (int64_t b = begin; b < end; b++) {
      const float* img = x + b * g.image;
      for (int64_t l = 0; l < L; l++) a[l] = img[l % C];
      moments(img, a.data(), g.blocks, L, ls.data(), lq.data());
      const float* t = img + g.blocks * L;
      for (int64_t e = 0; e < g.tail; e++) {
        const float d = t[e] - a[e];
        ls[e] += d;
        lq[e] += d * d;
      }
      double* cs = s1.data() + b * C;
      double* cq = q.data() + b * C;
      for (int64_t ch = 0; ch < C; ch++) centre[b * C + ch] = a[ch], cs[ch] = 0, cq[ch] = 0;
      for (int64_t l = 0; l < L; l++) cs[l % C] += ls[l], cq[l % C] += lq[l];
    }
  });
  // Fold the images in order: the mean, then the squared deviations about it (exact shift of each image's Q).
  Stats st;
  st.mean.assign(static_cast<size_t>(C), 0.0);
  st.var.assign(static_cast<size_t>(C), 0.0);
  const double n = static_cast<double>(g.count()), p = static_cast<double>(g.pixels);
  for (int64_t b = 0; b < g.n; b++)
    for (int64_t ch = 0; ch < C; ch++) st.mean[ch] += p * centre[b * C + ch] + s1[b * C + ch];
  for (int64_t ch = 0; ch < C; ch++) st.mean[ch] /= n;
  for (int64_t b = 0; b < g.n; b++)
    for (int64_t ch = 0; ch < C; ch++) {
      const double d = centre[b * C + ch] - st.mean[ch];
      st.var[ch] += q[b * C + ch] + 2.0 * d * s1[b * C + ch] + p * d * d;
    }
  for (int64_t ch = 0; ch < C; ch++) st.var[ch] = std::max(0.0, st.var[ch] / n);
  return st;
}

// running = (1 - momentum) * running + momentum * batch, in place, outside autograd (as at::batch_norm does).
void update_running(const at::Tensor& running, const std::vector<double>& batch, double momentum, const char* name) {
  if (!running.defined()) return;
  const int64_t C = static_cast<int64_t>(batch.size());
  if (running.numel() != C)
    throw std::invalid_argument(std::string("nt_batch_norm_train: ") + name + " must have one value per channel (" + std::to_string(C) +
                                "), got " + std::to_string(running.numel()));
  if (running.scalar_type() == at::kFloat && running.device().is_cpu() && running.is_contiguous()) {
    float* r = running.data_ptr<float>();
    for (int64_t ch = 0; ch < C; ch++) r[ch] = static_cast<float>(momentum * batch[ch] + (1.0 - momentum) * r[ch]);
    return;
  }
  at::NoGradGuard no_grad;
  auto b = at::tensor(at::ArrayRef<double>(batch)).to(running.options()).view(running.sizes());
  running.mul_(1.0 - momentum).add_(b, momentum);
}

// x: 4-D float32 CPU channels-last contiguous. Fills mean and invstd per channel and updates the running stats.
void statistics(const at::Tensor& x, const at::Tensor& running_mean, const at::Tensor& running_var, double momentum, double eps,
                std::vector<double>& mean, std::vector<double>& invstd) {
  const Geometry g(x);
  Stats st = batch_stats(x.data_ptr<float>(), g);
  const double n = static_cast<double>(g.count());
  std::vector<double> unbiased(st.var.size());
  invstd.resize(st.var.size());
  for (size_t ch = 0; ch < st.var.size(); ch++) {
    unbiased[ch] = st.var[ch] * n / (n - 1.0);
    invstd[ch] = 1.0 / std::sqrt(st.var[ch] + eps);
  }
  update_running(running_mean, st.mean, momentum, "running_mean");
  update_running(running_var, unbiased, momentum, "running_var");
  mean = std::move(st.mean);
}

std::vector<double> times(std::vector<double> v, double scale) {
  for (auto& e : v) e *= scale;
  return v;
}

// y = scale * (x - mean) * invstd (max(., 0) when relu), written into y or, with acc, added to it.
void write_normalized(const at::Tensor& x, const std::vector<double>& mean, const std::vector<double>& invstd, double scale, bool relu,
                      bool acc, at::Tensor& y) {
  const Geometry g(x);
  const float* xp = x.data_ptr<float>();
  float* yp = y.data_ptr<float>();
  const auto m = g.lane(mean), s = g.lane(times(invstd, scale));
  at::parallel_for(0, g.n, grain(g), [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; b++) {
      const float* img = xp + b * g.image;
      float* out = yp + b * g.image;
      normalize(img, out, m.data(), s.data(), g.blocks, g.lanes, relu, acc);
      const int64_t o = g.blocks * g.lanes;
      for (int64_t e = 0; e < g.tail; e++) {
        float v = (img[o + e] - m[e]) * s[e];
        if (relu) v = std::max(v, 0.f);
        out[o + e] = acc ? out[o + e] + v : v;
      }
    }
  });
}

// x: 4-D float32 CPU channels-last contiguous. Returns y (channels-last) and fills mean and invstd per channel.
at::Tensor forward_impl(const at::Tensor& x, const at::Tensor& running_mean, const at::Tensor& running_var, double momentum,
                        double eps, bool relu, std::vector<double>& mean, std::vector<double>& invstd) {
  statistics(x, running_mean, running_var, momentum, eps, mean, invstd);
  auto y = at::empty(x.sizes(), x.options().memory_format(at::MemoryFormat::ChannelsLast));
  write_normalized(x, mean, invstd, 1.0, relu, /*acc=*/false, y);
  return y;
}

// Per channel, for the upstream gradient go (channels-last contiguous): mg = mean(e) and k = invstd * mean(e * xhat), e as
// in grad_sums; also returns sum(e * (x - mean)) per channel (the weight gradient of a weighted sum reads it).
struct GradSums {
  std::vector<double> mg, k, sgx;
};
GradSums grad_sums_of(const at::Tensor& go, const at::Tensor& x, const std::vector<double>& mean, const std::vector<double>& invstd,
                      bool relu) {
  const Geometry g(x);
  const int64_t C = g.c, L = g.lanes;
  const float* gop = go.data_ptr<float>();
  const float* xp = x.data_ptr<float>();
  const auto m = g.lane(mean), s = g.lane(invstd);

  // Per image and channel: sum(go) and sum(go * (x - mean)).
  std::vector<double> sg(static_cast<size_t>(g.n * C)), sgx(sg.size());
  at::parallel_for(0, g.n, grain(g), [&](int64_t begin, int64_t end) {
    std::vector<float> l1(static_cast<size_t>(L)), l2(l1.size());
    for (int64_t b = begin; b < end; b++) {
      const float* gi = gop + b * g.image;
      const float* xi = xp + b * g.image;
      grad_sums(gi, xi, m.data(), s.data(), g.blocks, L, l1.data(), l2.data(), relu);
      const int64_t o = g.blocks * L;
      for (int64_t e = 0; e < g.tail; e++) {
        const float d = xi[o + e] - m[e], ge = relu ? pass1(gi[o + e], d, s[e]) : gi[o + e];
        l1[e] += ge;
        l2[e] += ge * d;
      }
      double* c1 = sg.data() + b * C;
      double* c2 = sgx.data() + b * C;
      std::fill(c1, c1 + C, 0.0);
      std::fill(c2, c2 + C, 0.0);
      for (int64_t l = 0; l < L; l++) c1[l % C] += l1[l], c2[l % C] += l2[l];
    }
  });
  const double n = static_cast<double>(g.count());
  GradSums r;
  r.mg.assign(static_cast<size_t>(C), 0.0);
  r.sgx.assign(static_cast<size_t>(C), 0.0);
  for (int64_t b = 0; b < g.n; b++)
    for (int64_t ch = 0; ch < C; ch++) r.mg[ch] += sg[b * C + ch], r.sgx[ch] += sgx[b * C + ch];
  r.k.resize(static_cast<size_t>(C));
  for (int64_t ch = 0; ch < C; ch++) {
    r.mg[ch] /= n;
    r.k[ch] = r.sgx[ch] / n * invstd[ch] * invstd[ch];  // invstd * mean(go * xhat)
  }
  return r;
}

// gx = scale * ((e - mg) - (x - mean) * k) * invstd: the input gradient for the upstream gradient scale * go.
at::Tensor grad_input_of(const at::Tensor& go, const at::Tensor& x, const std::vector<double>& mean, const std::vector<double>& invstd,
                         const GradSums& sums, double scale, bool relu) {
  const Geometry g(x);
  const int64_t L = g.lanes;
  const float* gop = go.data_ptr<float>();
  const float* xp = x.data_ptr<float>();
  // The ReLU mask reads the sign of (x - mean) * s: a positive scale keeps it (relu is only used with scale 1).
  const auto m = g.lane(mean), s = g.lane(times(invstd, scale)), lmg = g.lane(sums.mg), lk = g.lane(sums.k);
  auto gx = at::empty(x.sizes(), x.options().memory_format(at::MemoryFormat::ChannelsLast));
  float* gxp = gx.data_ptr<float>();
  at::parallel_for(0, g.n, grain(g), [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; b++) {
      const float* gi = gop + b * g.image;
      const float* xi = xp + b * g.image;
      float* out = gxp + b * g.image;
      grad_input(gi, xi, out, m.data(), s.data(), lmg.data(), lk.data(), g.blocks, L, relu);
      const int64_t o = g.blocks * L;
      for (int64_t e = 0; e < g.tail; e++) {
        const float d = xi[o + e] - m[e], ge = relu ? pass1(gi[o + e], d, s[e]) : gi[o + e];
        out[o + e] = ((ge - lmg[e]) - d * lk[e]) * s[e];
      }
    }
  });
  return gx;
}

// The input gradient for the upstream gradient grad (any layout), x and the forward's mean and invstd.
at::Tensor backward_impl(const at::Tensor& grad, const at::Tensor& x, const std::vector<double>& mean, const std::vector<double>& invstd,
                         bool relu) {
  auto go = grad.contiguous(at::MemoryFormat::ChannelsLast);
  return grad_input_of(go, x, mean, invstd, grad_sums_of(go, x, mean, invstd, relu), 1.0, relu);
}

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

at::Tensor doubles(const std::vector<double>& v) { return at::tensor(at::ArrayRef<double>(v)); }

std::vector<double> doubles(const at::Tensor& t) {
  const double* p = t.data_ptr<double>();
  return std::vector<double>(p, p + t.numel());
}

struct BatchNormTrain : public torch::autograd::Function<BatchNormTrain> {
  // The running stats come by pointer: they are no inputs of the autograd node (and may be undefined, which apply refuses).
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor* running_mean, const at::Tensor* running_var,
                            double momentum, double eps, bool relu) {
    std::vector<double> mean, invstd;
    auto y = forward_impl(x, *running_mean, *running_var, momentum, eps, relu, mean, invstd);
    ctx->save_for_backward({x});
    ctx->saved_data["relu"] = relu;
    ctx->saved_data["mean"] = doubles(mean);
    ctx->saved_data["invstd"] = doubles(invstd);
    return y;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    if (at::GradMode::is_enabled())
      throw std::runtime_error("double backward of the native batch norm is not supported (backward was asked with create_graph)");
    at::Tensor gx;
    if (grads[0].defined() && ctx->needs_input_grad(0)) {
      auto saved = ctx->get_saved_variables();
      gx = backward_impl(grads[0], saved[0], doubles(ctx->saved_data["mean"].toTensor()), doubles(ctx->saved_data["invstd"].toTensor()),
                         ctx->saved_data["relu"].toBool());
    }
    return {gx, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

// PyTorch's F.batch_norm refuses one value per channel in training (at::batch_norm itself returns zeros and a NaN running
// variance).
void require_values_per_channel(const at::Tensor& input) {
  if (input.dim() >= 2 && input.numel() > 0 && input.numel() / input.size(1) <= 1)
    throw std::invalid_argument("Expected more than 1 value per channel when training, got input size " + c10::str(input.sizes()));
}

at::Tensor batch_norm_train(const at::Tensor& input, const at::Tensor& running_mean, const at::Tensor& running_var, double momentum,
                            double eps, bool relu) {
  require_values_per_channel(input);
  const bool native = input.dim() == 4 && input.scalar_type() == at::kFloat && input.device().is_cpu() && input.numel() > 0;
  if (!native) {
    auto y = at::batch_norm(input, {}, {}, running_mean, running_var, /*training=*/true, momentum, eps, /*cudnn_enabled=*/true);
    return relu ? at::relu(y) : y;
  }
  auto x = input.contiguous(at::MemoryFormat::ChannelsLast);
  if (at::GradMode::is_enabled() && input.requires_grad()) return BatchNormTrain::apply(x, &running_mean, &running_var, momentum, eps, relu);
  std::vector<double> mean, invstd;
  return forward_impl(x, running_mean, running_var, momentum, eps, relu, mean, invstd);
}

// The mixed op's sum when most ops end in an affine-free training BatchNorm:
//   out = sum_i w_i * BN(h_i) + sum_j v_j * y_j
// BN(h_i) is never written: its normalized values go straight into out, and in backward each h_i's gradient comes from
// the upstream gradient g in the BN's own two passes (the BN backward is linear in its upstream gradient, so the
// gradient for w_i * g is w_i times the one for g), while dw_i = <g, BN(h_i)> = sum_c invstd_c * sum(g * (h_i - mean_c))
// comes out of the first of them. Against separate BNs and a WeightedSum this saves writing and re-reading every
// BN output in forward and every scaled gradient w_i * g in backward, and the BN outputs need not be kept.
struct BnWeightedSum : public torch::autograd::Function<BnWeightedSum> {
  // inputs: hs (BN inputs, channels-last contiguous), ys (plain terms), ws (one 0-dim weight per h, then per y)
  static at::Tensor forward(AutogradContext* ctx, at::TensorList hs, at::TensorList ys, at::TensorList ws,
                            const std::vector<at::Tensor>* running, double momentum, double eps) {
    const int64_t nb = static_cast<int64_t>(hs.size()), np = static_cast<int64_t>(ys.size());
    std::vector<double> w(static_cast<size_t>(nb + np));
    for (int64_t i = 0; i < nb + np; i++) w[i] = ws[i].item<double>();
    const auto& shape = nb > 0 ? hs[0] : ys[0];
    auto out = at::empty(shape.sizes(), shape.options().memory_format(at::MemoryFormat::ChannelsLast));
    std::vector<at::Tensor> saved;
    c10::List<at::Tensor> means, invstds;  // per BN, as BatchNormTrain keeps its own
    for (int64_t i = 0; i < nb; i++) {
      std::vector<double> mean, invstd;
      statistics(hs[i], (*running)[2 * i], (*running)[2 * i + 1], momentum, eps, mean, invstd);
      write_normalized(hs[i], mean, invstd, w[i], /*relu=*/false, /*acc=*/i > 0, out);
      saved.push_back(hs[i]);
      means.push_back(doubles(mean));
      invstds.push_back(doubles(invstd));
    }
    {
      at::NoGradGuard no_grad;
      if (nb == 0) out.zero_();
      for (int64_t j = 0; j < np; j++) out.add_(ys[j], w[nb + j]);
    }
    for (int64_t j = 0; j < np; j++) saved.push_back(ys[j]);
    ctx->save_for_backward(saved);
    ctx->saved_data["nb"] = nb;
    ctx->saved_data["w"] = c10::List<double>(w);
    ctx->saved_data["mean"] = means;
    ctx->saved_data["invstd"] = invstds;
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    if (at::GradMode::is_enabled())
      throw std::runtime_error("double backward of the native BatchNorm weighted sum is not supported (backward was asked with create_graph)");
    const auto saved = ctx->get_saved_variables();
    const int64_t nb = ctx->saved_data["nb"].toInt(), np = static_cast<int64_t>(saved.size()) - nb;
    const auto w = ctx->saved_data["w"].toDoubleList().vec();
    const auto means = ctx->saved_data["mean"].toTensorList(), invstds = ctx->saved_data["invstd"].toTensorList();
    const auto g = grads[0].contiguous(at::MemoryFormat::ChannelsLast);
    // inputs in order: hs, ys, ws, then the running stats pointer, momentum and eps
    variable_list result(static_cast<size_t>(2 * (nb + np) + 3));
    for (int64_t i = 0; i < nb; i++) {
      const auto& h = saved[i];
      const auto mean = doubles(means.get(i)), invstd = doubles(invstds.get(i));
      const bool want_h = ctx->needs_input_grad(i), want_w = ctx->needs_input_grad(nb + np + i);
      if (!want_h && !want_w) continue;
      const auto sums = grad_sums_of(g, h, mean, invstd, /*relu=*/false);
      if (want_h) result[i] = grad_input_of(g, h, mean, invstd, sums, w[i], /*relu=*/false);
      if (want_w) {
        double dw = 0;
        for (size_t k = 0; k < invstd.size(); k++) dw += invstd[k] * sums.sgx[k];
        result[nb + np + i] = at::scalar_tensor(dw, g.options());
      }
    }
    // The plain terms: WeightedSum's own backward pass (dy = v * g and dv = <g, y> in one pass over g).
    std::vector<bool> want_dy(np), want_dw(np);
    for (int64_t j = 0; j < np; j++) want_dy[j] = ctx->needs_input_grad(nb + j), want_dw[j] = ctx->needs_input_grad(2 * nb + np + j);
    std::vector<at::Tensor> dys, dws;
    nt::weighted_sum_grads(g, at::TensorList(saved).slice(nb), std::vector<double>(w.begin() + nb, w.end()), want_dy, want_dw, dys, dws);
    for (int64_t j = 0; j < np; j++) result[nb + j] = dys[j], result[2 * nb + np + j] = dws[j];
    return result;
  }
};

}  // namespace

// sum_i weights[i] * BN(hs[i]) + sum_j weights[nb + j] * ys[j], BN the affine-free training batch norm of nt_batch_norm_train
// (running_means[i] / running_vars[i] updated in place, either may be null). All tensors 4-D float32 CPU of one shape
// (the hs made channels-last), weights 0-dim; gradients to hs, ys and the weights, no double backward. Anything else
// (another dtype, device or rank, one value per channel) is refused with what is wrong; the caller keeps the unfused path
// for those.
NT_API int32_t nt_bn_weighted_sum(const nt_tensor* hs, const nt_tensor* running_means, const nt_tensor* running_vars, int32_t nb,
                                  const nt_tensor* ys, int32_t np, const nt_tensor* weights, double momentum, double eps, nt_tensor* out) {
  NT_GUARD({
    if (nb + np < 1) throw std::invalid_argument("BatchNorm weighted sum of no tensors");
    std::vector<at::Tensor> h, y, w, running;
    const at::Tensor none;
    for (int32_t i = 0; i < nb; i++) {
      const auto& t = *hs[i];
      if (t.dim() != 4 || t.scalar_type() != at::kFloat || !t.device().is_cpu() || t.numel() == 0)
        throw std::invalid_argument("BatchNorm weighted sum: BN inputs must be non-empty 4-D float32 CPU tensors, got " + c10::str(t.sizes()));
      require_values_per_channel(t);
      h.push_back(t.contiguous(at::MemoryFormat::ChannelsLast));
      running.push_back(running_means[i] ? *running_means[i] : none);
      running.push_back(running_vars[i] ? *running_vars[i] : none);
    }
    for (int32_t j = 0; j < np; j++) y.push_back(ys[j]->contiguous(at::MemoryFormat::ChannelsLast));  // in the sum's layout
    for (int32_t k = 0; k < nb + np; k++) {
      const auto& t = *weights[k];
      if (t.dim() != 0 || t.scalar_type() != at::kFloat) throw std::invalid_argument("BatchNorm weighted sum: weights must be 0-dim float32");
      w.push_back(t);
    }
    const auto& first = nb > 0 ? h[0] : y[0];
    for (const auto& t : h)
      if (!t.sizes().equals(first.sizes())) throw std::invalid_argument("BatchNorm weighted sum: shapes differ, " + c10::str(t.sizes()) + " and " + c10::str(first.sizes()));
    for (const auto& t : y)
      if (!t.sizes().equals(first.sizes()) || t.scalar_type() != at::kFloat || !t.device().is_cpu())
        throw std::invalid_argument("BatchNorm weighted sum: plain terms must be float32 CPU tensors of shape " + c10::str(first.sizes()));
    *out = nt::wrap(BnWeightedSum::apply(at::TensorList(h), at::TensorList(y), at::TensorList(w), &running, momentum, eps));
  })
}

// Training-mode batch norm without weight and bias (at::batch_norm(x, {}, {}, rm, rv, true, momentum, eps)): batch
// statistics over N, H, W; running_mean and running_var (either may be null) updated in place with momentum and the
// unbiased variance. 4-D float32 CPU input runs the native channels-last loops (result channels-last, gradient to the
// input, no double backward); other inputs go to at::batch_norm. relu != 0 returns max(y, 0) instead, fused into the same passes.
NT_API int32_t nt_batch_norm_train(nt_tensor input, nt_tensor running_mean, nt_tensor running_var, double momentum, double eps, int32_t relu,
                                   nt_tensor* out) {
  NT_GUARD({
    const at::Tensor none;
    *out = nt::wrap(batch_norm_train(*input, running_mean ? *running_mean : none, running_var ? *running_var : none, momentum, eps, relu != 0));
  })
}
