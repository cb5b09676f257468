# Oracle for Nas.Torch tests: runs ops in PyTorch and writes inputs and expected outputs as JSON fixtures.
# Run with Debian's python (it has torch 1.13):  /usr/bin/python3 tests/oracles/make_fixtures.py
# Writes tests/Nas.Torch.Tests/Fixtures/ops.json. Float32 values are exact in JSON (Python floats are doubles).
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(20240607)
torch.set_num_threads(1)
cases = {}


def enc(t):
    t = t.detach().contiguous()
    dtype = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64"}[t.dtype]
    return {"dtype": dtype, "shape": list(t.shape), "data": t.flatten().tolist()}


def case(name, inputs, outputs, **params):
    cases[name] = {"inputs": {k: enc(v) for k, v in inputs.items()},
                   "outputs": {k: enc(v) for k, v in outputs.items()},
                   "params": params}


# conv2d: grouped, dilated, strided, with bias; and depthwise without bias.
x = torch.randn(2, 4, 9, 9)
w = torch.randn(6, 2, 3, 3)
b = torch.randn(6)
case("conv2d_grouped_dilated_strided", {"x": x, "w": w, "b": b},
     {"y": F.conv2d(x, w, b, stride=2, padding=2, dilation=2, groups=2)}, stride=2, padding=2, dilation=2, groups=2)
w = torch.randn(4, 1, 5, 5)
case("conv2d_depthwise", {"x": x, "w": w}, {"y": F.conv2d(x, w, None, stride=1, padding=2, dilation=1, groups=4)},
     stride=1, padding=2, dilation=1, groups=4)

# batch_norm: training (output and updated running stats) and eval, affine; training without affine or stats.
x = torch.randn(4, 3, 5, 5) * 2 + 0.5
gamma, beta = torch.randn(3), torch.randn(3)
rm, rv = torch.randn(3), torch.rand(3) + 0.5
rm_t, rv_t = rm.clone(), rv.clone()
y = F.batch_norm(x, rm_t, rv_t, gamma, beta, training=True, momentum=0.1, eps=1e-5)
case("batch_norm_training", {"x": x, "gamma": gamma, "beta": beta, "rm": rm, "rv": rv},
     {"y": y, "rm": rm_t, "rv": rv_t}, momentum=0.1, eps=1e-5)
y = F.batch_norm(x, rm, rv, gamma, beta, training=False, momentum=0.1, eps=1e-5)
case("batch_norm_eval", {"x": x, "gamma": gamma, "beta": beta, "rm": rm, "rv": rv}, {"y": y}, momentum=0.1, eps=1e-5)
y = F.batch_norm(x, None, None, None, None, training=True, momentum=0.1, eps=1e-5)
case("batch_norm_training_plain", {"x": x}, {"y": y}, momentum=0.1, eps=1e-5)

# pooling: DARTS's 3x3 pools with stride 1 and 2; avg both ways of counting the padding.
x = torch.randn(2, 3, 7, 7)
for s in (1, 2):
    case(f"max_pool2d_s{s}", {"x": x}, {"y": F.max_pool2d(x, 3, s, 1)}, kernel=3, stride=s, padding=1)
    for inc in (True, False):
        case(f"avg_pool2d_s{s}_{'incl' if inc else 'excl'}", {"x": x},
             {"y": F.avg_pool2d(x, 3, s, 1, count_include_pad=inc)}, kernel=3, stride=s, padding=1, count_include_pad=inc)
case("adaptive_avg_pool2d", {"x": x}, {"y": F.adaptive_avg_pool2d(x, (1, 1))}, out_h=1, out_w=1)

# softmax / log_softmax over a middle and the last dimension.
x = torch.randn(3, 5, 4) * 3
case("softmax_dim1", {"x": x}, {"y": F.softmax(x, dim=1)}, dim=1)
case("log_softmax_dim_last", {"x": x}, {"y": F.log_softmax(x, dim=-1)}, dim=-1)

# cross_entropy: mean reduction, with and without label smoothing (SPOS uses 0.1).
logits = torch.randn(6, 10) * 2
targets = torch.randint(0, 10, (6,))
case("cross_entropy_mean", {"logits": logits, "targets": targets}, {"loss": F.cross_entropy(logits, targets)}, label_smoothing=0.0)
case("cross_entropy_smoothed", {"logits": logits, "targets": targets},
     {"loss": F.cross_entropy(logits, targets, label_smoothing=0.1)}, label_smoothing=0.1)

# linear with bias.
x, w, b = torch.randn(3, 5), torch.randn(4, 5), torch.randn(4)
case("linear", {"x": x, "w": w, "b": b}, {"y": F.linear(x, w, b)})

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Nas.Torch.Tests", "Fixtures", "ops.json")
with open(out, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, indent=0)
print(f"wrote {len(cases)} cases to {os.path.normpath(out)}")
