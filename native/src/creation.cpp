// Creation: constant and range tensors, *_like, seeded random tensors, scalar reads, dtype casts.
#include "nt.h"

namespace {
at::TensorOptions options(int32_t dtype, int32_t device) {
  return at::TensorOptions().dtype(nt::to_scalar_type(dtype)).device(nt::to_device(device));
}
}  // namespace

NT_API int32_t nt_full(const int64_t* shape, int32_t ndim, double value, int32_t dtype, int32_t device, nt_tensor* out) {
  NT_GUARD(*out = nt::wrap(at::full(nt::dims(shape, ndim), value, options(dtype, device))))
}

NT_API int32_t nt_arange(double start, double end, double step, int32_t dtype, int32_t device, nt_tensor* out) {
  NT_GUARD(*out = nt::wrap(at::arange(start, end, step, options(dtype, device))))
}

// kind: 0 zeros, 1 ones, 2 empty (uninitialised); same shape, dtype and device as t.
NT_API int32_t nt_like(nt_tensor t, int32_t kind, nt_tensor* out) {
  NT_GUARD({
    switch (kind) {
      case 0: *out = nt::wrap(at::zeros_like(*t)); break;
      case 1: *out = nt::wrap(at::ones_like(*t)); break;
      case 2: *out = nt::wrap(at::empty_like(*t)); break;
      default: throw std::invalid_argument("unknown like kind " + std::to_string(kind));
    }
  })
}

// kind: 0 randn (standard normal), 1 rand (uniform [0, 1)).
NT_API int32_t nt_random(const int64_t* shape, int32_t ndim, int32_t kind, int32_t dtype, nt_generator g, nt_tensor* out) {
  NT_GUARD({
    auto opts = options(dtype, -1);
    auto& gen = nt::gen(g);
    if (kind == 0) *out = nt::wrap(at::randn(nt::dims(shape, ndim), gen, opts));
    else if (kind == 1) *out = nt::wrap(at::rand(nt::dims(shape, ndim), gen, opts));
    else throw std::invalid_argument("unknown random kind " + std::to_string(kind));
  })
}

NT_API int32_t nt_randint(int64_t low, int64_t high, const int64_t* shape, int32_t ndim, nt_generator g, nt_tensor* out) {
  NT_GUARD(*out = nt::wrap(at::randint(low, high, nt::dims(shape, ndim), nt::gen(g), at::TensorOptions().dtype(at::kLong))))
}

NT_API int32_t nt_randperm(int64_t n, nt_generator g, nt_tensor* out) {
  NT_GUARD(*out = nt::wrap(at::randperm(n, nt::gen(g), at::TensorOptions().dtype(at::kLong))))
}

// Each element is 1 with probability p (a draw per element from g), else 0.
NT_API int32_t nt_bernoulli_p(const int64_t* shape, int32_t ndim, double p, int32_t dtype, nt_generator g, nt_tensor* out) {
  NT_GUARD({
    auto t = at::empty(nt::dims(shape, ndim), options(dtype, -1));
    t.bernoulli_(p, nt::gen(g));
    *out = nt::wrap(std::move(t));
  })
}

// Each element is 1 with the probability held in the same element of probs.
NT_API int32_t nt_bernoulli(nt_tensor probs, nt_generator g, nt_tensor* out) {
  NT_GUARD(*out = nt::wrap(at::bernoulli(*probs, nt::gen(g))))
}

NT_API int32_t nt_item_double(nt_tensor t, double* value) { NT_GUARD(*value = t->item<double>()) }
NT_API int32_t nt_item_long(nt_tensor t, int64_t* value) { NT_GUARD(*value = t->item<int64_t>()) }

NT_API int32_t nt_to_dtype(nt_tensor t, int32_t dtype, nt_tensor* out) {
  NT_GUARD(*out = nt::wrap(t->to(nt::to_scalar_type(dtype))))
}
