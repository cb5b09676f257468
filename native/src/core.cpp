// Errors, handle lifetime, versions, threads, seeds and devices.
#include "nt.h"
#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/utils.h>
#include <torch/version.h>
#include <cstring>
#include <malloc.h>

namespace nt {
static thread_local std::string last_error;
void set_error(const std::string& message) { last_error = message; }
std::atomic<int64_t>& live_tensors() {
  static std::atomic<int64_t> count{0};
  return count;
}

at::ScalarType to_scalar_type(int32_t code) {
  switch (code) {
    case 0: return at::kFloat;
    case 1: return at::kDouble;
    case 2: return at::kLong;
    case 3: return at::kInt;
    case 4: return at::kBool;
    case 5: return at::kByte;
    default: throw std::invalid_argument("unknown dtype code " + std::to_string(code));
  }
}
int32_t from_scalar_type(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return 0;
    case at::kDouble: return 1;
    case at::kLong: return 2;
    case at::kInt: return 3;
    case at::kBool: return 4;
    case at::kByte: return 5;
    default: throw std::invalid_argument(std::string("unsupported dtype ") + c10::toString(t));
  }
}
at::Device to_device(int32_t code) {
  if (code < 0) return at::Device(at::kCPU);
  return at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(code));
}
}  // namespace nt

NT_API const char* nt_last_error() { return nt::last_error.c_str(); }

NT_API int64_t nt_live_tensors() { return nt::live_tensors().load(); }

NT_API void nt_free(nt_tensor t) {
  if (t == nullptr) return;
  delete t;
  nt::live_tensors().fetch_sub(1, std::memory_order_relaxed);
}

NT_API int32_t nt_version(char* buffer, int32_t size) {
  NT_GUARD({
    std::string v = TORCH_VERSION;
    std::snprintf(buffer, static_cast<size_t>(size), "%s", v.c_str());
  })
}

NT_API int32_t nt_set_num_threads(int32_t n) { NT_GUARD(at::set_num_threads(n)) }
NT_API int32_t nt_get_num_threads(int32_t* n) { NT_GUARD(*n = at::get_num_threads()) }

// glibc returns large freed blocks to the kernel (mmap'd, or trimmed off the heap top), so the next step's tensors of the
// same size fault their pages in again; in this VM those faults cost about a third of a DARTS step (docs/performance.md).
// This keeps blocks up to mmap_threshold bytes on the heap and never trims it: memory freed by one step is reused by the
// next, and the resident size stays at the step's peak.
NT_API int32_t nt_keep_freed_memory(int64_t mmap_threshold) {
  NT_GUARD({
    if (mallopt(M_MMAP_THRESHOLD, static_cast<int>(mmap_threshold)) == 0)
      throw std::invalid_argument("mallopt(M_MMAP_THRESHOLD, " + std::to_string(mmap_threshold) + ") was refused by glibc");
    if (mallopt(M_TRIM_THRESHOLD, INT32_MAX) == 0) throw std::runtime_error("mallopt(M_TRIM_THRESHOLD) was refused");
  })
}
NT_API int32_t nt_manual_seed(uint64_t seed) { NT_GUARD(torch::manual_seed(seed)) }
NT_API int32_t nt_cuda_device_count(int32_t* n) { NT_GUARD(*n = static_cast<int32_t>(torch::cuda::device_count())) }
NT_API int32_t nt_set_deterministic(int32_t on) { NT_GUARD(at::globalContext().setDeterministicAlgorithms(on != 0, false)) }

NT_API int32_t nt_dtype(nt_tensor t, int32_t* code) { NT_GUARD(*code = nt::from_scalar_type(t->scalar_type())) }
NT_API int32_t nt_dim(nt_tensor t, int32_t* n) { NT_GUARD(*n = static_cast<int32_t>(t->dim())) }
NT_API int32_t nt_shape(nt_tensor t, int64_t* out, int32_t capacity) {
  NT_GUARD({
    if (t->dim() > capacity) throw std::invalid_argument("shape buffer too small");
    for (int64_t i = 0; i < t->dim(); ++i) out[i] = t->size(i);
  })
}
NT_API int32_t nt_numel(nt_tensor t, int64_t* n) { NT_GUARD(*n = t->numel()) }

// Creation. Shapes arrive as (pointer, length); dtype and device as codes.
NT_API int32_t nt_zeros(const int64_t* shape, int32_t ndim, int32_t dtype, int32_t device, nt_tensor* out) {
  NT_GUARD(*out = nt::wrap(at::zeros(nt::dims(shape, ndim), at::TensorOptions().dtype(nt::to_scalar_type(dtype)).device(nt::to_device(device)))))
}

// Copies count elements of the given dtype from managed memory into a new contiguous CPU tensor.
NT_API int32_t nt_from_blob(const void* data, const int64_t* shape, int32_t ndim, int32_t dtype, nt_tensor* out) {
  NT_GUARD({
    auto t = at::empty(nt::dims(shape, ndim), at::TensorOptions().dtype(nt::to_scalar_type(dtype)));
    std::memcpy(t.data_ptr(), data, t.numel() * t.element_size());
    *out = nt::wrap(std::move(t));
  })
}

// Copies the tensor's elements (converted to CPU, contiguous) into managed memory of byte_size bytes.
NT_API int32_t nt_copy_to(nt_tensor t, void* data, int64_t byte_size) {
  NT_GUARD({
    auto c = t->detach().to(at::kCPU).contiguous();
    int64_t need = c.numel() * static_cast<int64_t>(c.element_size());
    if (need != byte_size) throw std::invalid_argument("destination holds " + std::to_string(byte_size) + " bytes, tensor needs " + std::to_string(need));
    std::memcpy(data, c.data_ptr(), static_cast<size_t>(need));
  })
}

NT_API int32_t nt_add(nt_tensor a, nt_tensor b, nt_tensor* out) { NT_GUARD(*out = nt::wrap(*a + *b)) }
NT_API int32_t nt_matmul(nt_tensor a, nt_tensor b, nt_tensor* out) { NT_GUARD(*out = nt::wrap(at::matmul(*a, *b))) }

// Two calls that do nothing, so the benchmark can measure the bare cost of crossing the ABI.
NT_API int32_t nt_noop() { return nt::Ok; }
NT_API int32_t nt_noop_tensor(nt_tensor t) { return t == nullptr ? nt::Error : nt::Ok; }
