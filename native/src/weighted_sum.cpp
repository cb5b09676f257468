// The mixed op's weighted sum, out = sum_i w_i * y_i, as one pass with its own backward. Through libtorch it is a mul
// and an add per op, and in backward a mul for dy_i, a mul and a sum for dw_i: five passes over memory per op and two
// temporaries. Here the forward reads each y_i once and writes out once; the backward reads g once, and per op reads y_i
// and writes dy_i = w_i * g, with dw_i = <g, y_i> summed in the same pass.
#include "nt.h"
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>
#include <vector>

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Fixed-size blocks, so the dot products are summed in an order that does not depend on the thread count.
constexpr int64_t kBlock = 16384;

int64_t blocks_of(int64_t numel) { return (numel + kBlock - 1) / kBlock; }

using nt::v8;
#define LD(p) (*reinterpret_cast<const v8*>(p))

// One op's share of the backward over one block of n floats: dy = w * g (when dy is given) and *dot = <g, y> (when y is
// given), 32 lanes at a time (four accumulators, then one), so the dot product vectorizes (a float sum written as one
// loop would not, as the compiler keeps its order).
inline __attribute__((always_inline)) void scale_dot_body(const float* g, const float* y, float* dy, float w, int64_t n, float* dot) {
  const v8 wv = {w, w, w, w, w, w, w, w};
  v8 a0{}, a1{}, a2{}, a3{};
  int64_t e = 0;
  for (; e + 32 <= n; e += 32) {
    const v8 g0 = LD(g + e), g1 = LD(g + e + 8), g2 = LD(g + e + 16), g3 = LD(g + e + 24);
    if (dy) {
      *reinterpret_cast<v8*>(dy + e) = wv * g0, *reinterpret_cast<v8*>(dy + e + 8) = wv * g1;
      *reinterpret_cast<v8*>(dy + e + 16) = wv * g2, *reinterpret_cast<v8*>(dy + e + 24) = wv * g3;
    }
    if (y) a0 += g0 * LD(y + e), a1 += g1 * LD(y + e + 8), a2 += g2 * LD(y + e + 16), a3 += g3 * LD(y + e + 24);
  }
  for (; e + 8 <= n; e += 8) {
    const v8 g0 = LD(g + e);
    if (dy) *reinterpret_cast<v8*>(dy + e) = wv * g0;
    if (y) a0 += g0 * LD(y + e);
  }
  const v8 a = (a0 + a1) + (a2 + a3);
  float sum = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
  for (; e < n; e++) {
    if (dy) dy[e] = w * g[e];
    if (y) sum += g[e] * y[e];
  }
  *dot = sum;
}
NT_HOT_LOOPS(scale_dot, (const float* g, const float* y, float* dy, float w, int64_t n, float* dot), (g, y, dy, w, n, dot))
#undef LD

std::vector<float> weight_values(at::TensorList ws) {
  std::vector<float> w(ws.size());
  for (size_t i = 0; i < ws.size(); i++) w[i] = ws[i].item<float>();
  return w;
}

at::MemoryFormat format_of(const at::Tensor& t) {
  return t.dim() == 4 && t.is_contiguous(at::MemoryFormat::ChannelsLast) && !t.is_contiguous() ? at::MemoryFormat::ChannelsLast
                                                                                               : at::MemoryFormat::Contiguous;
}

struct WeightedSum : public torch::autograd::Function<WeightedSum> {
  static at::Tensor forward(AutogradContext* ctx, at::TensorList ys, at::TensorList ws) {
    const auto format = format_of(ys[0]);
    std::vector<at::Tensor> yc;
    yc.reserve(ys.size());
    for (const auto& y : ys) yc.push_back(y.contiguous(format));
    const auto w = weight_values(ws);
    auto out = at::empty(yc[0].sizes(), yc[0].options(), format);
    const int64_t n = static_cast<int64_t>(yc.size()), numel = out.numel();
    std::vector<const float*> src(yc.size());
    for (int64_t i = 0; i < n; i++) src[i] = yc[i].data_ptr<float>();
    float* dst = out.data_ptr<float>();
    at::parallel_for(0, blocks_of(numel), 1, [&](int64_t b0, int64_t b1) {
      const int64_t lo = b0 * kBlock, hi = std::min(numel, b1 * kBlock);
      const float w0 = w[0];
      const float* y0 = src[0];
      for (int64_t e = lo; e < hi; e++) dst[e] = w0 * y0[e];
      for (int64_t i = 1; i < n; i++) {
        const float wi = w[i];
        const float* yi = src[i];
        for (int64_t e = lo; e < hi; e++) dst[e] += wi * yi[e];
      }
    });
    ctx->save_for_backward(yc);
    ctx->saved_data["w"] = c10::List<double>(std::vector<double>(w.begin(), w.end()));
    ctx->saved_data["format"] = static_cast<int64_t>(format);
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    if (at::GradMode::is_enabled())
      throw std::runtime_error("double backward of the native weighted sum is not supported (backward was asked with create_graph)");
    const auto ys = ctx->get_saved_variables();
    const auto w = ctx->saved_data["w"].toDoubleList().vec();
    const auto format = static_cast<at::MemoryFormat>(ctx->saved_data["format"].toInt());
    const int64_t n = static_cast<int64_t>(ys.size());
    std::vector<bool> want_dy(n), want_dw(n);
    for (int64_t i = 0; i < n; i++) want_dy[i] = ctx->needs_input_grad(i), want_dw[i] = ctx->needs_input_grad(n + i);
    std::vector<at::Tensor> dys, dws;
    nt::weighted_sum_grads(grads[0].contiguous(format), ys, w, want_dy, want_dw, dys, dws);
    variable_list result(2 * n);
    for (int64_t i = 0; i < n; i++) result[i] = dys[i], result[n + i] = dws[i];
    return result;
  }
};

}  // namespace

void nt::weighted_sum_grads(const at::Tensor& g, at::TensorList ys, const std::vector<double>& w, const std::vector<bool>& want_dy,
                            const std::vector<bool>& want_dw, std::vector<at::Tensor>& dys, std::vector<at::Tensor>& dws) {
  const int64_t n = static_cast<int64_t>(ys.size()), numel = g.numel();
  dys.assign(static_cast<size_t>(n), at::Tensor());
  dws.assign(static_cast<size_t>(n), at::Tensor());
  std::vector<float*> dy(n, nullptr);
  std::vector<const float*> y(n, nullptr);
  for (int64_t i = 0; i < n; i++) {
    if (want_dy[i]) {
      dys[i] = at::empty_like(g);
      dy[i] = dys[i].data_ptr<float>();
    }
    if (want_dw[i]) y[i] = ys[i].data_ptr<float>();
  }
  const int64_t blocks = blocks_of(numel);
  std::vector<double> partial(static_cast<size_t>(blocks * n), 0.0);
  const float* gp = g.data_ptr<float>();
  at::parallel_for(0, blocks, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; b++) {
      const int64_t lo = b * kBlock, hi = std::min(numel, (b + 1) * kBlock);
      for (int64_t i = 0; i < n; i++) {
        if (!dy[i] && !y[i]) continue;
        float dot = 0.f;
        scale_dot(gp + lo, y[i] ? y[i] + lo : nullptr, dy[i] ? dy[i] + lo : nullptr, static_cast<float>(w[i]), hi - lo, &dot);
        partial[b * n + i] = dot;
      }
    }
  });
  for (int64_t i = 0; i < n; i++) {
    if (!want_dw[i]) continue;
    double s = 0;
    for (int64_t b = 0; b < blocks; b++) s += partial[b * n + i];
    dws[i] = at::scalar_tensor(s, g.options());
  }
}

namespace {

bool native_case(at::TensorList ys, at::TensorList ws) {
  if (ys.empty() || ys.size() != ws.size()) return false;
  for (const auto& w : ws)
    if (w.numel() != 1 || w.dim() != 0 || !w.device().is_cpu() || w.scalar_type() != at::kFloat) return false;
  for (const auto& y : ys)
    if (!y.device().is_cpu() || y.scalar_type() != at::kFloat || !y.sizes().equals(ys[0].sizes())) return false;
  return true;
}

}  // namespace

// sum_i weights[i] * ys[i]: ys of one shape, weights 0-dim. Float32 CPU runs the fused loops; anything else is libtorch's
// mul and add (which also raises libtorch's own errors for mismatched shapes).
NT_API int32_t nt_weighted_sum(const nt_tensor* ys, const nt_tensor* weights, int32_t n, nt_tensor* out) {
  NT_GUARD({
    if (n < 1) throw std::invalid_argument("weighted sum of no tensors");
    std::vector<at::Tensor> y, w;
    for (int32_t i = 0; i < n; i++) {
      y.push_back(*ys[i]);
      w.push_back(*weights[i]);
    }
    if (native_case(y, w)) {
      *out = nt::wrap(WeightedSum::apply(at::TensorList(y), at::TensorList(w)));
    } else {
      auto sum = y[0] * w[0];
      for (int32_t i = 1; i < n; i++) sum = sum + y[i] * w[i];
      *out = nt::wrap(std::move(sum));
    }
  })
}
