// The reference kernel set: plain libtorch calls in NCHW, each op as DARTS's PyTorch code writes it; the oracle the fast set is tested against.
using Nas.Components;
using Nas.Systems.Spaces.Darts;
using Nas.Systems.Spaces.Eval;
using Nas.Torch;

namespace Nas.Systems.Spaces.Forward;

/// <summary>
/// Nothing is shared or fused: every reader computes its own ReLU, split and pooling, every op closes with its own
/// BatchNorm, and sums are a mul and an add per term. The interpreter's programs over this set are checked against PyTorch
/// (tests/oracles/darts_supernet.py, darts_eval.py).
/// </summary>
public sealed class ReferenceKernels(TensorScope scope) : IKernels
{
    public bool SkipsZeroWeights => false;

    public bool Fuses(BatchNormTensors bn, bool training) => false;

    public CellMix Mix(CellWeights weights) => CellMix.Of(weights, scope, values: false);

    public Tensor Input(Tensor x) => x;

    public Tensor Stem(Tensor x, Tensor conv, BatchNormTensors bn, bool training) =>
        OpForward.Bn(scope.Own(x.Conv2d(conv, null, 1, 1)), bn, training, scope);

    public Tensor Relu(Tensor x) => scope.Own(x.Relu());

    public Tensor Relu6(Tensor x) => scope.Own(x.Clamp(0, 6));

    public Tensor Lead(Tensor t, int dim, long n) => Slice(t, dim, n, scope);

    /// <summary>The first n entries along dim, as a view owned by <paramref name="scope"/>; t itself when whole.</summary>
    public static Tensor Slice(Tensor t, int dim, long n, TensorScope scope) => t.Size(dim) == n ? t : scope.Own(t.Narrow(dim, 0, n));

    public Tensor Conv(Tensor x, Tensor w, int stride, int pad, int dilation, int groups) =>
        scope.Own(x.Conv2d(w, null, stride, pad, dilation, groups));

    public Tensor Bn(Tensor x, BatchNormTensors bn, bool training, bool relu = false, double momentum = OpForward.BnMomentum)
    {
        var y = scope.Own(x.BatchNorm(bn.Weight, bn.Bias, bn.RunningMean, bn.RunningVar, training, momentum, OpForward.BnEps));
        return relu ? scope.Own(y.Relu()) : y;
    }

    public Tensor Pool(Tensor x, bool max, int stride) =>
        scope.Own(max ? x.MaxPool2d(3, stride, 1) : x.AvgPool2d(3, stride, 1, countIncludePad: false));

    public Tensor AvgPool2(Tensor x) => scope.Own(x.AvgPool2d(2, 2));

    public Tensor Bypass(Tensor x) => scope.Own(x.MaxPool2d(2, 2));

    public (Tensor Even, Tensor Odd)? EvenOddPixels(Tensor x) => null;

    public Tensor ShiftPixels(Tensor x) => scope.Own(scope.Own(x.Slice(2, 1, x.Size(2))).Slice(3, 1, x.Size(3)));

    public Tensor Cat(Tensor[] xs) => scope.Own(Tensor.Cat(xs, 1));

    public (Tensor Mixed, Tensor Others) Split(Tensor x, int k)
    {
        var c = x.Size(1);
        var part = c / k;
        return (scope.Own(x.Narrow(1, 0, part)), scope.Own(x.Narrow(1, part, c - part)));
    }

    public Tensor ShuffleJoin(Tensor mixed, Tensor others, int k) => ChannelShuffle(Cat([mixed, others]), k, scope);

    /// <summary>Channel c of the output is channel (c mod K)·(C/K) + ⌊c/K⌋ of the input: view, transpose, copy.</summary>
    public static Tensor ChannelShuffle(Tensor x, int groups, TensorScope scope)
    {
        var shape = x.Shape;
        long n = shape[0], c = shape[1], h = shape[2], w = shape[3];
        var v = scope.Own(x.View(n, groups, c / groups, h, w));
        var t = scope.Own(v.Transpose(1, 2));
        var cont = scope.Own(t.Contiguous());
        return scope.Own(cont.View(n, c, h, w));
    }

    public Tensor MixedSum(List<OpOutput> outputs)
    {
        Tensor? sum = null;
        foreach (var (value, closing, weight) in outputs)
        {
            if (closing is not null) throw new InvalidOperationException("the reference set fuses no BatchNorm into a sum");
            var weighted = scope.Own(value.Mul(weight));
            sum = sum is null ? weighted : scope.Own(sum.Add(weighted));
        }
        return sum ?? throw new ArgumentException("a mixed sum needs at least one op output", nameof(outputs));
    }

    public Tensor Zeros(Tensor x, int stride)
    {
        var strided = stride == 1 ? x : scope.Own(scope.Own(x.Slice(2, 0, x.Size(2), 2)).Slice(3, 0, x.Size(3), 2));
        return scope.Own(strided.Mul(0.0));
    }

    public Tensor ZerosLike(Tensor x) => scope.Own(x.ZerosLike());

    public Tensor Add(Tensor a, Tensor b, bool temporaries) => scope.Own(a.Add(b));

    public Tensor WeightedSum(List<Tensor> ys, List<Tensor> betas)
    {
        Tensor? sum = null;
        for (var i = 0; i < ys.Count; i++)
        {
            var y = scope.Own(ys[i].Mul(betas[i]));
            sum = sum is null ? y : scope.Own(sum.Add(y));
        }
        return sum ?? throw new ArgumentException("a weighted sum needs at least one term", nameof(ys));
    }

    public Tensor DropPath(Tensor y, double p, Generator g) => Eval.DropPath.Apply(y, p, g, scope);

    public Tensor Auxiliary(AuxiliaryHead head, Tensor x, bool training) => head.Forward(x, training, scope);

    public Tensor Classifier(Tensor[] inputs, Tensor weight, Tensor bias) => Linear(inputs, weight, bias, scope);

    /// <summary>The classifier both sets share: concat (when needed), global average pool, flatten, Linear.</summary>
    public static Tensor Linear(Tensor[] inputs, Tensor weight, Tensor bias, TensorScope scope)
    {
        var x = inputs.Length == 1 ? inputs[0] : scope.Own(Tensor.Cat(inputs, 1));
        var pooled = scope.Own(x.AdaptiveAvgPool2d(1, 1));
        var flat = scope.Own(pooled.Flatten(1));
        return scope.Own(flat.Linear(weight, bias));
    }
}
