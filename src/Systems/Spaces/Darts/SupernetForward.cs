// The supernet's forward pass (§1.3–1.5): stem, cells of mixed edges, global pool, classifier; with partial channels (§3.1) and edge weights.
using Nas.Components;
using Nas.Torch;

namespace Nas.Systems.Spaces.Darts;

public static class SupernetForward
{
    /// <summary>
    /// Logits for a batch; every temporary (and the result) is owned by <paramref name="scope"/>. <paramref name="mode"/>
    /// picks the reference path (below, checked against PyTorch) or <see cref="BatchedForward"/>, which is tested against it;
    /// <paramref name="profile"/>, when given, collects the batched path's time per primitive.
    /// </summary>
    public static Tensor Logits(SupernetPlan net, Tensor x, CellWeights normal, CellWeights reduce, bool training, TensorScope scope,
        ForwardMode mode = ForwardMode.Reference, ForwardProfile? profile = null)
    {
        if (mode == ForwardMode.Batched) return BatchedForward.Logits(net, x, normal, reduce, training, scope, profile);
        var stem = scope.Own(x.Conv2d(net.StemConv, null, 1, 1));
        stem = OpForward.Bn(stem, net.StemBn, training, scope);
        var normalScalars = Scalars(normal.OpWeights, scope);
        var reduceScalars = Scalars(reduce.OpWeights, scope);
        var normalEdge = normal.EdgeWeights is null ? null : Vector(normal.EdgeWeights, scope);
        var reduceEdge = reduce.EdgeWeights is null ? null : Vector(reduce.EdgeWeights, scope);
        Tensor s0 = stem, s1 = stem;
        foreach (var cell in net.Cells)
        {
            var red = cell.Layout.Reduction;
            var output = Cell(cell, s0, s1, red ? reduceScalars : normalScalars, red ? reduceEdge : normalEdge,
                (red ? reduce : normal).Kept, net.PartialChannels, training, scope);
            (s0, s1) = (s1, output);
        }
        var pooled = scope.Own(s1.AdaptiveAvgPool2d(1, 1));
        var flat = scope.Own(pooled.Flatten(1));
        return scope.Own(flat.Linear(net.ClassifierWeight, net.ClassifierBias));
    }

    public static Tensor Cell(CellPlan cell, Tensor s0, Tensor s1, Tensor[][] weights, Tensor[]? edgeWeights, bool[][]? kept,
        int partialK, bool training, TensorScope scope)
    {
        var p0 = cell.Layout.ReductionPrev
            ? OpForward.FactorizedReduce(s0, cell.Pre0.Convs[0], cell.Pre0.Convs[1], cell.Pre0.Norms[0], training, scope)
            : OpForward.ReluConvBn(s0, cell.Pre0.Convs[0], cell.Pre0.Norms[0], training, scope);
        var p1 = OpForward.ReluConvBn(s1, cell.Pre1.Convs[0], cell.Pre1.Norms[0], training, scope);
        var nodes = cell.Edges.Max(e => e.Node) + 1;
        var states = new List<Tensor>(2 + nodes) { p0, p1 };
        var e = 0;
        for (var node = 0; node < nodes; node++)
        {
            Tensor? sum = null;
            for (; e < cell.Edges.Length && cell.Edges[e].Node == node; e++)
            {
                var edge = cell.Edges[e];
                var y = partialK > 1
                    ? PartialEdge(edge, states[edge.Input], weights[edge.Row], kept?[edge.Row], partialK, training, scope)
                    : MixedEdge(edge, states[edge.Input], weights[edge.Row], kept?[edge.Row], training, scope);
                if (edgeWeights is not null) y = scope.Own(y.Mul(edgeWeights[edge.Row]));
                sum = sum is null ? y : scope.Own(sum.Add(y));
            }
            states.Add(sum ?? throw new InvalidOperationException($"node {node} of cell {cell.Layout.Index} has no incoming edge"));
        }
        return scope.Own(Tensor.Cat(states.GetRange(2, nodes).ToArray(), 1));
    }

    /// <summary>Σ_o w_o · o(x) over the kept ops; `none` contributes exactly zero and is skipped.</summary>
    public static Tensor MixedEdge(EdgePlan edge, Tensor x, Tensor[] weights, bool[]? kept, bool training, TensorScope scope)
    {
        Tensor? sum = null;
        foreach (var op in edge.Ops)
        {
            if (op.Kind == OpKind.None || (kept is not null && !kept[op.Column])) continue;
            var y = OpForward.Run(op.Kind, x, edge.Stride, op.Tensors, training, scope)!;
            var weighted = scope.Own(y.Mul(weights[op.Column]));
            sum = sum is null ? weighted : scope.Own(sum.Add(weighted));
        }
        if (sum is not null) return sum;
        // Only `none` is kept (or nothing): the edge outputs zeros of the strided shape.
        var strided = edge.Stride == 1 ? x : scope.Own(scope.Own(x.Slice(2, 0, x.Size(2), 2)).Slice(3, 0, x.Size(3), 2));
        return scope.Own(strided.Mul(0.0));
    }

    /// <summary>
    /// PC-DARTS edge (§3.1): the first C/K channels go through the mixed op, the rest bypass it (2x2 max-pool at stride 2),
    /// then the channel shuffle maps output channel c to input channel (c mod K)·(C/K) + ⌊c/K⌋.
    /// </summary>
    public static Tensor PartialEdge(EdgePlan edge, Tensor x, Tensor[] weights, bool[]? kept, int k, bool training, TensorScope scope)
    {
        var c = x.Size(1);
        var part = c / k;
        var xa = scope.Own(x.Narrow(1, 0, part));
        var xb = scope.Own(x.Narrow(1, part, c - part));
        var ya = MixedEdge(edge, xa, weights, kept, training, scope);
        var yb = edge.Stride == 1 ? xb : scope.Own(xb.MaxPool2d(2, 2));
        var cat = scope.Own(Tensor.Cat([ya, yb], 1));
        return ChannelShuffle(cat, k, scope);
    }

    public static Tensor ChannelShuffle(Tensor x, int groups, TensorScope scope)
    {
        var shape = x.Shape;
        long n = shape[0], c = shape[1], h = shape[2], w = shape[3];
        var v = scope.Own(x.View(n, groups, c / groups, h, w));
        var t = scope.Own(v.Transpose(1, 2));
        var cont = scope.Own(t.Contiguous());
        return scope.Own(cont.View(n, c, h, w));
    }

    /// <summary>Each element of a rows×ops weight matrix as its own scalar tensor, computed once per forward and shared by all cells of a type.</summary>
    public static Tensor[][] Scalars(Tensor matrix, TensorScope scope)
    {
        var rows = (int)matrix.Size(0);
        var cols = (int)matrix.Size(1);
        var result = new Tensor[rows][];
        for (var r = 0; r < rows; r++)
        {
            var row = scope.Own(matrix.Select(0, r));
            result[r] = new Tensor[cols];
            for (var o = 0; o < cols; o++) result[r][o] = scope.Own(row.Select(0, o));
        }
        return result;
    }

    public static Tensor[] Vector(Tensor vector, TensorScope scope)
    {
        var n = (int)vector.Size(0);
        var result = new Tensor[n];
        for (var i = 0; i < n; i++) result[i] = scope.Own(vector.Select(0, i));
        return result;
    }
}
