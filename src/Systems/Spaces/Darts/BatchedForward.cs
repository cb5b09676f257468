// The fast supernet forward (issue 8): the reference computation in channels-last memory with native kernels, per-tensor work shared
// between readers, fused sums and zero-weight ops skipped.
using System.Runtime.InteropServices;
using Nas.Components;
using Nas.Torch;

namespace Nas.Systems.Spaces.Darts;

/// <summary>
/// Computes what <see cref="SupernetForward"/>'s reference path computes, with these changes, each measured
/// (docs/performance.md, items 1-17):
/// <list type="bullet">
/// <item>the input is turned channels-last once and every op keeps that layout (depthwise, dilated and 1x1
/// convolutions and max pooling ran 2–4x faster so on this CPU); depthwise convs, 3x3 pooling and the cells' affine-free
/// BatchNorms run the shim's native kernels;</item>
/// <item>work several readers do on one tensor is done once per forward (<see cref="Shared"/>: ReLU, partial channels'
/// split, the pooled bypass);</item>
/// <item>an edge's ops closing with a BatchNorm are summed through one native node with those BNs
/// (<see cref="Tensor.BnWeightedSum"/>), the rest with <see cref="Tensor.WeightedSum"/>;</item>
/// <item>an op whose weight is exactly zero (dropped by a DropNAS mask, or a softmax that underflowed) is not run. Its
/// output is multiplied by zero, so the forward is unchanged; the gradient of a softmax output that is exactly zero is zero,
/// so alpha's gradient is unchanged too. (Only a caller that differentiates the weight matrix itself, not alpha, would see
/// a difference at those entries: 0 instead of ⟨o(x), ∂L/∂y⟩.)</item>
/// </list>
/// Not done, because measured slower: concatenating edges along channels to run BatchNorm or pooling once per node
/// (the copies cost more than the calls saved), a grouped convolution for several ops, stacking op outputs for the weighted sum.
/// </summary>
public static class BatchedForward
{
    public static Tensor Logits(SupernetPlan net, Tensor x, CellWeights normal, CellWeights reduce, bool training, TensorScope scope,
        ForwardProfile? profile = null)
    {
        var start = ForwardProfile.Now(profile);
        var stem = Stem(net, x, training, scope, profile);
        var normalMix = CellMix.Of(normal, scope);
        var reduceMix = CellMix.Of(reduce, scope);
        var shared = new Shared(scope, profile);
        Tensor s0 = stem, s1 = stem;
        foreach (var cell in net.Cells)
        {
            var output = Cell(cell, s0, s1, cell.Layout.Reduction ? reduceMix : normalMix, net.PartialChannels, shared, training, scope, profile);
            (s0, s1) = (s1, output);
        }
        var t = ForwardProfile.Now(profile);
        var pooled = scope.Own(s1.AdaptiveAvgPool2d(1, 1));
        var flat = scope.Own(pooled.Flatten(1));
        var logits = scope.Own(flat.Linear(net.ClassifierWeight, net.ClassifierBias));
        profile?.Add(ProfileKind.Classifier, t);
        profile?.AddForward(start);
        return logits;
    }

    /// <summary>The input turned channels-last once, then the stem's conv and BatchNorm (every later op keeps that layout).</summary>
    public static Tensor Stem(SupernetPlan net, Tensor x, bool training, TensorScope scope, ForwardProfile? profile)
    {
        var t = ForwardProfile.Now(profile);
        var input = x.IsChannelsLast ? x : scope.Own(x.ToChannelsLast());
        profile?.Add(ProfileKind.Layout, t);
        t = ForwardProfile.Now(profile);
        var stem = scope.Own(input.Conv2d(net.StemConv, null, 1, 1));
        stem = OpForward.Bn(stem, net.StemBn, training, scope);
        profile?.Add(ProfileKind.Stem, t);
        return stem;
    }

    /// <summary>The weight matrix as rows of floats, read once per forward to know which ops have weight exactly zero.</summary>
    public static float[][] Values(Tensor matrix)
    {
        var rows = (int)matrix.Size(0);
        var cols = (int)matrix.Size(1);
        var flat = matrix.ToFloatArray();
        var result = new float[rows][];
        for (var r = 0; r < rows; r++) result[r] = flat.AsSpan(r * cols, cols).ToArray();
        return result;
    }

    /// <summary>
    /// One cell type's architecture weights as the batched cells read them, computed once per forward: each op weight as a
    /// scalar tensor, the same as floats (to skip ops of weight exactly zero), the edge weights (beta) and the masks.
    /// </summary>
    public sealed record CellMix(Tensor[][] Scalars, float[][] Values, Tensor[]? EdgeWeights, bool[][]? Kept)
    {
        public static CellMix Of(CellWeights w, TensorScope scope) => new(SupernetForward.Scalars(w.OpWeights, scope), BatchedForward.Values(w.OpWeights),
            w.EdgeWeights is null ? null : SupernetForward.Vector(w.EdgeWeights, scope), w.Kept);
    }

    /// <summary>
    /// What several readers of one tensor compute from it, computed once per forward. Every reader of a cell output starts
    /// with ReLU (the next cell's preprocessing, the cell after it, the broad space's taps), and so do the conv ops of every
    /// edge leaving a node; with partial channels every edge leaving a node takes the same first C/K channels, and every
    /// reduction edge leaving it pools the same other channels. Each is done once per tensor, and in backward the readers'
    /// gradients are summed once before one ReLU (split, pooling) backward.
    /// </summary>
    public sealed class Shared(TensorScope scope, ForwardProfile? profile)
    {
        private readonly Dictionary<Tensor, Tensor> relus = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<Tensor, (Tensor Mixed, Tensor Others)> parts = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<Tensor, Tensor> pooled = new(ReferenceEqualityComparer.Instance);

        public Tensor Relu(Tensor x)
        {
            if (!relus.TryGetValue(x, out var r)) relus[x] = r = BatchedForward.Relu(x, scope, profile);
            return r;
        }

        /// <summary>PC-DARTS's split of a node's channels: the first C/K, dense channels-last, and a view of the rest.</summary>
        public (Tensor Mixed, Tensor Others) Partial(Tensor x, int k)
        {
            if (parts.TryGetValue(x, out var p)) return p;
            var c = x.Size(1);
            var part = c / k;
            var t = ForwardProfile.Now(profile);
            var halves = x.Split([part, c - part], 1); // one cat in backward, where two narrows fill zeros and copy twice
            // The mixed part dense once: the native pools, the fused sum (skip) and the convs would each copy the strided view.
            var xa = scope.Own(scope.Own(halves[0]).ToChannelsLast());
            var xb = scope.Own(halves[1]);
            profile?.Add(ProfileKind.ChannelOps, t);
            return parts[x] = (xa, xb);
        }

        /// <summary>The bypass channels of a reduction edge, max-pooled 2×2: the same for every edge leaving a node.</summary>
        public Tensor Pooled(Tensor bypass)
        {
            if (!pooled.TryGetValue(bypass, out var p)) pooled[bypass] = p = Pool2x2(bypass, scope, profile);
            return p;
        }
    }

    public static Tensor Cell(CellPlan cell, Tensor s0, Tensor s1, CellMix mix, int partialK, Shared shared, bool training, TensorScope scope,
        ForwardProfile? profile = null)
    {
        var (weights, values, edgeWeights, kept) = mix;
        var p0 = cell.Layout.ReductionPrev
            ? FactorizedReduce(shared.Relu(s0), cell.Pre0.Convs[0], cell.Pre0.Convs[1], cell.Pre0.Norms[0], training, scope, profile)
            : ReluConvBn(s0, shared, cell.Pre0.Convs[0], cell.Pre0.Norms[0], training, scope, profile);
        var p1 = ReluConvBn(s1, shared, cell.Pre1.Convs[0], cell.Pre1.Norms[0], training, scope, profile);
        var nodes = cell.Edges.Max(e => e.Node) + 1;
        var states = new List<Tensor>(2 + nodes) { p0, p1 };
        var e = 0;
        var ys = new List<Tensor>();
        var betas = new List<Tensor>();
        for (var node = 0; node < nodes; node++)
        {
            Tensor? sum = null;
            ys.Clear();
            betas.Clear();
            for (; e < cell.Edges.Length && cell.Edges[e].Node == node; e++)
            {
                var edge = cell.Edges[e];
                var y = partialK > 1
                    ? PartialEdge(edge, states[edge.Input], weights[edge.Row], values[edge.Row], kept?[edge.Row], partialK, shared, training, scope, profile)
                    : MixedEdge(edge, states[edge.Input], weights[edge.Row], values[edge.Row], kept?[edge.Row], shared, training, scope, profile);
                if (edgeWeights is not null)
                {
                    ys.Add(y);
                    betas.Add(edgeWeights[edge.Row]);
                    continue;
                }
                var t = ForwardProfile.Now(profile);
                sum = Accumulate(sum, y, scope);
                profile?.Add(ProfileKind.WeightedSum, t);
            }
            if (ys.Count > 0)
            {
                // Edge normalization: Σ_e β_e·y_e in one fused pass each way (Tensor.WeightedSum), not a mul and an add per edge.
                var t = ForwardProfile.Now(profile);
                sum = scope.Own(Tensor.WeightedSum(CollectionsMarshal.AsSpan(ys), CollectionsMarshal.AsSpan(betas)));
                foreach (var y in ys) Drop(y, scope); // the sum's backward keeps its own references
                profile?.Add(ProfileKind.WeightedSum, t);
            }
            states.Add(sum ?? throw new InvalidOperationException($"node {node} of cell {cell.Layout.Index} has no incoming edge"));
        }
        var tc = ForwardProfile.Now(profile);
        var output = scope.Own(Tensor.Cat(states.GetRange(2, nodes).ToArray(), 1));
        profile?.Add(ProfileKind.ChannelOps, tc);
        return output;
    }

    /// <summary>
    /// Σ_o w_o · o(x) over the kept ops with non-zero weight; the ReLU the conv ops start with is computed once per input
    /// tensor (<see cref="Shared"/>), not once per op or per edge.
    /// </summary>
    public static Tensor MixedEdge(EdgePlan edge, Tensor x, Tensor[] weights, float[] values, bool[]? kept, Shared shared, bool training,
        TensorScope scope, ForwardProfile? profile = null)
    {
        var ys = new List<Tensor>(edge.Ops.Length);
        var ws = new List<Tensor>(edge.Ops.Length);
        var hs = new List<Tensor>(edge.Ops.Length);
        var hw = new List<Tensor>(edge.Ops.Length);
        var means = new List<Tensor?>(edge.Ops.Length);
        var vars = new List<Tensor?>(edge.Ops.Length);
        foreach (var op in edge.Ops)
        {
            if (op.Kind == OpKind.None || (kept is not null && !kept[op.Column]) || values[op.Column] == 0f) continue;
            var t = op.Tensors;
            var (y, closing) = op.Kind switch
            {
                OpKind.MaxPool3x3 => Norms(Pool(x, max: true, edge.Stride, scope, profile), t),
                OpKind.AvgPool3x3 => Norms(Pool(x, max: false, edge.Stride, scope, profile), t),
                OpKind.SkipConnect => edge.Stride == 1 ? new Open(x, null)
                    : FactorizedReduceOpen(shared.Relu(x), t.Convs[0], t.Convs[1], t.Norms[0], scope, profile),
                OpKind.SepConv3x3 or OpKind.SepConv5x5 => SepConvOpen(shared.Relu(x), op.Kind == OpKind.SepConv3x3 ? 1 : 2,
                    edge.Stride, t, training, scope, profile),
                OpKind.DilConv3x3 or OpKind.DilConv5x5 => DilConvOpen(shared.Relu(x), op.Kind == OpKind.DilConv3x3 ? 2 : 4,
                    edge.Stride, t, scope, profile),
                _ => throw new ArgumentOutOfRangeException(nameof(edge), op.Kind, null),
            };
            if (closing is { } bn && NativeBn(bn, training))
            {
                hs.Add(y);
                hw.Add(weights[op.Column]);
                means.Add(bn.RunningMean);
                vars.Add(bn.RunningVar);
                continue;
            }
            ys.Add(closing is null ? y : Bn(y, closing, training, scope, profile));
            ws.Add(weights[op.Column]);
        }
        if (hs.Count > 0)
        {
            // Ops closing with an affine-free training BN (all but skip): their BNs and Σ w_o·o(x) as one native node
            // (Tensor.BnWeightedSum), the BN outputs never written and the scaled gradients w_o·g never materialized.
            var tw = ForwardProfile.Now(profile);
            hw.AddRange(ws);
            var sum = scope.Own(Tensor.BnWeightedSum(CollectionsMarshal.AsSpan(hs), CollectionsMarshal.AsSpan(means), CollectionsMarshal.AsSpan(vars),
                CollectionsMarshal.AsSpan(ys), CollectionsMarshal.AsSpan(hw), OpForward.BnMomentum, OpForward.BnEps));
            foreach (var h in hs) Drop(h, scope); // the node keeps its own references
            profile?.Add(ProfileKind.WeightedSum, tw);
            return sum;
        }
        if (ys.Count > 0)
        {
            // One fused pass for Σ w_o·o(x), forward and backward (Tensor.WeightedSum), instead of a mul and an add per op.
            var tw = ForwardProfile.Now(profile);
            var sum = scope.Own(Tensor.WeightedSum(CollectionsMarshal.AsSpan(ys), CollectionsMarshal.AsSpan(ws)));
            profile?.Add(ProfileKind.WeightedSum, tw);
            return sum;
        }
        // Nothing ran: the edge outputs zeros of the strided shape, still tied to x as the reference's are.
        var strided = edge.Stride == 1 ? x : scope.Own(scope.Own(x.Slice(2, 0, x.Size(2), 2)).Slice(3, 0, x.Size(3), 2));
        return scope.Own(strided.Mul(0.0));
    }

    /// <summary>The PC-DARTS edge of <see cref="SupernetForward.PartialEdge"/>, with a channel shuffle that keeps channels-last.</summary>
    public static Tensor PartialEdge(EdgePlan edge, Tensor x, Tensor[] weights, float[] values, bool[]? kept, int k, Shared shared, bool training,
        TensorScope scope, ForwardProfile? profile = null)
    {
        var (xa, xb) = shared.Partial(x, k); // the same channels for every edge leaving this node
        var ya = MixedEdge(edge, xa, weights, values, kept, shared, training, scope, profile);
        var yb = edge.Stride == 1 ? xb : shared.Pooled(xb);
        var t = ForwardProfile.Now(profile);
        // cat + channel shuffle in one native pass each way (Tensor.ShuffleJoin): one copy instead of two.
        var shuffled = scope.Own(Tensor.ShuffleJoin(ya, yb, k));
        Drop(ya, scope); // the join's backward keeps nothing: the mixed output's memory can go now
        profile?.Add(ProfileKind.ChannelOps, t);
        return shuffled;
    }

    /// <summary>
    /// sum + y, freeing both addends' handles at once: add's backward keeps neither, so partial sums and weighted op
    /// outputs do not stay alive until the step ends (the reference path keeps them in the scope; this lowers peak memory).
    /// </summary>
    private static Tensor Accumulate(Tensor? sum, Tensor y, TensorScope scope)
    {
        if (sum is null) return y;
        var next = scope.Own(sum.Add(y));
        Drop(sum, scope);
        Drop(y, scope);
        return next;
    }

    /// <summary>Disposes a temporary this path created and no longer reads; autograd keeps its own reference if backward needs it.</summary>
    private static void Drop(Tensor t, TensorScope scope) => scope.Release(t).Dispose();

    /// <summary>An op's output before its closing BatchNorm (null: the op has none), which the mixed edge may fuse into its sum.</summary>
    private readonly record struct Open(Tensor Value, BatchNormTensors? Closing);

    private static Open SepConvOpen(Tensor relu, int pad, int stride, OpTensors t, bool training, TensorScope scope, ForwardProfile? profile)
    {
        var c = (int)relu.Size(1);
        var h = Conv(relu, t.Convs[0], stride, pad, 1, c, scope, profile);
        h = Conv(h, t.Convs[1], 1, 0, 1, 1, scope, profile);
        h = Bn(h, t.Norms[0], training, scope, profile, relu: true);
        h = Conv(h, t.Convs[2], 1, pad, 1, c, scope, profile);
        h = Conv(h, t.Convs[3], 1, 0, 1, 1, scope, profile);
        return new Open(h, t.Norms[1]);
    }

    private static Open DilConvOpen(Tensor relu, int pad, int stride, OpTensors t, TensorScope scope, ForwardProfile? profile)
    {
        var h = Conv(relu, t.Convs[0], stride, pad, 2, (int)relu.Size(1), scope, profile);
        h = Conv(h, t.Convs[1], 1, 0, 1, 1, scope, profile);
        return new Open(h, t.Norms[0]);
    }

    /// <summary>FactorizedReduce from an input that is already ReLU'd (so the ReLU can be shared with the edge's conv ops).</summary>
    public static Tensor FactorizedReduce(Tensor relu, Tensor convA, Tensor convB, BatchNormTensors bn, bool training, TensorScope scope,
        ForwardProfile? profile)
    {
        var open = FactorizedReduceOpen(relu, convA, convB, bn, scope, profile);
        return Bn(open.Value, bn, training, scope, profile);
    }

    private static Open FactorizedReduceOpen(Tensor relu, Tensor convA, Tensor convB, BatchNormTensors bn, TensorScope scope, ForwardProfile? profile)
    {
        Tensor a, b;
        var t = ForwardProfile.Now(profile);
        if (relu.Size(1) >= 16)
        {
            // The stride-2 1x1 convs read the even and the odd pixel grids: taken by one native op whose backward writes the
            // input gradient once, channels-last (a slice's backward made an NCHW gradient, and adding it to the other conv's
            // channels-last one was the slowest add of a step), then 1x1 convs of stride 1: 2x faster fwd+bwd at 64 and 128
            // channels; at 4 channels (partial channels' skip) libtorch's strided path was 10 % faster, so it stays there.
            var (even, odd) = relu.EvenOddPixels();
            scope.Own(even);
            scope.Own(odd);
            profile?.Add(ProfileKind.ChannelOps, t);
            a = Conv(even, convA, 1, 0, 1, 1, scope, profile);
            b = Conv(odd, convB, 1, 0, 1, 1, scope, profile);
        }
        else
        {
            a = Conv(relu, convA, 2, 0, 1, 1, scope, profile);
            t = ForwardProfile.Now(profile);
            var shifted = scope.Own(scope.Own(relu.Slice(2, 1, relu.Size(2))).Slice(3, 1, relu.Size(3)));
            profile?.Add(ProfileKind.ChannelOps, t);
            b = Conv(shifted, convB, 2, 0, 1, 1, scope, profile);
        }
        t = ForwardProfile.Now(profile);
        var cat = scope.Own(Tensor.Cat([a, b], 1));
        profile?.Add(ProfileKind.ChannelOps, t);
        return new Open(cat, bn);
    }

    /// <summary>ReLU → 1×1 conv → BN, the ReLU taken from the forward's <see cref="Shared"/>.</summary>
    public static Tensor ReluConvBn(Tensor x, Shared shared, Tensor conv, BatchNormTensors bn, bool training, TensorScope scope,
        ForwardProfile? profile)
    {
        var h = Conv(shared.Relu(x), conv, 1, 0, 1, 1, scope, profile);
        return Bn(h, bn, training, scope, profile);
    }

    private static Tensor Conv(Tensor x, Tensor w, int stride, int pad, int dilation, int groups, TensorScope scope, ForwardProfile? profile)
    {
        var t = ForwardProfile.Now(profile);
        // Depthwise convs go to the shim's own loops: libtorch's depthwise backward was 10-100x slower than its forward here.
        var y = scope.Own(groups > 1 ? x.DepthwiseConv2d(w, stride, pad, dilation) : x.Conv2d(w, null, stride, pad, dilation, groups));
        profile?.Add(groups > 1 ? ProfileKind.DepthwiseConv : ProfileKind.PointwiseConv, t);
        return y;
    }

    /// <summary>
    /// Training-mode BatchNorm without affine (every BN inside the search cells) runs the shim's own channels-last kernel:
    /// libtorch 1.13's channels-last BN was up to 70x slower at 4 channels (PC-DARTS's C/K) and its NCHW path needs two
    /// copies (docs/performance.md). Eval mode and affine BN (the stem) stay libtorch's. With <paramref name="relu"/> the ReLU
    /// that follows (inside the separable convolution) is fused into the native kernel's passes.
    /// </summary>
    /// <summary>A BatchNorm the shim's native training kernels compute: training mode, no affine weight or bias.</summary>
    private static bool NativeBn(BatchNormTensors bn, bool training) => training && bn.Weight is null && bn.Bias is null;

    private static Tensor Bn(Tensor x, BatchNormTensors bn, bool training, TensorScope scope, ForwardProfile? profile, bool relu = false)
    {
        var t = ForwardProfile.Now(profile);
        if (NativeBn(bn, training))
        {
            var fused = scope.Own(x.BatchNormTrain(bn.RunningMean, bn.RunningVar, OpForward.BnMomentum, OpForward.BnEps, relu));
            profile?.Add(ProfileKind.BatchNorm, t);
            return fused;
        }
        var y = OpForward.Bn(x, bn, training, scope);
        profile?.Add(ProfileKind.BatchNorm, t);
        return relu ? Relu(y, scope, profile) : y;
    }

    private static Open Norms(Tensor x, OpTensors t) => new(x, t.Norms.Length == 0 ? null : t.Norms[0]);

    public static Tensor Relu(Tensor x, TensorScope scope, ForwardProfile? profile)
    {
        var t = ForwardProfile.Now(profile);
        var y = scope.Own(x.Relu());
        profile?.Add(ProfileKind.Relu, t);
        return y;
    }

    private static Tensor Pool(Tensor x, bool max, int stride, TensorScope scope, ForwardProfile? profile)
    {
        var t = ForwardProfile.Now(profile);
        var y = scope.Own(x.Pool3x3(max, stride)); // the shim's own 3x3 pooling: libtorch's backward is slow here
        profile?.Add(ProfileKind.Pool, t);
        return y;
    }

    private static Tensor Pool2x2(Tensor x, TensorScope scope, ForwardProfile? profile)
    {
        var t = ForwardProfile.Now(profile);
        var y = scope.Own(x.MaxPool2d(2, 2));
        profile?.Add(ProfileKind.Pool, t);
        return y;
    }
}
