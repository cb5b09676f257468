// The fast kernel set (issue 8): the reference's arithmetic in channels-last memory with native kernels, per-tensor work shared, sums fused.
using System.Runtime.InteropServices;
using Nas.Components;
using Nas.Systems.Spaces.Darts;
using Nas.Systems.Spaces.Eval;
using Nas.Torch;

namespace Nas.Systems.Spaces.Forward;

/// <summary>
/// Computes what <see cref="ReferenceKernels"/> computes, with these changes, each measured (docs/performance.md, items 1-17):
/// <list type="bullet">
/// <item>the input is turned channels-last once and every op keeps that layout (depthwise, dilated and 1x1 convolutions and
/// max pooling ran 2–4x faster so on this CPU); depthwise convs, 3x3 pooling and the cells' affine-free BatchNorms run the
/// shim's native kernels;</item>
/// <item>work several readers do on one tensor is done once per forward (ReLU, partial channels' split, the pooled bypass):
/// every reader of a cell output starts with ReLU (the next cells' preprocessing, the broad space's taps), and so do the conv
/// ops of every edge leaving a node; with partial channels every edge leaving a node takes the same first C/K channels, and
/// every reduction edge leaving it pools the same other channels. In backward the readers' gradients are then summed once
/// before one ReLU (split, pooling) backward;</item>
/// <item>an edge's ops closing with a BatchNorm are summed through one native node with those BNs
/// (<see cref="Tensor.BnWeightedSum"/>), the rest with <see cref="Tensor.WeightedSum"/>;</item>
/// <item>an op whose weight is exactly zero (dropped by a DropNAS mask, or a softmax that underflowed) is not run. Its
/// output is multiplied by zero, so the forward is unchanged; the gradient of a softmax output that is exactly zero is zero,
/// so alpha's gradient is unchanged too. (Only a caller that differentiates the weight matrix itself, not alpha, would see
/// a difference at those entries: 0 instead of ⟨o(x), ∂L/∂y⟩.)</item>
/// <item>temporaries no later step reads (partial sums, BN inputs of a fused sum) are freed as soon as their consumer
/// exists; autograd keeps its own references where backward needs them. This lowers peak memory.</item>
/// </list>
/// Not done, because measured slower: concatenating edges along channels to run BatchNorm or pooling once per node
/// (the copies cost more than the calls saved), a grouped convolution for several ops, stacking op outputs for the weighted sum.
/// </summary>
public sealed class FastKernels(TensorScope scope) : IKernels
{
    private readonly Dictionary<Tensor, Tensor> _relus = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Tensor, (Tensor Mixed, Tensor Others)> _parts = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Tensor, Tensor> _pooled = new(ReferenceEqualityComparer.Instance);

    public bool SkipsZeroWeights => true;

    /// <summary>A BatchNorm the shim's native training kernels compute: training mode, no affine weight or bias.</summary>
    public bool Fuses(BatchNormTensors bn, bool training) => training && bn.Weight is null && bn.Bias is null;

    public CellMix Mix(CellWeights weights) => CellMix.Of(weights, scope, values: true);

    public Tensor Input(Tensor x) => x.IsChannelsLast ? x : scope.Own(x.ToChannelsLast());

    public Tensor Stem(Tensor x, Tensor conv, BatchNormTensors bn, bool training) =>
        OpForward.Bn(scope.Own(x.Conv2d(conv, null, 1, 1)), bn, training, scope);

    public Tensor Relu(Tensor x)
    {
        if (!_relus.TryGetValue(x, out var r)) _relus[x] = r = scope.Own(x.Relu());
        return r;
    }

    /// <summary>Hardtanh(0, 6): clamp's values, but one fused backward node instead of two compares and a where (a fifth of a SPOS step's ops).</summary>
    public Tensor Relu6(Tensor x) => scope.Own(x.Hardtanh(0, 6));

    public Tensor Lead(Tensor t, int dim, long n) => ReferenceKernels.Slice(t, dim, n, scope);

    /// <summary>Depthwise convs go to the shim's own loops: libtorch's depthwise backward was 10-100x slower than its forward here.</summary>
    public Tensor Conv(Tensor x, Tensor w, int stride, int pad, int dilation, int groups) =>
        scope.Own(groups > 1 ? x.DepthwiseConv2d(w, stride, pad, dilation) : x.Conv2d(w, null, stride, pad, dilation, groups));

    /// <summary>
    /// Training-mode BatchNorm without affine (every BN inside the search cells) runs the shim's own channels-last kernel:
    /// libtorch 1.13's channels-last BN was up to 70x slower at 4 channels (PC-DARTS's C/K) and its NCHW path needs two
    /// copies (docs/performance.md); the ReLU that follows (inside the separable convolution) is fused into its passes.
    /// Eval mode and affine BN (the stem, the evaluation network) stay libtorch's.
    /// </summary>
    public Tensor Bn(Tensor x, BatchNormTensors bn, bool training, bool relu = false, double momentum = OpForward.BnMomentum)
    {
        if (Fuses(bn, training)) return scope.Own(x.BatchNormTrain(bn.RunningMean, bn.RunningVar, momentum, OpForward.BnEps, relu));
        var y = scope.Own(x.BatchNorm(bn.Weight, bn.Bias, bn.RunningMean, bn.RunningVar, training, momentum, OpForward.BnEps));
        return relu ? scope.Own(y.Relu()) : y;
    }

    /// <summary>The shim's own 3x3 pooling: libtorch's backward is slow here.</summary>
    public Tensor Pool(Tensor x, bool max, int stride) => scope.Own(x.Pool3x3(max, stride));

    public Tensor AvgPool2(Tensor x) => scope.Own(x.AvgPool2d(2, 2));

    public Tensor Bypass(Tensor x)
    {
        if (!_pooled.TryGetValue(x, out var p)) _pooled[x] = p = scope.Own(x.MaxPool2d(2, 2));
        return p;
    }

    /// <summary>
    /// The stride-2 1x1 convs read the even and the odd pixel grids: taken by one native op whose backward writes the input
    /// gradient once, channels-last (a slice's backward made an NCHW gradient, and adding it to the other conv's channels-last
    /// one was the slowest add of a step), then 1x1 convs of stride 1: 2x faster fwd+bwd at 64 and 128 channels; at 4
    /// channels (partial channels' skip) libtorch's strided path was 10 % faster, so it stays there.
    /// </summary>
    public (Tensor Even, Tensor Odd)? EvenOddPixels(Tensor x)
    {
        if (x.Size(1) < 16) return null;
        var (even, odd) = x.EvenOddPixels();
        return (scope.Own(even), scope.Own(odd));
    }

    public Tensor ShiftPixels(Tensor x) => scope.Own(scope.Own(x.Slice(2, 1, x.Size(2))).Slice(3, 1, x.Size(3)));

    public Tensor Cat(Tensor[] xs) => scope.Own(Tensor.Cat(xs, 1));

    /// <summary>The first C/K channels dense channels-last (the native pools, the fused sum and the convs would each copy the strided view), and a view of the rest.</summary>
    public (Tensor Mixed, Tensor Others) Split(Tensor x, int k)
    {
        if (_parts.TryGetValue(x, out var p)) return p;
        var c = x.Size(1);
        var part = c / k;
        var halves = x.Split([part, c - part], 1); // one cat in backward, where two narrows fill zeros and copy twice
        var xa = scope.Own(scope.Own(halves[0]).ToChannelsLast());
        var xb = scope.Own(halves[1]);
        return _parts[x] = (xa, xb);
    }

    /// <summary>Cat + channel shuffle in one native pass each way (<see cref="Tensor.ShuffleJoin"/>): one copy instead of two.</summary>
    public Tensor ShuffleJoin(Tensor mixed, Tensor others, int k)
    {
        var shuffled = scope.Own(Tensor.ShuffleJoin(mixed, others, k));
        Drop(mixed); // the join's backward keeps nothing: the mixed output's memory can go now
        return shuffled;
    }

    /// <summary>
    /// Ops closing with an affine-free training BN (all but skip): their BNs and Σ w_o·o(x) as one native node
    /// (<see cref="Tensor.BnWeightedSum"/>), the BN outputs never written and the scaled gradients w_o·g never materialized;
    /// without any, one fused pass for Σ w_o·o(x) each way (<see cref="Tensor.WeightedSum"/>) instead of a mul and an add per op.
    /// </summary>
    public Tensor MixedSum(List<OpOutput> outputs)
    {
        var hs = new List<Tensor>(outputs.Count);
        var hw = new List<Tensor>(outputs.Count);
        var means = new List<Tensor?>(outputs.Count);
        var vars = new List<Tensor?>(outputs.Count);
        var ys = new List<Tensor>(outputs.Count);
        var ws = new List<Tensor>(outputs.Count);
        foreach (var (value, closing, weight) in outputs)
        {
            if (closing is { } bn)
            {
                hs.Add(value);
                hw.Add(weight);
                means.Add(bn.RunningMean);
                vars.Add(bn.RunningVar);
            }
            else
            {
                ys.Add(value);
                ws.Add(weight);
            }
        }
        if (hs.Count > 0)
        {
            hw.AddRange(ws);
            var sum = scope.Own(Tensor.BnWeightedSum(CollectionsMarshal.AsSpan(hs), CollectionsMarshal.AsSpan(means), CollectionsMarshal.AsSpan(vars),
                CollectionsMarshal.AsSpan(ys), CollectionsMarshal.AsSpan(hw), OpForward.BnMomentum, OpForward.BnEps));
            foreach (var h in hs) Drop(h); // the node keeps its own references
            return sum;
        }
        if (ys.Count == 0) throw new ArgumentException("a mixed sum needs at least one op output", nameof(outputs));
        return scope.Own(Tensor.WeightedSum(CollectionsMarshal.AsSpan(ys), CollectionsMarshal.AsSpan(ws)));
    }

    public Tensor Zeros(Tensor x, int stride)
    {
        var strided = stride == 1 ? x : scope.Own(scope.Own(x.Slice(2, 0, x.Size(2), 2)).Slice(3, 0, x.Size(3), 2));
        return scope.Own(strided.Mul(0.0));
    }

    public Tensor ZerosLike(Tensor x) => scope.Own(x.ZerosLike());

    /// <summary>a + b; temporaries are freed at once, add's backward keeping neither (the reference keeps them in the scope).</summary>
    public Tensor Add(Tensor a, Tensor b, bool temporaries)
    {
        var sum = scope.Own(a.Add(b));
        if (!temporaries) return sum;
        Drop(a);
        Drop(b);
        return sum;
    }

    /// <summary>Edge normalization: Σ_e β_e·y_e in one fused pass each way (<see cref="Tensor.WeightedSum"/>), not a mul and an add per edge.</summary>
    public Tensor WeightedSum(List<Tensor> ys, List<Tensor> betas)
    {
        var sum = scope.Own(Tensor.WeightedSum(CollectionsMarshal.AsSpan(ys), CollectionsMarshal.AsSpan(betas)));
        foreach (var y in ys) Drop(y); // the sum's backward keeps its own references
        return sum;
    }

    public Tensor DropPath(Tensor y, double p, Generator g) => Eval.DropPath.Apply(y, p, g, scope);

    public Tensor Auxiliary(AuxiliaryHead head, Tensor x, bool training) => head.Forward(x, training, scope);

    public Tensor Classifier(Tensor[] inputs, Tensor weight, Tensor bias) => ReferenceKernels.Linear(inputs, weight, bias, scope);

    /// <summary>Disposes a temporary this set created and no later step reads; autograd keeps its own reference if backward needs it.</summary>
    private void Drop(Tensor t) => scope.Release(t).Dispose();
}
