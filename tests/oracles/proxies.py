#!/usr/bin/python3
"""Zero-cost proxies computed in PyTorch from their papers' definitions, the oracle for ZeroCostProxyOracleTests.

The network is NB-201's skeleton as Nas's one-shot supernet runs one path (methods.md §5.2, src/Systems/OneShot/Supernet):
stem 3x3 conv + BN; three stages of cells, a residual block (ReLU-conv3x3/2-BN, ReLU-conv3x3-BN, shortcut 2x2 avg pool +
1x1 conv) before stages 2 and 3; head BN + ReLU, global average pool, linear. Cell node j = sum over the edges i->j (in
the order 01, 02, 12, 03, 13, 23) of the edge's op: none (x*0, NB-201's Zero), skip, 3x3 avg pool (padding not counted),
ReLU-conv1x1-BN, ReLU-conv3x3-BN. It is written here again from that description, not taken from Nas.

Usage: proxies.py DIR. DIR holds manifest.json ({"config": {...}, "tensors": {name: shape}}) and NAME.bin files of
float32 little-endian values named by this model's state_dict keys ("input" is the image batch; config.labels its
labels). Writes DIR/proxies.json: {"naswot", "synflow", "snip", "grad_norm"} as float64 numbers.
"""
import json, os, sys

try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:
    sys.exit(f"the proxies oracle needs numpy and torch under {sys.executable} (Debian: python3-torch): {e}")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from darts_eval import load_checked  # noqa: E402

EDGES = [(0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3)]
NONE, SKIP, CONV1, CONV3, POOL = range(5)


def norm(c, bn, affine):
    return nn.BatchNorm2d(c, affine=affine) if bn else nn.Identity()


class ReLUConvBN(nn.Module):
    def __init__(self, c, k, bn, affine):
        super().__init__()
        self.relu = nn.ReLU(inplace=False)
        self.conv = nn.Conv2d(c, c, k, stride=1, padding=k // 2, bias=False)
        self.bn = norm(c, bn, affine)

    def forward(self, x):
        return self.bn(self.conv(self.relu(x)))


class Cell(nn.Module):
    def __init__(self, c, genome, bn, affine):
        super().__init__()
        self.genome = genome
        self.pool = nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)
        self.edges = nn.ModuleDict({f"e{e}": ReLUConvBN(c, 1 if op == CONV1 else 3, bn, affine)
                                    for e, op in enumerate(genome) if op in (CONV1, CONV3)})

    def forward(self, x):
        nodes = [x]
        for j in range(1, 4):
            total = None
            for e, (i, to) in enumerate(EDGES):
                if to != j:
                    continue
                op, h = self.genome[e], nodes[i]
                y = h.mul(0.0) if op == NONE else h if op == SKIP else self.pool(h) if op == POOL else self.edges[f"e{e}"](h)
                total = y if total is None else total + y
            nodes.append(total)
        return nodes[3]


class Residual(nn.Module):
    def __init__(self, cin, cout, bn, affine):
        super().__init__()
        self.relu_a, self.relu_b = nn.ReLU(inplace=False), nn.ReLU(inplace=False)
        self.conv_a = nn.Conv2d(cin, cout, 3, stride=2, padding=1, bias=False)
        self.bn_a = norm(cout, bn, affine)
        self.conv_b = nn.Conv2d(cout, cout, 3, stride=1, padding=1, bias=False)
        self.bn_b = norm(cout, bn, affine)
        self.down = nn.AvgPool2d(2, stride=2)
        self.short = nn.Conv2d(cin, cout, 1, bias=False)

    def forward(self, x):
        a = self.bn_b(self.conv_b(self.relu_b(self.bn_a(self.conv_a(self.relu_a(x))))))
        return a + self.short(self.down(x))


class Nb201(nn.Module):
    def __init__(self, cfg, bn):
        super().__init__()
        c, n, affine, genome = cfg["channels"], cfg["cells_per_stage"], cfg["affine"], cfg["genome"]
        self.stem = nn.Conv2d(cfg["input_channels"], c, 3, padding=1, bias=False)
        self.stem_bn = norm(c, bn, affine)
        self.res = nn.ModuleList([Residual(c << s, c << (s + 1), bn, affine) for s in range(2)])
        self.cells = nn.ModuleList([Cell(c << s, genome, bn, affine) for s in range(3) for _ in range(n)])
        self.n = n
        self.head_bn = norm(4 * c, bn, affine)
        self.head_relu = nn.ReLU(inplace=False)
        self.fc = nn.Linear(4 * c, cfg["classes"])

    def forward(self, x):
        x = self.stem_bn(self.stem(x))
        for s in range(3):
            if s > 0:
                x = self.res[s - 1](x)
            for i in range(self.n):
                x = self.cells[s * self.n + i](x)
        x = self.head_relu(self.head_bn(x))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


def weights(model):
    """Conv and linear weights: the layers zero-cost-nas / NASLib's get_layer_metric_array sums over."""
    return [m.weight for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]


def naswot(model, x):
    """Mellor et al. 2021: K = sum over ReLUs of c c^T + (1-c)(1-c)^T, c = [input > 0]; log|det K| (slogdet, float64)."""
    n = x.shape[0]
    K = torch.zeros(n, n, dtype=torch.float64)

    def hook(module, inp, out):
        c = (inp[0].reshape(n, -1) > 0).double()
        K.add_(c @ c.t() + (1 - c) @ (1 - c).t())

    hooks = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, nn.ReLU)]
    model.train()
    with torch.no_grad():
        model(x)
    for h in hooks:
        h.remove()
    return torch.linalg.slogdet(K)[1].item()


def synflow(model, shape):
    """Tanaka et al. 2020 as zero-cost-nas computes it: no BN, float64, |w|, all-ones input of one sample, R = sum of
    the output, sum over conv/linear weights of |w * dR/dw|."""
    model.double()
    with torch.no_grad():
        for p in model.state_dict().values():
            p.abs_()
    model.zero_grad()
    R = model(torch.ones([1] + list(shape[1:]), dtype=torch.float64)).sum()
    R.backward()
    return sum((w * w.grad).abs().sum().item() for w in weights(model) if w.grad is not None)


def snip_and_grad_norm(model, x, y):
    """snip (Lee et al. 2019): sum |w * dL/dw|; NASLib grad_norm: sum over layers of ||dL/dW||_2; one backward of the
    mean cross-entropy, BN in training mode."""
    model.train()
    model.zero_grad()
    F.cross_entropy(model(x), y).backward()
    ws = [w for w in weights(model) if w.grad is not None]
    return sum((w * w.grad).abs().sum().item() for w in ws), sum(w.grad.norm().item() for w in ws)


def main(d):
    man = json.load(open(f"{d}/manifest.json"))
    cfg = man["config"]
    T = {n: torch.from_numpy(np.fromfile(f"{d}/{n}.bin", dtype="<f4").reshape(s)) for n, s in man["tensors"].items()}
    x = T.pop("input")
    y = torch.tensor(cfg["labels"], dtype=torch.int64)

    def fresh(bn):
        model = Nb201(cfg, bn)
        if bn:
            load_checked(model, T)
        else:  # BN removed: its tensors are Nas's but have no place here
            state = model.state_dict()
            load_checked(model, {k: v for k, v in T.items() if k in state})
        return model

    result = {"naswot": naswot(fresh(True), x)}
    result["snip"], result["grad_norm"] = snip_and_grad_norm(fresh(True), x, y)
    result["synflow"] = synflow(fresh(False), x.shape)
    json.dump(result, open(f"{d}/proxies.json", "w"))


if __name__ == "__main__":
    main(sys.argv[1])
