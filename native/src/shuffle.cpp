// PC-DARTS's join of an edge: cat([mixed, bypass], channels) then the channel shuffle with K groups, as one pass
// over channels-last memory, forward and backward (through libtorch: a cat and a contiguous copy each way).
// Output channel o = i*K + g takes concatenated channel g*(C/K) + i: from the mixed part when g = 0, else bypass
// channel (g-1)*(C/K) + i.
#include "nt.h"
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct ShuffleJoin : public torch::autograd::Function<ShuffleJoin> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& mixed, const at::Tensor& bypass, int64_t groups) {
    const auto a = nt::channel_stride_one(mixed);
    const auto b = nt::channel_stride_one(bypass);
    const int64_t n = a.size(0), part = a.size(1), h = a.size(2), w = a.size(3), c = part * groups;
    auto out = nt::empty_channels_last(a, n, c, h, w);
    float* o = out.data_ptr<float>();
    const nt::PixelRows ra(a), rb(b);
    at::parallel_for(0, n * h, 1, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; r++) {
        const int64_t b0 = r / h, y = r % h;
        for (int64_t x = 0; x < w; x++) {
          const float* pa = ra.at(b0, y, x);
          const float* pb = rb.at(b0, y, x);
          float* po = o + ((b0 * h + y) * w + x) * c;
          for (int64_t i = 0; i < part; i++) {
            po[i * groups] = pa[i];
            for (int64_t g = 1; g < groups; g++) po[i * groups + g] = pb[(g - 1) * part + i];
          }
        }
      }
    });
    ctx->saved_data["groups"] = groups;
    ctx->saved_data["part"] = part;
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    if (at::GradMode::is_enabled())
      throw std::runtime_error("double backward of the native shuffle join is not supported (backward was asked with create_graph)");
    const int64_t groups = ctx->saved_data["groups"].toInt(), part = ctx->saved_data["part"].toInt();
    const auto g = grads[0].contiguous(at::MemoryFormat::ChannelsLast);
    const int64_t n = g.size(0), c = g.size(1), h = g.size(2), w = g.size(3), rest = c - part;
    at::Tensor ga, gb;
    float* pa = nullptr;
    float* pb = nullptr;
    if (ctx->needs_input_grad(0)) {
      ga = nt::empty_channels_last(g, n, part, h, w);
      pa = ga.data_ptr<float>();
    }
    if (ctx->needs_input_grad(1)) {
      gb = nt::empty_channels_last(g, n, rest, h, w);
      pb = gb.data_ptr<float>();
    }
    const float* pg = g.data_ptr<float>();
    at::parallel_for(0, n * h * w, 1024, [&](int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; p++) {
        const float* row = pg + p * c;
        for (int64_t i = 0; i < part; i++) {
          if (pa) pa[p * part + i] = row[i * groups];
          if (pb)
            for (int64_t k = 1; k < groups; k++) pb[p * rest + (k - 1) * part + i] = row[i * groups + k];
        }
      }
    });
    return {ga, gb, at::Tensor()};
  }
};

}  // namespace

// cat([mixed, bypass], 1) followed by the K-group channel shuffle, channels-last out. mixed has C/K channels and
// bypass C - C/K, same batch and spatial size, float32 on the CPU; anything else is refused with what is wrong.
NT_API int32_t nt_shuffle_join(nt_tensor mixed, nt_tensor bypass, int64_t groups, nt_tensor* out) {
  NT_GUARD({
    const auto& a = *mixed;
    const auto& b = *bypass;
    if (a.dim() != 4 || b.dim() != 4) throw std::invalid_argument("shuffle join: both parts must be 4-D");
    if (groups < 1) throw std::invalid_argument("shuffle join: groups must be at least 1, got " + std::to_string(groups));
    if (a.size(0) != b.size(0) || a.size(2) != b.size(2) || a.size(3) != b.size(3))
      throw std::invalid_argument("shuffle join: the parts differ in batch or spatial size");
    if (b.size(1) != a.size(1) * (groups - 1))
      throw std::invalid_argument("shuffle join: the bypass has " + std::to_string(b.size(1)) + " channels, expected " +
                                  std::to_string(a.size(1) * (groups - 1)) + " (mixed " + std::to_string(a.size(1)) + " times " +
                                  std::to_string(groups - 1) + ")");
    if (a.scalar_type() != at::kFloat || b.scalar_type() != at::kFloat || !a.device().is_cpu() || !b.device().is_cpu())
      throw std::invalid_argument("shuffle join: float32 CPU tensors only");
    *out = nt::wrap(ShuffleJoin::apply(a, b, groups));
  })
}
