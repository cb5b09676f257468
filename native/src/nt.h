// The shim's shared conventions: opaque handles, status codes, and the guard that keeps every
// C++ exception on this side of the C ABI.
#pragma once
// Light headers on purpose: <torch/torch.h> costs ~15 s of compile per file; these cost ~4 s.
#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>
#include <torch/csrc/autograd/variable.h>
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#define NT_API extern "C" __attribute__((visibility("default")))

// A tensor handle is a heap-allocated at::Tensor owned by exactly one managed Tensor.
typedef at::Tensor* nt_tensor;
// A generator handle is a heap-allocated at::Generator (CPU, seeded) owned by one managed Generator.
typedef at::Generator* nt_generator;

namespace nt {

// 0 = ok; anything else means the message is in nt_last_error() for this thread.
enum Status : int32_t { Ok = 0, Error = 1 };

void set_error(const std::string& message);
std::atomic<int64_t>& live_tensors();

inline nt_tensor wrap(at::Tensor&& t) {
  live_tensors().fetch_add(1, std::memory_order_relaxed);
  return new at::Tensor(std::move(t));
}
inline nt_tensor wrap(const at::Tensor& t) {
  live_tensors().fetch_add(1, std::memory_order_relaxed);
  return new at::Tensor(t);
}

// dtype codes shared with Nas.Torch.DType.
at::ScalarType to_scalar_type(int32_t code);
int32_t from_scalar_type(at::ScalarType t);
at::Device to_device(int32_t code);

// An optional tensor argument: a null handle means "none".
inline c10::optional<at::Tensor> opt(nt_tensor t) { return t ? c10::optional<at::Tensor>(*t) : c10::nullopt; }

// A required generator argument.
inline at::Generator& gen(nt_generator g) {
  if (g == nullptr) throw std::invalid_argument("generator handle is null");
  return *g;
}

inline at::IntArrayRef dims(const int64_t* p, int32_t n) { return at::IntArrayRef(p, static_cast<size_t>(n)); }

}  // namespace nt

// Runs the body (variadic, so commas inside it need no extra parentheses); turns any exception into a status and a kept message.
#define NT_GUARD(...)                                                              \
  try {                                                                             \
    __VA_ARGS__;                                                                    \
    return nt::Ok;                                                                  \
  } catch (const c10::Error& e) {                                                   \
    nt::set_error(e.what_without_backtrace());                                      \
  } catch (const std::exception& e) {                                               \
    nt::set_error(e.what());                                                        \
  } catch (...) {                                                                   \
    nt::set_error("unknown C++ exception in libtorch shim");                        \
  }                                                                                 \
  return nt::Error;

// Defines `name` as a function pointer to name##_body compiled for AVX2+FMA when the CPU has them, else for baseline
// x86-64; name##_body must be an always_inline function. (GCC's target_clones("arch=haswell") tests the CPU model,
// not its features, and picked the slow copy on AMD EPYC.)
#define NT_HOT_LOOPS(name, params, args)                                              \
  __attribute__((target("avx2,fma"))) void name##_avx2 params { name##_body args; } \
  void name##_base params { name##_body args; }                                     \
  const auto name = (__builtin_cpu_init(), __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) ? name##_avx2 : name##_base;

namespace nt {

// Unaligned 8-float vectors for the hot loops (GCC vector extension; plain SSE pairs in a baseline copy).
typedef float v8 __attribute__((vector_size(32), aligned(4)));

// Images per at::parallel_for chunk for per-image kernels: about 32k floats, enough work to be worth a thread hand-off.
inline int64_t images_per_chunk(int64_t floats_per_image) { return std::max<int64_t>(1, 32768 / std::max<int64_t>(1, floats_per_image)); }

// A new N x C x H x W float tensor like `like`, channels-last (at::zeros drops a memory format given in its options;
// at::empty keeps it).
inline at::Tensor empty_channels_last(const at::Tensor& like, int64_t n, int64_t c, int64_t h, int64_t w) {
  return at::empty({n, c, h, w}, like.options(), at::MemoryFormat::ChannelsLast);
}

// t itself when its channel stride is 1 (channels-last, or a channel slice of such a tensor), else a channels-last copy.
inline at::Tensor channel_stride_one(const at::Tensor& t) { return t.stride(1) == 1 ? t : t.contiguous(at::MemoryFormat::ChannelsLast); }

// The backward of sum_i w[i] * ys[i] for its upstream gradient g (g and every ys[i] float32, contiguous in one memory
// format): dys[i] = w[i] * g where want_dy[i] and dws[i] = <g, ys[i]> (0-dim) where want_dw[i], others left undefined;
// one blocked pass over g, the dot products summed in an order that does not depend on the thread count
// (weighted_sum.cpp; the fused BatchNorm sum's plain terms use it too).
void weighted_sum_grads(const at::Tensor& g, at::TensorList ys, const std::vector<double>& w, const std::vector<bool>& want_dy,
                        const std::vector<bool>& want_dw, std::vector<at::Tensor>& dys, std::vector<at::Tensor>& dws);

// Pixel (n, h, w) of a 4-D float tensor whose channel stride is 1: its C floats start at at(n, h, w).
struct PixelRows {
  const float* base;
  int64_t sn, sh, sw;
  explicit PixelRows(const at::Tensor& t) : base(t.data_ptr<float>()), sn(t.stride(0)), sh(t.stride(2)), sw(t.stride(3)) {}
  const float* at(int64_t n, int64_t h, int64_t w) const { return base + n * sn + h * sh + w * sw; }
};

}  // namespace nt
