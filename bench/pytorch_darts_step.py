#!/usr/bin/python3
"""A DARTS first-order search step in plain PyTorch (NCHW, as the reference code runs it), timed side by side with `nas bench`.

Usage: pytorch_darts_step.py [--layers 5] [--channels 16] [--batch 64] [--input 3x32x32] [--k 1] [--steps 3] [--warmup 1]
                             [--threads 2] [--channels-last]
One step = architecture step (forward, grad of alpha, Adam) + weight step (forward, backward, clip 5, SGD momentum 0.9),
the per-batch work of DARTS's train_search.py (first order). Prints one JSON line like `nas bench --json`.
The model is the oracle's (tests/oracles/darts_supernet.py) with its own random weights; BN without affine in the cells.
"""
import argparse, json
import torch
import torch.nn.functional as F
from pytorch_ops import Net, first_order_step, time_steps

a = argparse.ArgumentParser()
a.add_argument("--layers", type=int, default=5); a.add_argument("--channels", type=int, default=16)
a.add_argument("--batch", type=int, default=64); a.add_argument("--input", default="3x32x32")
a.add_argument("--k", type=int, default=1); a.add_argument("--steps", type=int, default=3)
a.add_argument("--warmup", type=int, default=1); a.add_argument("--threads", type=int, default=2)
a.add_argument("--channels-last", action="store_true")
args = a.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(0)
cin, hw, _ = map(int, args.input.split("x"))
net = Net(args.k)
param, bn, conv, fact_reduce, edge = net.param, net.bn, net.conv, net.fact_reduce, net.edge

alphas = [(torch.randn(14, 8) * 1e-3).requires_grad_() for _ in range(2)]

def forward(x):
    C = args.channels
    s = bn(conv(x, "stem", 3 * C, 3, 1, 1), "stem.bn")
    s0 = s1 = s; red_prev = False; cprev = 3 * C
    for i in range(args.layers):
        red = i in (args.layers // 3, 2 * args.layers // 3)
        if red: C *= 2
        p = f"c{i}"
        p0 = fact_reduce(s0, C, p + ".pre0") if red_prev else bn(conv(F.relu(s0), p + ".pre0", C, 1), p + ".pre0.bn")
        p1 = bn(conv(F.relu(s1), p + ".pre1", C, 1), p + ".pre1.bn")
        w = F.softmax(alphas[1 if red else 0], -1)
        states, row = [p0, p1], 0
        for node in range(4):
            acc = 0
            for j in range(2 + node):
                acc = acc + edge(states[j], 2 if red and j < 2 else 1, w[row], f"{p}.e{row}"); row += 1
            states.append(acc)
        s0, s1 = s1, torch.cat(states[2:], 1); red_prev = red
    f = F.adaptive_avg_pool2d(s1, 1).flatten(1)
    return F.linear(f, param("fc", (10, f.shape[1])), param("fc.b", (10,)))

def batch():
    x = torch.randn(args.batch, cin, hw, hw)
    if args.channels_last: x = x.contiguous(memory_format=torch.channels_last)
    return x, torch.randint(0, 10, (args.batch,))

forward(batch()[0])  # creates the weights
weights = list(net.P.values())
wopt = torch.optim.SGD(weights, lr=0.025, momentum=0.9, weight_decay=3e-4)
aopt = torch.optim.Adam(alphas, lr=3e-4, betas=(0.5, 0.999), weight_decay=1e-3)

step = first_order_step(forward, batch, weights, alphas, wopt, aopt)

if __name__ != "__main__": raise SystemExit  # imported for profiling: model only
print(json.dumps({"impl": "pytorch", "layers": args.layers, "channels": args.channels, "batch": args.batch, "input": args.input,
                  "k": args.k, "threads": args.threads, "channels_last": args.channels_last,
                  **time_steps(step, args.warmup, args.steps)}))
