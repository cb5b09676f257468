// Autograd: requires_grad, backward, .grad access, detach/clone, grad mode, and torch.autograd.grad.
#include "nt.h"
#include <torch/csrc/autograd/autograd.h>

NT_API int32_t nt_requires_grad(nt_tensor t, int32_t* yes) { NT_GUARD(*yes = t->requires_grad() ? 1 : 0) }
NT_API int32_t nt_set_requires_grad(nt_tensor t, int32_t on) { NT_GUARD(t->requires_grad_(on != 0)) }
NT_API int32_t nt_is_leaf(nt_tensor t, int32_t* yes) { NT_GUARD(*yes = t->is_leaf() ? 1 : 0) }

// gradient may be null when t is a scalar.
NT_API int32_t nt_backward(nt_tensor t, nt_tensor gradient, int32_t retain_graph, int32_t create_graph) {
  NT_GUARD(t->backward(gradient ? *gradient : at::Tensor(), retain_graph != 0, create_graph != 0))
}

// A new handle sharing t.grad (in-place ops on it change the gradient), or null when t has none.
NT_API int32_t nt_grad(nt_tensor t, nt_tensor* out) {
  NT_GUARD({
    const auto& g = t->grad();
    *out = g.defined() ? nt::wrap(g) : nullptr;
  })
}

// Replaces t.grad with g (null clears it).
NT_API int32_t nt_set_grad(nt_tensor t, nt_tensor g) { NT_GUARD(t->mutable_grad() = g ? *g : at::Tensor()) }

// set_to_none = 0 zeroes the existing gradient in place (as PyTorch 1.13's zero_grad() default);
// set_to_none = 1 drops it, so the next backward allocates a fresh one.
NT_API int32_t nt_zero_grad(nt_tensor t, int32_t set_to_none) {
  NT_GUARD({
    auto& g = t->mutable_grad();
    if (!g.defined()) return nt::Ok;
    if (set_to_none) {
      g.reset();
    } else {
      if (g.grad_fn()) g = g.detach();
      else g.requires_grad_(false);
      g.zero_();
    }
  })
}

NT_API int32_t nt_detach(nt_tensor t, nt_tensor* out) { NT_GUARD(*out = nt::wrap(t->detach())) }
NT_API int32_t nt_clone(nt_tensor t, nt_tensor* out) { NT_GUARD(*out = nt::wrap(t->clone())) }

// Grad mode is thread-local in libtorch. Sets it and reports the previous value so a scope can restore it.
NT_API int32_t nt_set_grad_enabled(int32_t enabled, int32_t* previous) {
  NT_GUARD({
    *previous = at::GradMode::is_enabled() ? 1 : 0;
    at::GradMode::set_enabled(enabled != 0);
  })
}
NT_API int32_t nt_is_grad_enabled(int32_t* enabled) { NT_GUARD(*enabled = at::GradMode::is_enabled() ? 1 : 0) }

// torch.autograd.grad: gradients of outputs w.r.t. inputs, written to results[0..n_inputs) (null where
// an input is unused and allow_unused is set). grad_outputs may be null, or hold null entries, for scalar outputs.
NT_API int32_t nt_autograd_grad(const nt_tensor* outputs, int32_t n_outputs, const nt_tensor* grad_outputs,
                                const nt_tensor* inputs, int32_t n_inputs, int32_t retain_graph, int32_t create_graph,
                                int32_t allow_unused, nt_tensor* results) {
  NT_GUARD({
    torch::autograd::variable_list outs, grads, ins;
    outs.reserve(n_outputs);
    ins.reserve(n_inputs);
    for (int32_t i = 0; i < n_outputs; ++i) outs.push_back(*outputs[i]);
    if (grad_outputs)
      for (int32_t i = 0; i < n_outputs; ++i) grads.push_back(grad_outputs[i] ? *grad_outputs[i] : at::Tensor());
    for (int32_t i = 0; i < n_inputs; ++i) ins.push_back(*inputs[i]);
    auto r = torch::autograd::grad(outs, ins, grads, retain_graph != 0, create_graph != 0, allow_unused != 0);
    for (int32_t i = 0; i < n_inputs; ++i) results[i] = r[i].defined() ? nt::wrap(std::move(r[i])) : nullptr;
  })
}
