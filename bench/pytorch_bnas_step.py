#!/usr/bin/python3
"""A BNAS-v2-PC first-order search step in plain PyTorch (NCHW, as the reference code runs it), timed side by side with `nas bench`.

Usage: pytorch_bnas_step.py [--channels 16] [--batch 64] [--input 3x32x32] [--k 4] [--conv-blocks 2] [--enhancement-cells 1]
                            [--classes 10] [--steps 3] [--warmup 1] [--threads 2] [--params-only]
The network is the broad (BCNN) search supernet (methods.md §4.2) exactly as BroadSearchLayout.Steps() and BroadForward build it:
stem (3x3 conv + affine BN); per convolution block a gap tap (ReLU-Conv1x1-affine BN) on the block input, the earlier gap taps
halved (affine FactorizedReduce; after the last block every gap tap once more), one reduction cell (alpha_normal, beta_normal),
an enhancement tap on its output with the earlier ones halved; enhancement cells (stride 1, alpha_reduce, beta_reduce), the first
reading enhancement taps e_0 and e_1, each with an output tap; classifier = cat(gap taps, output taps), global average pool, Linear.
Cells are DARTS cells with partial-channel edges (first C/K channels through the mixed op, the rest bypass, channel shuffle) and
edge normalisation (softmax of beta over each node's incoming edges multiplies the edge outputs); BN without affine in the cells.
One step = architecture step (forward, grad of alpha/beta, Adam) + weight step (forward, backward, clip 5, SGD momentum 0.9),
as `nas bench --method bnas-v2-pc` times it. Prints one JSON line like `nas bench --json` (plus "params": trainable parameters,
alpha/beta excluded); --params-only prints just that count (289,242 for the defaults, 1,224,762 with --k 1).
Run with OMP_WAIT_POLICY=passive in the environment to compare with ./nas, which sets it (docs/performance.md).
"""
import argparse, json
import torch
import torch.nn.functional as F
from pytorch_ops import OPS, Net, first_order_step, time_steps
NODES, MULTIPLIER, STEM_MULTIPLIER = 4, 4, 3

a = argparse.ArgumentParser()
a.add_argument("--channels", type=int, default=16); a.add_argument("--batch", type=int, default=64)
a.add_argument("--input", default="3x32x32"); a.add_argument("--k", type=int, default=4)
a.add_argument("--conv-blocks", type=int, default=2); a.add_argument("--enhancement-cells", type=int, default=1)
a.add_argument("--classes", type=int, default=10); a.add_argument("--steps", type=int, default=3)
a.add_argument("--warmup", type=int, default=1); a.add_argument("--threads", type=int, default=2)
a.add_argument("--params-only", action="store_true")
args = a.parse_args()
cin, hw, wd = map(int, args.input.split("x"))
if hw != wd: raise SystemExit(f"--input {args.input}: images must be square")
if args.conv_blocks < 2: raise SystemExit(f"--conv-blocks must be at least 2 (enhancement cell 0 reads taps e_0 and e_1), got {args.conv_blocks}")
if args.enhancement_cells < 1: raise SystemExit(f"--enhancement-cells must be at least 1, got {args.enhancement_cells}")
if args.k < 1 or (2 * args.channels) % args.k or (args.k > 1 and (2 * args.channels // args.k) % 2):
    raise SystemExit(f"--k {args.k} must divide 2*channels = {2 * args.channels} into an even count")
torch.set_num_threads(args.threads)
torch.manual_seed(0)
net = Net(args.k)
param, bn, conv, relu_conv_bn, fact_reduce, edge = net.param, net.bn, net.conv, net.relu_conv_bn, net.fact_reduce, net.edge

# ---- the program: BroadSearchLayout.Steps() ------------------------------------------------------------------------------------
# Each step is (kind, channels, size, extra); its id is its index, inputs are earlier ids.
program = []

def add(kind, channels, size, **extra):
    program.append((kind, channels, size, extra)); return len(program) - 1

def tap(x, channels):  # StepList.Tap: ReLU-Conv1x1-BN at the input's resolution
    return add("tap", channels, program[x][2], input=x)

def reduce_taps(taps, count):  # StepList.ReduceTaps: halve taps 0..count-1, replacing their values
    for i in range(count):
        taps[i] = add("tap_reduce", program[taps[i]][1], program[taps[i]][2] // 2, input=taps[i])

def build():
    C = args.channels
    stem = add("stem", STEM_MULTIPLIER * C, hw)
    s0 = s1 = stem; c = C; red_prev = False; gap, en = [], []
    for block in range(args.conv_blocks):
        gap.append(tap(s1, C if block == 0 else c))
        reduce_taps(gap, len(gap) - 1)
        if block == args.conv_blocks - 1: reduce_taps(gap, len(gap))
        c *= 2
        cell = add("cell", MULTIPLIER * c, program[s1][2] // 2, in0=s0, in1=s1, c=c, reduction=True, reduction_prev=red_prev, normal=True)
        s0, s1, red_prev = s1, cell, True
        en.append(tap(s1, MULTIPLIER * c if block == args.conv_blocks - 1 else c))
        reduce_taps(en, len(en) - 1)
    outputs = []
    for j in range(args.enhancement_cells):  # BroadSearchLayout.EnhancementBlock
        in0, in1 = (en[0], en[1]) if j == 0 else (s0, s1)
        if program[in0][2] != program[in1][2]: raise SystemExit(f"enhancement cell {j}: inputs of sizes {program[in0][2]} and {program[in1][2]}")
        cell = add("cell", MULTIPLIER * c, program[in1][2], in0=in0, in1=in1, c=c, reduction=False, reduction_prev=False, normal=False)
        s0, s1 = s1, cell
        outputs.append(tap(s1, MULTIPLIER * c if j == args.enhancement_cells - 1 else c))
    inputs = gap + outputs
    if len({program[i][2] for i in inputs}) != 1: raise SystemExit(f"classifier inputs of sizes {[program[i][2] for i in inputs]}")
    add("classifier", args.classes, 1, inputs=inputs)

build()

# ---- cells (ops and edges: pytorch_ops.Net) ----------------------------------------------------------------------------------
def cell(s0, s1, st, w, b, p):
    """SupernetForward.Cell with edge weights b (softmax of beta per node) multiplying each edge's output."""
    C = st["c"]
    p0 = fact_reduce(s0, C, p + ".pre0") if st["reduction_prev"] else relu_conv_bn(s0, C, p + ".pre0")
    p1 = relu_conv_bn(s1, C, p + ".pre1")
    states, row = [p0, p1], 0
    for node in range(NODES):
        acc = 0
        for j in range(2 + node):
            acc = acc + b[row] * edge(states[j], 2 if st["reduction"] and j < 2 else 1, w[row], f"{p}.e{row}"); row += 1
        states.append(acc)
    return torch.cat(states[2:], 1)

# alpha [14, 8] over ops incl. none, beta [14] over edges; index 0 = normal (convolution cells), 1 = reduce (enhancement cells).
EDGES = sum(2 + n for n in range(NODES))
alphas = [(torch.randn(EDGES, len(OPS) + 1) * 1e-3).requires_grad_() for _ in range(2)]
betas = [(torch.randn(EDGES) * 1e-3).requires_grad_() for _ in range(2)]
arch = alphas + betas

def edge_softmax(beta):
    groups, start = [], 0
    for node in range(NODES):
        groups.append(F.softmax(beta[start: start + 2 + node], 0)); start += 2 + node
    return torch.cat(groups)

def forward(x):
    """BroadForward.Logits (reference path): the program run step by step."""
    w = [F.softmax(al, -1) for al in alphas]
    b = [edge_softmax(be) for be in betas]
    values = []
    for i, (kind, channels, _, st) in enumerate(program):
        p = f"s{i}"
        if kind == "stem": v = bn(conv(x, p, channels, 3, 1, 1), p + ".bn", affine=True)
        elif kind == "tap": v = relu_conv_bn(values[st["input"]], channels, p, affine=True)
        elif kind == "tap_reduce": v = fact_reduce(values[st["input"]], channels, p, affine=True)
        elif kind == "cell":
            t = 0 if st["normal"] else 1
            v = cell(values[st["in0"]], values[st["in1"]], st, w[t], b[t], p)
        else:
            f = F.adaptive_avg_pool2d(torch.cat([values[j] for j in st["inputs"]], 1), 1).flatten(1)
            v = F.linear(f, param("fc", (channels, f.shape[1])), param("fc.b", (channels,)))
        if kind != "classifier" and (v.shape[1] != channels or v.shape[2] != program[i][2]):
            raise RuntimeError(f"step {i} ({kind}) gave {tuple(v.shape)}, the program says {channels}ch {program[i][2]}x{program[i][2]}")
        values.append(v)
    return values[-1]

def batch(n=args.batch):
    return torch.randn(n, cin, hw, hw), torch.randint(0, args.classes, (n,))

with torch.no_grad():
    forward(batch(2)[0])  # creates the weights
weights = list(net.P.values())
n_params = sum(t.numel() for t in weights)
if args.params_only:
    print(n_params); raise SystemExit
# bnas-v2-pc preset: SGD lr 0.2, momentum 0.9, wd 3e-4; Adam lr 6e-4, betas (0.5, 0.999), wd 1e-3 (values do not change the time).
wopt = torch.optim.SGD(weights, lr=0.2, momentum=0.9, weight_decay=3e-4)
aopt = torch.optim.Adam(arch, lr=6e-4, betas=(0.5, 0.999), weight_decay=1e-3)

step = first_order_step(forward, batch, weights, arch, wopt, aopt)

if __name__ != "__main__": raise SystemExit  # imported for profiling: model only
print(json.dumps({"impl": "pytorch", "method": "bnas-v2-pc", "conv_blocks": args.conv_blocks, "enhancement_cells": args.enhancement_cells,
                  "channels": args.channels, "batch": args.batch, "input": args.input, "k": args.k, "threads": args.threads,
                  **time_steps(step, args.warmup, args.steps), "params": n_params}))
