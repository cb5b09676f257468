// Direct access to a CPU tensor's bytes, so snapshots stream tensors to and from files without an extra copy.
#include "nt.h"

// The address and byte length of a contiguous CPU tensor's elements (valid while the tensor lives and keeps its storage).
NT_API int32_t nt_data_ptr(nt_tensor t, void** data, int64_t* byte_size) {
  NT_GUARD({
    if (!t->device().is_cpu()) throw std::invalid_argument("raw data access needs a CPU tensor, got " + t->device().str());
    if (!t->is_contiguous()) throw std::invalid_argument("raw data access needs a contiguous tensor");
    *data = t->numel() == 0 ? nullptr : t->data_ptr();
    *byte_size = t->numel() * static_cast<int64_t>(t->element_size());
  })
}

// An uninitialised contiguous CPU tensor (filled by the caller through nt_data_ptr).
NT_API int32_t nt_empty(const int64_t* shape, int32_t ndim, int32_t dtype, nt_tensor* out) {
  NT_GUARD(*out = nt::wrap(at::empty(nt::dims(shape, ndim), at::TensorOptions().dtype(nt::to_scalar_type(dtype)))))
}
