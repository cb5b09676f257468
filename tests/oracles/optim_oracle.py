# Oracle for the optimizer tests: runs torch.optim.SGD / torch.optim.Adam / clip_grad_norm_ on the case read
# from stdin (JSON) and prints the resulting tensors (JSON). Run with Debian's /usr/bin/python3 (torch 1.13).
import json
import sys

import torch


def tensor(t):
    return torch.tensor(t["data"], dtype=torch.float32).reshape(t["shape"])


def flat(t):
    return t.detach().reshape(-1).tolist()


def run_optimizer(case):
    params = [tensor(p).requires_grad_(True) for p in case["params"]]
    o = case["options"]
    if case["kind"] == "sgd":
        opt = torch.optim.SGD(params, lr=o["lr"], momentum=o["momentum"], dampening=o["dampening"],
                              weight_decay=o["weight_decay"], nesterov=o["nesterov"])
    else:
        opt = torch.optim.Adam(params, lr=o["lr"], betas=(o["beta1"], o["beta2"]), eps=o["eps"],
                               weight_decay=o["weight_decay"])
    for step_grads in case["grads"]:
        for p, g in zip(params, step_grads):
            p.grad = None if g is None else tensor(g)
        opt.step()
    out = {"params": [flat(p) for p in params]}
    if case["kind"] == "sgd":
        out["momentum_buffers"] = [None if "momentum_buffer" not in opt.state[p] or opt.state[p]["momentum_buffer"] is None
                                   else flat(opt.state[p]["momentum_buffer"]) for p in params]
    else:
        out["exp_avg"] = [flat(opt.state[p]["exp_avg"]) if p in opt.state else None for p in params]
        out["exp_avg_sq"] = [flat(opt.state[p]["exp_avg_sq"]) if p in opt.state else None for p in params]
        out["steps"] = [int(opt.state[p]["step"].item()) if p in opt.state else 0 for p in params]
    return out


def run_clip(case):
    params = []
    for g in case["grads"]:
        p = torch.zeros(g["shape"] if g is not None else [1], requires_grad=True)
        p.grad = None if g is None else tensor(g)
        params.append(p)
    total = torch.nn.utils.clip_grad_norm_(params, case["max_norm"])
    return {"total_norm": float(total), "grads": [None if p.grad is None else flat(p.grad) for p in params]}


def main():
    case = json.load(sys.stdin)
    out = run_clip(case) if case["kind"] == "clip" else run_optimizer(case)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
