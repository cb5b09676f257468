#!/usr/bin/python3
"""A DARTS first-order search step in plain PyTorch (NCHW, as the reference code runs it), timed side by side with `nas bench`.

Usage: pytorch_darts_step.py [--layers 5] [--channels 16] [--batch 64] [--input 3x32x32] [--k 1] [--steps 3] [--warmup 1]
                             [--threads 2] [--channels-last]
One step = architecture step (forward, grad of alpha, Adam) + weight step (forward, backward, clip 5, SGD momentum 0.9),
the per-batch work of DARTS's train_search.py (first order). Prints one JSON line like `nas bench --json`.
The model is the oracle's (tests/oracles/darts_supernet.py) with its own random weights; BN without affine in the cells.
"""
import argparse, json, resource, statistics, time
import torch
import torch.nn.functional as F

OPS = ["max_pool_3x3", "avg_pool_3x3", "skip_connect", "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5"]

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
P, stats = {}, {}

def param(name, shape):
    if name not in P:
        P[name] = (torch.randn(shape) * 0.1).requires_grad_()
    return P[name]

def bn(x, name):
    c = x.shape[1]
    if name not in stats:
        stats[name] = (torch.zeros(c), torch.ones(c))
    m, v = stats[name]
    return F.batch_norm(x, m, v, training=True, momentum=0.1, eps=1e-5)

def conv(x, name, cout, k, stride=1, pad=0, dil=1, groups=1):
    return F.conv2d(x, param(name, (cout, x.shape[1] // groups, k, k)), stride=stride, padding=pad, dilation=dil, groups=groups)

def fact_reduce(x, cout, p):
    x = F.relu(x)
    return bn(torch.cat([conv(x, p + ".a", cout // 2, 1, 2), conv(x[:, :, 1:, 1:], p + ".b", cout // 2, 1, 2)], 1), p + ".bn")

def op(name, x, stride, p):
    C = x.shape[1]
    if name == "max_pool_3x3": return bn(F.max_pool2d(x, 3, stride, 1), p)
    if name == "avg_pool_3x3": return bn(F.avg_pool2d(x, 3, stride, 1, count_include_pad=False), p)
    if name == "skip_connect": return x if stride == 1 else fact_reduce(x, C, p)
    if name.startswith("sep"):
        k, pad = (3, 1) if name.endswith("3x3") else (5, 2)
        h = bn(conv(conv(F.relu(x), p + ".0", C, k, stride, pad, 1, C), p + ".1", C, 1), p + ".bn0")
        return bn(conv(conv(F.relu(h), p + ".2", C, k, 1, pad, 1, C), p + ".3", C, 1), p + ".bn1")
    k, pad = (3, 2) if name.endswith("3x3") else (5, 4)
    return bn(conv(conv(F.relu(x), p + ".0", C, k, stride, pad, 2, C), p + ".1", C, 1), p + ".bn0")

def edge(x, stride, w, p):
    C, k = x.shape[1], args.k
    xa, xb = (x, None) if k == 1 else (x[:, : C // k], x[:, C // k:])
    y = sum(w[o + 1] * op(n, xa, stride, f"{p}.{n}") for o, n in enumerate(OPS))
    if k == 1: return y
    y = torch.cat([y, xb if stride == 1 else F.max_pool2d(xb, 2, 2)], 1)
    n, c, h, wd = y.shape
    return y.view(n, k, c // k, h, wd).transpose(1, 2).contiguous().view(n, c, h, wd)

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
weights = list(P.values())
wopt = torch.optim.SGD(weights, lr=0.025, momentum=0.9, weight_decay=3e-4)
aopt = torch.optim.Adam(alphas, lr=3e-4, betas=(0.5, 0.999), weight_decay=1e-3)

def step():
    x, y = batch()
    aopt.zero_grad(); F.cross_entropy(forward(x), y).backward(inputs=alphas); aopt.step()
    x, y = batch()
    wopt.zero_grad(); F.cross_entropy(forward(x), y).backward(inputs=weights)
    torch.nn.utils.clip_grad_norm_(weights, 5); wopt.step()

if __name__ != "__main__": raise SystemExit  # imported for profiling: model only
for _ in range(args.warmup): step()
times = []
for _ in range(args.steps):
    t = time.perf_counter(); step(); times.append(time.perf_counter() - t)
print(json.dumps({"impl": "pytorch", "layers": args.layers, "channels": args.channels, "batch": args.batch, "input": args.input,
                  "k": args.k, "threads": args.threads, "channels_last": args.channels_last, "steps": args.steps,
                  "s_per_step_median": round(statistics.median(times), 4), "s_per_step_min": round(min(times), 4),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))
