// Multi-tensor optimizer steps (SGD, Adam), gradient-norm clipping and device moves: one C call per step
// over every parameter. The op sequences mirror torch 1.13's _single_tensor_sgd / _single_tensor_adam /
// clip_grad_norm_ op for op (same kernels, same scalar types), so results match PyTorch bit for bit on CPU.
#include "nt.h"
#include <cmath>
#include <sstream>
#include <vector>
#include <torch/cuda.h>

namespace {

std::string shape_of(const at::Tensor& t) {
  std::ostringstream s;
  s << t.sizes();
  return s.str();
}

// Throws a message naming the list, index and both shapes when a state tensor does not match its parameter.
void expect_like(const char* fn, const char* list, int32_t i, const at::Tensor& t, const at::Tensor& param) {
  if (!t.defined()) throw std::invalid_argument(std::string(fn) + ": " + list + "[" + std::to_string(i) + "] is null");
  if (!t.sizes().equals(param.sizes()))
    throw std::invalid_argument(std::string(fn) + ": " + list + "[" + std::to_string(i) + "] has shape " + shape_of(t) +
                                " but parameters[" + std::to_string(i) + "] has shape " + shape_of(param));
  if (t.scalar_type() != param.scalar_type())
    throw std::invalid_argument(std::string(fn) + ": " + list + "[" + std::to_string(i) + "] has dtype " +
                                c10::toString(t.scalar_type()) + " but parameters[" + std::to_string(i) + "] has dtype " +
                                c10::toString(param.scalar_type()));
}

void expect_param(const char* fn, nt_tensor* params, int32_t i) {
  if (params[i] == nullptr) throw std::invalid_argument(std::string(fn) + ": parameters[" + std::to_string(i) + "] is null");
}

std::vector<int64_t> all_dims(const at::Tensor& t) {
  std::vector<int64_t> d(static_cast<size_t>(t.dim()));
  for (int64_t i = 0; i < t.dim(); ++i) d[static_cast<size_t>(i)] = i;
  return d;
}

}  // namespace

// torch.optim.SGD.step for n parameters. grads[i] == nullptr skips parameter i entirely (no decay, no
// momentum update), as PyTorch skips a parameter whose .grad is None. first[i] != 0 means parameter i has
// no momentum buffer yet (PyTorch's "buf is None"): the buffer is set to the decayed grad instead of
// being decayed. bufs may be null when momentum == 0. Everything is validated before anything is written.
NT_API int32_t nt_optim_sgd(nt_tensor* params, nt_tensor* grads, nt_tensor* bufs, const uint8_t* first, int32_t n,
                            double lr, double momentum, double dampening, double weight_decay, int32_t nesterov) {
  NT_GUARD({
    const char* fn = "Sgd.Step";
    const bool use_momentum = momentum != 0;
    if (use_momentum && bufs == nullptr) throw std::invalid_argument("Sgd.Step: momentum is set but no momentum buffers were given");
    for (int32_t i = 0; i < n; ++i) {
      expect_param(fn, params, i);
      if (grads[i] == nullptr) continue;
      expect_like(fn, "grads", i, *grads[i], *params[i]);
      if (use_momentum) {
        if (bufs[i] == nullptr) throw std::invalid_argument("Sgd.Step: momentumBuffers[" + std::to_string(i) + "] is null");
        expect_like(fn, "momentumBuffers", i, *bufs[i], *params[i]);
      }
    }
    at::NoGradGuard no_grad;
    for (int32_t i = 0; i < n; ++i) {
      if (grads[i] == nullptr) continue;
      at::Tensor& param = *params[i];
      at::Tensor d_p = grads[i]->detach();
      if (weight_decay != 0) d_p = d_p.add(param, weight_decay);
      if (use_momentum) {
        at::Tensor& buf = *bufs[i];
        if (first[i] != 0)
          buf.copy_(d_p);
        else
          buf.mul_(momentum).add_(d_p, 1 - dampening);
        if (nesterov != 0)
          d_p = d_p.add(buf, momentum);
        else
          d_p = buf;
      }
      param.add_(d_p, -lr);
    }
  })
}

// torch.optim.Adam.step (no amsgrad, no maximize) for n parameters. steps[i] is the 1-based count of the
// step being taken for parameter i (PyTorch's state['step'] after its increment). grads[i] == nullptr skips
// parameter i. Validated before anything is written.
NT_API int32_t nt_optim_adam(nt_tensor* params, nt_tensor* grads, nt_tensor* exp_avgs, nt_tensor* exp_avg_sqs,
                             const int64_t* steps, int32_t n, double lr, double beta1, double beta2, double eps,
                             double weight_decay) {
  NT_GUARD({
    const char* fn = "Adam.Step";
    for (int32_t i = 0; i < n; ++i) {
      expect_param(fn, params, i);
      if (grads[i] == nullptr) continue;
      expect_like(fn, "grads", i, *grads[i], *params[i]);
      if (exp_avgs[i] == nullptr) throw std::invalid_argument("Adam.Step: expAvg[" + std::to_string(i) + "] is null");
      if (exp_avg_sqs[i] == nullptr) throw std::invalid_argument("Adam.Step: expAvgSq[" + std::to_string(i) + "] is null");
      expect_like(fn, "expAvg", i, *exp_avgs[i], *params[i]);
      expect_like(fn, "expAvgSq", i, *exp_avg_sqs[i], *params[i]);
      if (steps[i] < 1) throw std::invalid_argument("Adam.Step: step for parameters[" + std::to_string(i) + "] is " + std::to_string(steps[i]) + "; steps are 1-based");
    }
    at::NoGradGuard no_grad;
    for (int32_t i = 0; i < n; ++i) {
      if (grads[i] == nullptr) continue;
      at::Tensor& param = *params[i];
      at::Tensor grad = grads[i]->detach();
      if (weight_decay != 0) grad = grad.add(param, weight_decay);
      exp_avgs[i]->mul_(beta1).add_(grad, 1 - beta1);
      exp_avg_sqs[i]->mul_(beta2).addcmul_(grad, grad.conj(), 1 - beta2);
      // PyTorch keeps step as a float32 tensor and reads it back with .item(): a double holding an integer.
      const double step = static_cast<double>(static_cast<float>(steps[i]));
      const double bias_correction1 = 1 - std::pow(beta1, step);
      const double bias_correction2 = 1 - std::pow(beta2, step);
      const double step_size = lr / bias_correction1;
      const double bias_correction2_sqrt = std::sqrt(bias_correction2);
      at::Tensor denom = (exp_avg_sqs[i]->sqrt() / bias_correction2_sqrt).add_(eps);
      param.addcdiv_(*exp_avgs[i], denom, -step_size);
    }
  })
}

// torch.nn.utils.clip_grad_norm_ with the L2 norm: the norm over all grads as one vector, every grad scaled
// in place by clamp(max_norm / (total + 1e-6), max=1). Null entries are skipped. *total_norm gets the norm
// before clipping (0 when there are no grads).
NT_API int32_t nt_clip_grad_norm(nt_tensor* grads, int32_t n, double max_norm, double* total_norm) {
  NT_GUARD({
    at::NoGradGuard no_grad;
    std::vector<at::Tensor> gs;
    for (int32_t i = 0; i < n; ++i)
      if (grads[i] != nullptr) gs.push_back(grads[i]->detach());
    if (gs.empty()) {
      *total_norm = 0;
      return nt::Ok;
    }
    const auto device = gs[0].device();
    std::vector<at::Tensor> norms;
    norms.reserve(gs.size());
    for (auto& g : gs) norms.push_back(at::norm(g, 2.0, all_dims(g), false).to(device));
    at::Tensor stacked = at::stack(norms);
    at::Tensor total = at::norm(stacked, 2.0, all_dims(stacked), false);
    // Python's `max_norm / (total + 1e-6)` is Tensor.__rtruediv__, i.e. reciprocal() * max_norm.
    at::Tensor coef = (total + 1e-6).reciprocal() * max_norm;
    at::Tensor clamped = at::clamp(coef, c10::nullopt, 1.0);
    for (auto& g : gs) g.mul_(clamped.to(g.device()));
    *total_norm = total.item<double>();
  })
}

// Allocates n zero tensors shaped, typed and placed like params (optimizer state).
NT_API int32_t nt_optim_zeros_like(nt_tensor* params, int32_t n, nt_tensor* out) {
  NT_GUARD({
    for (int32_t i = 0; i < n; ++i) expect_param("zeros_like", params, i);
    std::vector<at::Tensor> made;
    made.reserve(static_cast<size_t>(n));
    for (int32_t i = 0; i < n; ++i) made.push_back(at::zeros_like(*params[i], at::MemoryFormat::Preserve));
    for (int32_t i = 0; i < n; ++i) out[i] = nt::wrap(std::move(made[static_cast<size_t>(i)]));
  })
}

// Device of a tensor as the shim's code: -1 for the CPU, the index for CUDA.
NT_API int32_t nt_device_of(nt_tensor t, int32_t* code) {
  NT_GUARD({
    const auto d = t->device();
    if (d.is_cpu())
      *code = -1;
    else if (d.is_cuda())
      *code = d.has_index() ? d.index() : 0;
    else
      throw std::invalid_argument(std::string("tensor is on unsupported device ") + d.str());
  })
}

// A tensor on the given device: a copy when it has to move, otherwise a new handle to the same storage.
NT_API int32_t nt_device_move(nt_tensor t, int32_t code, nt_tensor* out) {
  NT_GUARD({
    const auto target = nt::to_device(code);
    if (target.is_cuda()) {
      const auto count = static_cast<int32_t>(torch::cuda::device_count());
      if (count == 0)
        throw std::runtime_error("cannot move a tensor to " + target.str() +
                                 ": CUDA is not available (this libtorch has no CUDA support or no GPU is visible)");
      if (code >= count)
        throw std::runtime_error("cannot move a tensor to " + target.str() + ": only " + std::to_string(count) +
                                 " CUDA device(s) are visible");
    }
    *out = nt::wrap(t->to(target));
  })
}
