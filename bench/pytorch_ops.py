"""The DARTS-space ops, mixed and partial-channel edges in plain PyTorch 1.13 (NCHW, as the papers' code runs them), and the
step timer, shared by pytorch_darts_step.py and pytorch_bnas_step.py (mirrors OpForward.cs / SupernetForward.cs)."""
import resource, statistics, time
import torch
import torch.nn.functional as F

OPS = ["max_pool_3x3", "avg_pool_3x3", "skip_connect", "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5"]


class Net:
    """Weights (P) and BN running statistics created on first use by name; k = partial-channel groups (1 = all channels)."""

    def __init__(self, k):
        self.k, self.P, self.stats = k, {}, {}

    def param(self, name, shape, init=None):
        if name not in self.P:
            self.P[name] = (torch.randn(shape) * 0.1 if init is None else torch.full(shape, float(init))).requires_grad_()
        return self.P[name]

    def bn(self, x, name, affine=False):
        c = x.shape[1]
        if name not in self.stats:
            self.stats[name] = (torch.zeros(c), torch.ones(c))
        m, v = self.stats[name]
        w, b = (self.param(name + ".w", (c,), 1), self.param(name + ".b", (c,), 0)) if affine else (None, None)
        return F.batch_norm(x, m, v, w, b, training=True, momentum=0.1, eps=1e-5)

    def conv(self, x, name, cout, k, stride=1, pad=0, dil=1, groups=1):
        return F.conv2d(x, self.param(name, (cout, x.shape[1] // groups, k, k)), stride=stride, padding=pad, dilation=dil, groups=groups)

    def relu_conv_bn(self, x, cout, p, affine=False):
        return self.bn(self.conv(F.relu(x), p, cout, 1), p + ".bn", affine)

    def fact_reduce(self, x, cout, p, affine=False):
        x = F.relu(x)
        return self.bn(torch.cat([self.conv(x, p + ".a", cout // 2, 1, 2), self.conv(x[:, :, 1:, 1:], p + ".b", cout // 2, 1, 2)], 1),
                       p + ".bn", affine)

    def op(self, name, x, stride, p):
        C, bn, conv = x.shape[1], self.bn, self.conv
        if name == "max_pool_3x3": return bn(F.max_pool2d(x, 3, stride, 1), p)
        if name == "avg_pool_3x3": return bn(F.avg_pool2d(x, 3, stride, 1, count_include_pad=False), p)
        if name == "skip_connect": return x if stride == 1 else self.fact_reduce(x, C, p)
        if name.startswith("sep"):
            k, pad = (3, 1) if name.endswith("3x3") else (5, 2)
            h = bn(conv(conv(F.relu(x), p + ".0", C, k, stride, pad, 1, C), p + ".1", C, 1), p + ".bn0")
            return bn(conv(conv(F.relu(h), p + ".2", C, k, 1, pad, 1, C), p + ".3", C, 1), p + ".bn1")
        k, pad = (3, 2) if name.endswith("3x3") else (5, 4)
        return bn(conv(conv(F.relu(x), p + ".0", C, k, stride, pad, 2, C), p + ".1", C, 1), p + ".bn0")

    def edge(self, x, stride, w, p):
        """SupernetForward.PartialEdge (k > 1) or MixedEdge: `none` (w[0]) contributes exactly zero and is skipped."""
        C, k = x.shape[1], self.k
        xa, xb = (x, None) if k == 1 else (x[:, : C // k], x[:, C // k:])
        y = sum(w[o + 1] * self.op(n, xa, stride, f"{p}.{n}") for o, n in enumerate(OPS))
        if k == 1: return y
        y = torch.cat([y, xb if stride == 1 else F.max_pool2d(xb, 2, 2)], 1)
        n, c, h, wd = y.shape
        return y.view(n, k, c // k, h, wd).transpose(1, 2).contiguous().view(n, c, h, wd)


def first_order_step(forward, batch, weights, arch, wopt, aopt):
    """One first-order bilevel search step, as `nas bench` times it: an architecture step (grad of arch, Adam), then a
    weight step (grad of the weights, clip to 5, SGD), each on its own batch."""
    def step():
        x, y = batch()
        aopt.zero_grad(); F.cross_entropy(forward(x), y).backward(inputs=arch); aopt.step()
        x, y = batch()
        wopt.zero_grad(); F.cross_entropy(forward(x), y).backward(inputs=weights)
        torch.nn.utils.clip_grad_norm_(weights, 5); wopt.step()
    return step

def time_steps(step, warmup, steps):
    """Runs warmup untimed steps, then times steps; the JSON fields every bench script prints."""
    for _ in range(warmup): step()
    times = []
    for _ in range(steps):
        t = time.perf_counter(); step(); times.append(time.perf_counter() - t)
    return {"steps": steps, "s_per_step_median": round(statistics.median(times), 4), "s_per_step_min": round(min(times), 4),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
