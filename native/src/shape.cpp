// Shape and layout: views, reshapes, permutations, slicing, joining and splitting, memory format.
#include "nt.h"

namespace {
std::vector<at::Tensor> gather(const nt_tensor* ts, int32_t n) {
  std::vector<at::Tensor> v;
  v.reserve(static_cast<size_t>(n));
  for (int32_t i = 0; i < n; ++i) v.push_back(*ts[i]);
  return v;
}
at::MemoryFormat memory_format(int32_t code) {
  switch (code) {
    case 0: return at::MemoryFormat::Contiguous;
    case 1: return at::MemoryFormat::ChannelsLast;
    default: throw std::invalid_argument("unknown memory format " + std::to_string(code));
  }
}
}  // namespace

NT_API int32_t nt_view(nt_tensor t, const int64_t* shape, int32_t n, nt_tensor* out) { NT_GUARD(*out = nt::wrap(t->view(nt::dims(shape, n)))) }
NT_API int32_t nt_reshape(nt_tensor t, const int64_t* shape, int32_t n, nt_tensor* out) { NT_GUARD(*out = nt::wrap(t->reshape(nt::dims(shape, n)))) }
NT_API int32_t nt_expand(nt_tensor t, const int64_t* shape, int32_t n, nt_tensor* out) { NT_GUARD(*out = nt::wrap(t->expand(nt::dims(shape, n)))) }
NT_API int32_t nt_permute(nt_tensor t, const int64_t* order, int32_t n, nt_tensor* out) { NT_GUARD(*out = nt::wrap(t->permute(nt::dims(order, n)))) }
NT_API int32_t nt_transpose(nt_tensor t, int64_t d0, int64_t d1, nt_tensor* out) { NT_GUARD(*out = nt::wrap(t->transpose(d0, d1))) }
NT_API int32_t nt_flatten(nt_tensor t, int64_t start, int64_t end, nt_tensor* out) { NT_GUARD(*out = nt::wrap(t->flatten(start, end))) }
NT_API int32_t nt_unsqueeze(nt_tensor t, int64_t dim, nt_tensor* out) { NT_GUARD(*out = nt::wrap(t->unsqueeze(dim))) }

// has_dim = 0 squeezes every size-1 dimension.
NT_API int32_t nt_squeeze(nt_tensor t, int64_t dim, int32_t has_dim, nt_tensor* out) {
  NT_GUARD(*out = nt::wrap(has_dim ? t->squeeze(dim) : t->squeeze()))
}

// format: 0 row-major contiguous, 1 channels-last (NHWC strides).
NT_API int32_t nt_contiguous(nt_tensor t, int32_t format, nt_tensor* out) { NT_GUARD(*out = nt::wrap(t->contiguous(memory_format(format)))) }
NT_API int32_t nt_is_contiguous(nt_tensor t, int32_t format, int32_t* yes) { NT_GUARD(*yes = t->is_contiguous(memory_format(format)) ? 1 : 0) }

NT_API int32_t nt_narrow(nt_tensor t, int64_t dim, int64_t start, int64_t length, nt_tensor* out) { NT_GUARD(*out = nt::wrap(t->narrow(dim, start, length))) }
NT_API int32_t nt_select(nt_tensor t, int64_t dim, int64_t index, nt_tensor* out) { NT_GUARD(*out = nt::wrap(t->select(dim, index))) }
NT_API int32_t nt_slice(nt_tensor t, int64_t dim, int64_t start, int64_t end, int64_t step, nt_tensor* out) { NT_GUARD(*out = nt::wrap(t->slice(dim, start, end, step))) }
NT_API int32_t nt_index_select(nt_tensor t, int64_t dim, nt_tensor index, nt_tensor* out) { NT_GUARD(*out = nt::wrap(t->index_select(dim, *index))) }

NT_API int32_t nt_cat(const nt_tensor* ts, int32_t n, int64_t dim, nt_tensor* out) { NT_GUARD(*out = nt::wrap(at::cat(gather(ts, n), dim))) }
NT_API int32_t nt_stack(const nt_tensor* ts, int32_t n, int64_t dim, nt_tensor* out) { NT_GUARD(*out = nt::wrap(at::stack(gather(ts, n), dim))) }

// Views of the given sizes along dim (their backward is one cat, where narrow's is a zero fill and a copy per view).
NT_API int32_t nt_split_with_sizes(nt_tensor t, const int64_t* sizes, int32_t n, int64_t dim, nt_tensor* out) {
  NT_GUARD({
    auto parts = t->split_with_sizes(nt::dims(sizes, n), dim);
    for (size_t i = 0; i < parts.size(); ++i) out[i] = nt::wrap(std::move(parts[i]));
  })
}

// Writes up to capacity handles into out; count says how many chunks libtorch made (it may be fewer than asked).
NT_API int32_t nt_chunk(nt_tensor t, int64_t chunks, int64_t dim, nt_tensor* out, int32_t capacity, int32_t* count) {
  NT_GUARD({
    auto parts = t->chunk(chunks, dim);
    if (static_cast<int64_t>(parts.size()) > capacity) throw std::invalid_argument("chunk output buffer too small");
    for (size_t i = 0; i < parts.size(); ++i) out[i] = nt::wrap(std::move(parts[i]));
    *count = static_cast<int32_t>(parts.size());
  })
}
