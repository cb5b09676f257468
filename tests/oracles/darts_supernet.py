#!/usr/bin/python3
"""Independent DARTS supernet forward (methods.md part 1 §1.2-1.5, §3.1) in PyTorch, the oracle for SupernetForwardTests.

Usage: darts_supernet.py DIR. DIR holds manifest.json ({"config": {...}, "tensors": {name: shape}}) and NAME.bin files of
float32 little-endian values. Writes logits.bin (float32) next to them.
"""
import json, sys
import numpy as np
import torch
import torch.nn.functional as F

OPS = ["none", "max_pool_3x3", "avg_pool_3x3", "skip_connect", "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5"]

def main(d):
    man = json.load(open(f"{d}/manifest.json"))
    cfg = man["config"]
    T = {n: torch.from_numpy(np.fromfile(f"{d}/{n}.bin", dtype="<f4").reshape(s)) for n, s in man["tensors"].items()}
    layers, k, nodes = cfg["layers"], cfg["partial_k"], 4

    def bn(x, p, affine=False):
        return F.batch_norm(x, T[p + ".mean"].clone(), T[p + ".var"].clone(),
                            T[p + ".weight"] if affine else None, T[p + ".bias"] if affine else None,
                            training=True, momentum=0.1, eps=1e-5)

    def fact_reduce(x, p):
        x = F.relu(x)
        a = F.conv2d(x, T[p + ".conv0"], stride=2)
        b = F.conv2d(x[:, :, 1:, 1:], T[p + ".conv1"], stride=2)
        return bn(torch.cat([a, b], 1), p + ".bn0")

    def op(name, x, stride, p):
        C = x.shape[1]
        if name == "max_pool_3x3":
            return bn(F.max_pool2d(x, 3, stride, 1), p + ".bn0")
        if name == "avg_pool_3x3":
            return bn(F.avg_pool2d(x, 3, stride, 1, count_include_pad=False), p + ".bn0")
        if name == "skip_connect":
            return x if stride == 1 else fact_reduce(x, p)
        if name.startswith("sep_conv"):
            pad = 1 if name.endswith("3x3") else 2
            h = F.conv2d(F.relu(x), T[p + ".conv0"], stride=stride, padding=pad, groups=C)
            h = bn(F.conv2d(h, T[p + ".conv1"]), p + ".bn0")
            h = F.conv2d(F.relu(h), T[p + ".conv2"], stride=1, padding=pad, groups=C)
            return bn(F.conv2d(h, T[p + ".conv3"]), p + ".bn1")
        if name.startswith("dil_conv"):
            pad = 2 if name.endswith("3x3") else 4
            h = F.conv2d(F.relu(x), T[p + ".conv0"], stride=stride, padding=pad, dilation=2, groups=C)
            return bn(F.conv2d(h, T[p + ".conv1"]), p + ".bn0")
        raise ValueError(name)

    def mixed(x, stride, w, p):
        out = 0
        for o, name in enumerate(OPS):
            if name == "none":
                continue
            out = out + w[o] * op(name, x, stride, f"{p}.{name}")
        return out

    def edge(x, stride, w, p):
        if k == 1:
            return mixed(x, stride, w, p)
        C = x.shape[1]
        xa, xb = x[:, : C // k], x[:, C // k :]
        ya = mixed(xa, stride, w, p)
        yb = xb if stride == 1 else F.max_pool2d(xb, 2, 2)
        y = torch.cat([ya, yb], 1)
        n, c, h, wd = y.shape
        return y.view(n, k, c // k, h, wd).transpose(1, 2).contiguous().view(n, c, h, wd)

    x = T["input"]
    probs = {"normal": F.softmax(T["alpha_normal"], -1), "reduce": F.softmax(T["alpha_reduce"], -1)}
    s = bn(F.conv2d(x, T["stem.conv"], padding=1), "stem.bn", affine=True)
    s0 = s1 = s
    red_prev = False
    for i in range(layers):
        red = i in (layers // 3, 2 * layers // 3)
        p = f"cells.{i}"
        p0 = fact_reduce(s0, p + ".pre0") if red_prev else bn(F.conv2d(F.relu(s0), T[p + ".pre0.conv0"]), p + ".pre0.bn0")
        p1 = bn(F.conv2d(F.relu(s1), T[p + ".pre1.conv0"]), p + ".pre1.bn0")
        states = [p0, p1]
        w = probs["reduce" if red else "normal"]
        row = 0
        for node in range(nodes):
            acc = 0
            for j in range(2 + node):
                acc = acc + edge(states[j], 2 if red and j < 2 else 1, w[row], f"{p}.edges.{row}")
                row += 1
            states.append(acc)
        s0, s1 = s1, torch.cat(states[2:], 1)
        red_prev = red
    logits = F.linear(F.adaptive_avg_pool2d(s1, 1).flatten(1), T["classifier.weight"], T["classifier.bias"])
    logits.detach().numpy().astype("<f4").tofile(f"{d}/logits.bin")

if __name__ == "__main__":
    main(sys.argv[1])
