#!/usr/bin/python3
"""Independent BCNN evaluation network (methods.md part 1 §4.3, BNAS-v2 `model_b.py`) as nn.Modules, written from the spec:
the oracle for the broad evaluation network's parameter count (and, with a manifest, its forward).

D deep cells (`layers`) with P reductions at r_k = (k+1)*floor(D/P) - 1; every deep cell, normal or reduction, takes the genotype's
`normal` list (the convolution-cell genotype), a reduction cell with stride 2 on its input edges. GAP tap: after deep cell i when
cell i+1 reduces, an affine ReLU-conv1x1-BN of its output (4c -> c); every earlier GAP tap passes through one more affine
FactorizedReduce(c -> c). Enhancement tap: after each reduction cell, ReLU-conv1x1-BN of its output (4c -> c; the last keeps 4c),
earlier enhancement taps halved the same way; after the last reduction every GAP tap is halved once more. E enhancement cells
(stride 1, per-node c of the last block, the genotype's `reduce` list): cell 0 reads (e_0, e_1), later cells the usual (s0, s1)
shifted as in DARTS (so cell 1 reads the last deep cell and enhancement cell 0). Output tap of enhancement cell j: ReLU-conv1x1-BN
4c -> c, the last 4c -> 4c. Classifier: channel concat of the GAP taps and the output taps, global average pool, Linear.
No auxiliary head (§4.3).

Usage:
  bcnn_eval.py count C IN_CHANNELS SIZE CLASSES LAYERS POOL_TIME EN_LAYERS GENOTYPE_FILE   prints the parameter count
  bcnn_eval.py forward DIR   DIR holds manifest.json ({"config": {channels, classes, layers, pool_time, en_layers, genotype},
                             "tensors": {name: shape}}) and NAME.bin files of float32 little-endian values ("input" is the batch);
                             loads them by this model's state_dict names and writes train_logits.bin (training mode, batch
                             statistics, running statistics updated) then eval_logits.bin (eval mode), float32.
"""
import json, os, sys
import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from darts_eval import OPS, FactorizedReduce, ReLUConvBN, load_checked, parse_genotype  # noqa: E402


class BroadCell(nn.Module):
    """A DARTS cell over an explicit op list: the deep cells use `normal` (stride 2 on input edges when reducing), enhancement cells `reduce`."""

    def __init__(self, pairs, concat, C_prev_prev, C_prev, C, reduction, reduction_prev):
        super().__init__()
        self.preprocess0 = FactorizedReduce(C_prev_prev, C) if reduction_prev else ReLUConvBN(C_prev_prev, C, 1, 1, 0)
        self.preprocess1 = ReLUConvBN(C_prev, C, 1, 1, 0)
        names, self._indices = zip(*pairs)
        self._steps = len(names) // 2
        self._concat = concat
        self.multiplier = len(concat)
        self._ops = nn.ModuleList([OPS[n](C, 2 if reduction and i < 2 else 1) for n, i in zip(names, self._indices)])

    def forward(self, s0, s1):
        states = [self.preprocess0(s0), self.preprocess1(s1)]
        for i in range(self._steps):
            states.append(self._ops[2 * i](states[self._indices[2 * i]]) + self._ops[2 * i + 1](states[self._indices[2 * i + 1]]))
        return torch.cat([states[i] for i in self._concat], dim=1)


class Tap(nn.Module):
    """A tap: ReLU-conv1x1-BN, then as many FactorizedReduce(c -> c) as later taps of its kind were added."""

    def __init__(self, C_in, C_out):
        super().__init__()
        self.conv = ReLUConvBN(C_in, C_out, 1, 1, 0)
        self.channels = C_out
        self.reduces = nn.ModuleList()

    def halve(self):
        self.reduces.append(FactorizedReduce(self.channels, self.channels))

    def forward(self, x):
        x = self.conv(x)
        for r in self.reduces:
            x = r(x)
        return x


class NetworkBCNN(nn.Module):
    def __init__(self, C, in_channels, num_classes, layers, pool_time, en_layers, genotype, stem_multiplier=3):
        super().__init__()
        reductions = [(k + 1) * (layers // pool_time) - 1 for k in range(pool_time)]
        self._reductions = reductions
        C_stem = stem_multiplier * C
        self.stem = nn.Sequential(nn.Conv2d(in_channels, C_stem, 3, padding=1, bias=False), nn.BatchNorm2d(C_stem))
        self.deep = nn.ModuleList()
        self.gap = nn.ModuleList()
        self.en = nn.ModuleList()
        C_pp, C_p, c, reduction_prev = C_stem, C_stem, C, False
        self._gap_after, self._en_after = [], []
        for i in range(layers):
            reduction = i in reductions
            if reduction:
                c *= 2
            cell = BroadCell(genotype.normal, genotype.normal_concat, C_pp, C_p, c, reduction, reduction_prev)
            self.deep.append(cell)
            C_pp, C_p, reduction_prev = C_p, cell.multiplier * c, reduction
            if i + 1 in reductions:
                for t in self.gap:
                    t.halve()
                self.gap.append(Tap(C_p, c))
                self._gap_after.append(i)
            if reduction:
                last = i == reductions[-1]
                for t in self.en:
                    t.halve()
                self.en.append(Tap(C_p, C_p if last else c))
                self._en_after.append(i)
                if last:
                    for t in self.gap:
                        t.halve()
        self.enhance = nn.ModuleList()
        self.out = nn.ModuleList()
        ins = (self.en[0].channels, self.en[1].channels)
        for j in range(en_layers):
            in0, in1 = ins if j == 0 else (C_pp, C_p)
            cell = BroadCell(genotype.reduce, genotype.reduce_concat, in0, in1, c, False, False)
            self.enhance.append(cell)
            C_pp, C_p = C_p, cell.multiplier * c
            self.out.append(Tap(C_p, C_p if j == en_layers - 1 else c))
        width = sum(t.channels for t in self.gap) + sum(t.channels for t in self.out)
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(width, num_classes)

    def forward(self, x):
        s0 = s1 = self.stem(x)
        gaps, ens = [], []
        for i, cell in enumerate(self.deep):
            s0, s1 = s1, cell(s0, s1)
            if i in self._gap_after:
                gaps.append((len(gaps), s1))
            if i in self._en_after:
                ens.append((len(ens), s1))
        g = [self.gap[k](v) for k, v in gaps]
        e = [self.en[k](v) for k, v in ens]
        outs = []
        for j, cell in enumerate(self.enhance):
            a, b = (e[0], e[1]) if j == 0 else (s0, s1)
            s0, s1 = s1, cell(a, b)
            outs.append(self.out[j](s1))
        pooled = self.global_pooling(torch.cat(g + outs, dim=1))
        return self.classifier(pooled.view(pooled.size(0), -1))


def forward(d):
    man = json.load(open(f"{d}/manifest.json"))
    cfg = man["config"]
    T = {n: torch.from_numpy(np.fromfile(f"{d}/{n}.bin", dtype="<f4").reshape(s)) for n, s in man["tensors"].items()}
    x = T.pop("input")
    model = NetworkBCNN(cfg["channels"], x.shape[1], cfg["classes"], cfg["layers"], cfg["pool_time"], cfg["en_layers"],
                        parse_genotype(cfg["genotype"]))
    load_checked(model, T)
    model.train()
    model(x).detach().numpy().astype("<f4").tofile(f"{d}/train_logits.bin")
    model.eval()
    with torch.no_grad():
        model(x).numpy().astype("<f4").tofile(f"{d}/eval_logits.bin")


def main(argv):
    if len(argv) == 3 and argv[1] == "forward":
        forward(argv[2])
        return
    if len(argv) == 10 and argv[1] == "count":
        C, in_ch, size, classes, layers, pool, en = (int(v) for v in argv[2:9])
        genotype = parse_genotype(open(argv[9]).read())
        net = NetworkBCNN(C, in_ch, classes, layers, pool, en, genotype)
        with torch.no_grad():  # the forward proves the wiring: every tap ends at the classifier's resolution
            net.eval()(torch.zeros(1, in_ch, size, size))
        print(sum(p.numel() for p in net.parameters()))
        return
    sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
