#!/usr/bin/python3
"""Independent DARTS evaluation network (methods.md part 1 §1.7) as nn.Modules shaped like quark0/darts cnn/model.py and
operations.py, the oracle for EvalNetworkForwardTests. The C# side names its tensors by this model's state_dict keys.

Usage: darts_eval.py DIR. DIR holds manifest.json ({"config": {...}, "tensors": {name: shape}}) and NAME.bin files of
float32 little-endian values ("input" is the batch). Writes train_logits.bin, train_aux.bin (when the head exists) and
eval_logits.bin (float32): one training-mode forward (batch statistics, updates running stats), then one eval-mode forward.
"""
import json, sys
from collections import namedtuple
import numpy as np
import torch
import torch.nn as nn

Genotype = namedtuple("Genotype", "normal normal_concat reduce reduce_concat")


class ReLUConvBN(nn.Module):
    def __init__(self, C_in, C_out, kernel_size, stride, padding):
        super().__init__()
        self.op = nn.Sequential(nn.ReLU(inplace=False), nn.Conv2d(C_in, C_out, kernel_size, stride=stride, padding=padding, bias=False), nn.BatchNorm2d(C_out))

    def forward(self, x):
        return self.op(x)


class DilConv(nn.Module):
    def __init__(self, C_in, C_out, kernel_size, stride, padding, dilation):
        super().__init__()
        self.op = nn.Sequential(nn.ReLU(inplace=False),
                                nn.Conv2d(C_in, C_in, kernel_size, stride, padding, dilation=dilation, groups=C_in, bias=False),
                                nn.Conv2d(C_in, C_out, 1, bias=False), nn.BatchNorm2d(C_out))

    def forward(self, x):
        return self.op(x)


class SepConv(nn.Module):
    def __init__(self, C_in, C_out, kernel_size, stride, padding):
        super().__init__()
        self.op = nn.Sequential(nn.ReLU(inplace=False),
                                nn.Conv2d(C_in, C_in, kernel_size, stride, padding, groups=C_in, bias=False),
                                nn.Conv2d(C_in, C_in, 1, bias=False), nn.BatchNorm2d(C_in), nn.ReLU(inplace=False),
                                nn.Conv2d(C_in, C_in, kernel_size, 1, padding, groups=C_in, bias=False),
                                nn.Conv2d(C_in, C_out, 1, bias=False), nn.BatchNorm2d(C_out))

    def forward(self, x):
        return self.op(x)


class Identity(nn.Module):
    def forward(self, x):
        return x


class FactorizedReduce(nn.Module):
    def __init__(self, C_in, C_out):
        super().__init__()
        self.relu = nn.ReLU(inplace=False)
        self.conv_1 = nn.Conv2d(C_in, C_out // 2, 1, stride=2, bias=False)
        self.conv_2 = nn.Conv2d(C_in, C_out // 2, 1, stride=2, bias=False)
        self.bn = nn.BatchNorm2d(C_out)

    def forward(self, x):
        x = self.relu(x)
        return self.bn(torch.cat([self.conv_1(x), self.conv_2(x[:, :, 1:, 1:])], dim=1))


OPS = {
    "avg_pool_3x3": lambda C, stride: nn.AvgPool2d(3, stride=stride, padding=1, count_include_pad=False),
    "max_pool_3x3": lambda C, stride: nn.MaxPool2d(3, stride=stride, padding=1),
    "skip_connect": lambda C, stride: Identity() if stride == 1 else FactorizedReduce(C, C),
    "sep_conv_3x3": lambda C, stride: SepConv(C, C, 3, stride, 1),
    "sep_conv_5x5": lambda C, stride: SepConv(C, C, 5, stride, 2),
    "dil_conv_3x3": lambda C, stride: DilConv(C, C, 3, stride, 2, 2),
    "dil_conv_5x5": lambda C, stride: DilConv(C, C, 5, stride, 4, 2),
}


class Cell(nn.Module):
    def __init__(self, genotype, C_prev_prev, C_prev, C, reduction, reduction_prev):
        super().__init__()
        self.preprocess0 = FactorizedReduce(C_prev_prev, C) if reduction_prev else ReLUConvBN(C_prev_prev, C, 1, 1, 0)
        self.preprocess1 = ReLUConvBN(C_prev, C, 1, 1, 0)
        op_names, indices = zip(*(genotype.reduce if reduction else genotype.normal))
        concat = genotype.reduce_concat if reduction else genotype.normal_concat
        self._steps = len(op_names) // 2
        self._concat = concat
        self.multiplier = len(concat)
        self._ops = nn.ModuleList([OPS[name](C, 2 if reduction and index < 2 else 1) for name, index in zip(op_names, indices)])
        self._indices = indices

    def forward(self, s0, s1):
        states = [self.preprocess0(s0), self.preprocess1(s1)]
        for i in range(self._steps):
            h1 = self._ops[2 * i](states[self._indices[2 * i]])
            h2 = self._ops[2 * i + 1](states[self._indices[2 * i + 1]])
            states.append(h1 + h2)
        return torch.cat([states[i] for i in self._concat], dim=1)


class AuxiliaryHead(nn.Module):
    """DARTS's AuxiliaryHeadCIFAR with pt.darts's stride rule (map - 5); maps of 2..5 pool adaptively to 2x2."""
    def __init__(self, C, map_size, num_classes):
        super().__init__()
        pool = nn.AvgPool2d(5, stride=map_size - 5, padding=0, count_include_pad=False) if map_size > 5 else nn.AdaptiveAvgPool2d(2)
        self.features = nn.Sequential(nn.ReLU(inplace=False), pool, nn.Conv2d(C, 128, 1, bias=False), nn.BatchNorm2d(128), nn.ReLU(inplace=False),
                                      nn.Conv2d(128, 768, 2, bias=False), nn.BatchNorm2d(768), nn.ReLU(inplace=False))
        self.classifier = nn.Linear(768, num_classes)

    def forward(self, x):
        x = self.features(x)
        return self.classifier(x.view(x.size(0), -1))


class NetworkEval(nn.Module):
    def __init__(self, C, in_channels, size, num_classes, layers, auxiliary, genotype):
        super().__init__()
        self._layers = layers
        C_curr = 3 * C
        self.stem = nn.Sequential(nn.Conv2d(in_channels, C_curr, 3, padding=1, bias=False), nn.BatchNorm2d(C_curr))
        C_prev_prev, C_prev, C_curr = C_curr, C_curr, C
        self.cells = nn.ModuleList()
        reduction_prev = False
        for i in range(layers):
            reduction = i in [layers // 3, 2 * layers // 3]
            if reduction:
                C_curr *= 2
                size = (size + 1) // 2
            cell = Cell(genotype, C_prev_prev, C_prev, C_curr, reduction, reduction_prev)
            reduction_prev = reduction
            self.cells.append(cell)
            C_prev_prev, C_prev = C_prev, cell.multiplier * C_curr
            if i == 2 * layers // 3:
                C_aux, aux_size = C_prev, size
        self.auxiliary_head = AuxiliaryHead(C_aux, aux_size, num_classes) if auxiliary else None
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(C_prev, num_classes)

    def forward(self, x):
        logits_aux = None
        s0 = s1 = self.stem(x)
        for i, cell in enumerate(self.cells):
            s0, s1 = s1, cell(s0, s1)
            if i == 2 * self._layers // 3 and self.auxiliary_head is not None and self.training:
                logits_aux = self.auxiliary_head(s1)
        out = self.global_pooling(s1)
        return self.classifier(out.view(out.size(0), -1)), logits_aux


def parse_genotype(text):
    return eval(text, {"Genotype": Genotype, "range": range})


def load_checked(model, T):
    """Loads Nas's tensors T into model by state_dict name; exits naming any missing, unexpected or misshapen tensor."""
    state = model.state_dict()
    missing = [k for k in state if not k.endswith("num_batches_tracked") and k not in T]
    extra = [k for k in T if k not in state]
    if missing or extra:
        sys.exit(f"state_dict mismatch: missing {missing[:5]}, unexpected {extra[:5]}")
    for k, v in T.items():
        if tuple(state[k].shape) != tuple(v.shape):
            sys.exit(f"{k}: shape {tuple(v.shape)} but the model has {tuple(state[k].shape)}")
    model.load_state_dict(T, strict=False)


def main(d):
    man = json.load(open(f"{d}/manifest.json"))
    cfg = man["config"]
    T = {n: torch.from_numpy(np.fromfile(f"{d}/{n}.bin", dtype="<f4").reshape(s)) for n, s in man["tensors"].items()}
    x = T.pop("input")
    model = NetworkEval(cfg["channels"], x.shape[1], x.shape[2], cfg["classes"], cfg["layers"], cfg["auxiliary"], parse_genotype(cfg["genotype"]))
    load_checked(model, T)
    model.train()
    logits, aux = model(x)
    logits.detach().numpy().astype("<f4").tofile(f"{d}/train_logits.bin")
    if aux is not None:
        aux.detach().numpy().astype("<f4").tofile(f"{d}/train_aux.bin")
    model.eval()
    with torch.no_grad():
        logits, _ = model(x)
    logits.numpy().astype("<f4").tofile(f"{d}/eval_logits.bin")


if __name__ == "__main__":
    main(sys.argv[1])
