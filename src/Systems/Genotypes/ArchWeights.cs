// The per-edge op weights a forward uses, from alpha (softmax, §1.4) and beta (softmax over each node's incoming edges, §3.1b).
using Nas.Components;
using Nas.Torch;

namespace Nas.Systems.Genotypes;

public static class ArchWeights
{
    public static CellWeights For(Tensor alpha, Tensor? beta, int nodes, bool[][]? kept, TensorScope scope)
    {
        var probs = kept is null ? scope.Own(alpha.Softmax(-1)) : MaskedSoftmax(alpha, kept, scope);
        var edgeWeights = beta is null ? null : EdgeSoftmax(beta, nodes, scope);
        return new CellWeights(probs, edgeWeights, kept);
    }

    /// <summary>softmax over each node's incoming edges: groups {0,1}, {2,3,4}, {5..8}, ... (§3.1b).</summary>
    public static Tensor EdgeSoftmax(Tensor beta, int nodes, TensorScope scope)
    {
        var parts = new Tensor[nodes];
        for (var node = 0; node < nodes; node++)
        {
            var start = Derivation.EdgeRow(node, 0);
            var slice = scope.Own(beta.Narrow(0, start, 2 + node));
            parts[node] = scope.Own(slice.Softmax(0));
        }
        return scope.Own(Tensor.Cat(parts, 0));
    }

    /// <summary>Softmax renormalised over the kept ops of each edge (DropNAS §5.3 step 4): dropped ops get exactly 0.</summary>
    public static Tensor MaskedSoftmax(Tensor alpha, bool[][] kept, TensorScope scope)
    {
        var rows = kept.Length;
        var cols = kept[0].Length;
        var mask = new float[rows * cols];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < cols; c++)
                mask[r * cols + c] = kept[r][c] ? 0f : float.NegativeInfinity;
        var m = scope.Own(Tensor.FromSpan(mask, [rows, cols]));
        var masked = scope.Own(alpha.Add(m));
        return scope.Own(masked.Softmax(-1));
    }
}
