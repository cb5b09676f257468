// Element-wise math, comparisons, in-place updates and reductions. Op codes are shared with Nas.Torch (Native.Ops.cs).
#include "nt.h"

namespace {
at::Tensor unary(const at::Tensor& a, int32_t op) {
  switch (op) {
    case 0: return at::neg(a);
    case 1: return at::exp(a);
    case 2: return at::log(a);
    case 3: return at::sqrt(a);
    case 4: return at::abs(a);
    case 5: return at::sigmoid(a);
    case 6: return at::tanh(a);
    case 7: return at::relu(a);
    case 8: return at::square(a);
    case 9: return at::reciprocal(a);
    case 10: return at::sign(a);
    case 11: return at::logical_not(a);
    default: throw std::invalid_argument("unknown unary op " + std::to_string(op));
  }
}

at::Tensor binary(const at::Tensor& a, const at::Tensor& b, int32_t op) {
  switch (op) {
    case 0: return at::add(a, b);
    case 1: return at::sub(a, b);
    case 2: return at::mul(a, b);
    case 3: return at::div(a, b);
    case 4: return at::pow(a, b);
    case 5: return at::gt(a, b);
    case 6: return at::lt(a, b);
    case 7: return at::eq(a, b);
    case 8: return at::ge(a, b);
    case 9: return at::le(a, b);
    case 10: return at::ne(a, b);
    case 11: return at::maximum(a, b);
    case 12: return at::minimum(a, b);
    case 13: return at::matmul(a, b);
    default: throw std::invalid_argument("unknown binary op " + std::to_string(op));
  }
}

// 14 and 15 put the scalar on the left: s - a, s / a.
at::Tensor binary_scalar(const at::Tensor& a, const at::Scalar& s, int32_t op) {
  switch (op) {
    case 0: return at::add(a, s);
    case 1: return at::sub(a, s);
    case 2: return at::mul(a, s);
    case 3: return at::div(a, s);
    case 4: return at::pow(a, s);
    case 5: return at::gt(a, s);
    case 6: return at::lt(a, s);
    case 7: return at::eq(a, s);
    case 8: return at::ge(a, s);
    case 9: return at::le(a, s);
    case 10: return at::ne(a, s);
    case 14: return at::rsub(a, s);
    case 15: return at::mul(at::reciprocal(a), s);
    default: throw std::invalid_argument("unknown scalar op " + std::to_string(op));
  }
}
}  // namespace

NT_API int32_t nt_unary(nt_tensor a, int32_t op, nt_tensor* out) { NT_GUARD(*out = nt::wrap(unary(*a, op))) }
NT_API int32_t nt_binary(nt_tensor a, nt_tensor b, int32_t op, nt_tensor* out) { NT_GUARD(*out = nt::wrap(binary(*a, *b, op))) }
NT_API int32_t nt_binary_scalar(nt_tensor a, double s, int32_t op, nt_tensor* out) { NT_GUARD(*out = nt::wrap(binary_scalar(*a, s, op))) }

NT_API int32_t nt_clamp(nt_tensor a, int32_t has_min, double min, int32_t has_max, double max, nt_tensor* out) {
  NT_GUARD({
    c10::optional<at::Scalar> lo = has_min ? c10::optional<at::Scalar>(min) : c10::nullopt;
    c10::optional<at::Scalar> hi = has_max ? c10::optional<at::Scalar>(max) : c10::nullopt;
    *out = nt::wrap(at::clamp(*a, lo, hi));
  })
}

// hardtanh: clamp to [min, max] with one fused backward node (hardtanh_backward); clamp's backward builds a mask from two
// comparisons and a where, which was a fifth of a fast SPOS step (ReLU6).
NT_API int32_t nt_hardtanh(nt_tensor a, double min, double max, nt_tensor* out) { NT_GUARD(*out = nt::wrap(at::hardtanh(*a, min, max))) }

NT_API int32_t nt_where(nt_tensor cond, nt_tensor a, nt_tensor b, nt_tensor* out) { NT_GUARD(*out = nt::wrap(at::where(*cond, *a, *b))) }

// In place on a, with a tensor: 0 a += alpha*b, 1 a *= b, 2 a /= b, 3 a.copy_(b) (broadcasting, casting).
NT_API int32_t nt_inplace_tensor(nt_tensor a, nt_tensor b, double alpha, int32_t op) {
  NT_GUARD({
    switch (op) {
      case 0: a->add_(*b, alpha); break;
      case 1: a->mul_(*b); break;
      case 2: a->div_(*b); break;
      case 3: a->copy_(*b); break;
      default: throw std::invalid_argument("unknown in-place tensor op " + std::to_string(op));
    }
  })
}

// In place on a, with a scalar: 0 a += s, 1 a *= s, 2 a /= s, 3 fill with s, 4 zero (s unused).
NT_API int32_t nt_inplace_scalar(nt_tensor a, double s, int32_t op) {
  NT_GUARD({
    switch (op) {
      case 0: a->add_(s); break;
      case 1: a->mul_(s); break;
      case 2: a->div_(s); break;
      case 3: a->fill_(s); break;
      case 4: a->zero_(); break;
      default: throw std::invalid_argument("unknown in-place scalar op " + std::to_string(op));
    }
  })
}

// op: 0 sum, 1 mean, 2 amax, 3 amin. ndim = 0 reduces over every element to a 0-d tensor.
NT_API int32_t nt_reduce(nt_tensor a, int32_t op, const int64_t* dims, int32_t ndim, int32_t keepdim, nt_tensor* out) {
  NT_GUARD({
    bool all = ndim == 0;
    auto d = nt::dims(dims, ndim);
    bool k = keepdim != 0;
    switch (op) {
      case 0: *out = nt::wrap(all ? a->sum() : a->sum(d, k)); break;
      case 1: *out = nt::wrap(all ? a->mean() : a->mean(d, k)); break;
      case 2: *out = nt::wrap(all ? a->max() : a->amax(d, k)); break;
      case 3: *out = nt::wrap(all ? a->min() : a->amin(d, k)); break;
      default: throw std::invalid_argument("unknown reduction " + std::to_string(op));
    }
  })
}

// Max (largest = 1) or min along one dimension: values and their int64 indices.
NT_API int32_t nt_max_dim(nt_tensor a, int64_t dim, int32_t keepdim, int32_t largest, nt_tensor* values, nt_tensor* indices) {
  NT_GUARD({
    auto r = largest ? at::max(*a, dim, keepdim != 0) : at::min(*a, dim, keepdim != 0);
    *values = nt::wrap(std::move(std::get<0>(r)));
    *indices = nt::wrap(std::move(std::get<1>(r)));
  })
}

// has_dim = 0: index into the flattened tensor.
NT_API int32_t nt_argmax(nt_tensor a, int64_t dim, int32_t has_dim, int32_t keepdim, nt_tensor* out) {
  NT_GUARD(*out = nt::wrap(has_dim ? at::argmax(*a, dim, keepdim != 0) : at::argmax(*a)))
}

NT_API int32_t nt_topk(nt_tensor a, int64_t k, int64_t dim, int32_t largest, int32_t sorted, nt_tensor* values, nt_tensor* indices) {
  NT_GUARD({
    auto r = at::topk(*a, k, dim, largest != 0, sorted != 0);
    *values = nt::wrap(std::move(std::get<0>(r)));
    *indices = nt::wrap(std::move(std::get<1>(r)));
  })
}

// The p-norm over every element (ndim = 0) or over the given dimensions.
NT_API int32_t nt_norm(nt_tensor a, double p, const int64_t* dims, int32_t ndim, int32_t keepdim, nt_tensor* out) {
  NT_GUARD(*out = nt::wrap(ndim == 0 ? at::norm(*a, at::Scalar(p)) : at::norm(*a, c10::optional<at::Scalar>(p), nt::dims(dims, ndim), keepdim != 0)))
}
