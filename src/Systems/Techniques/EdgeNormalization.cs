// PC-DARTS edge normalisation (methods.md §3.1b, §3.2): softmax of beta over each node's incoming edges, and the edge-weighted op scores used to derive.
using Nas.Systems.Genotypes;

namespace Nas.Systems.Techniques;

public static class EdgeNormalization
{
    /// <summary>The rows of each node's incoming edges in §1.3 order: node i owns rows i·(i+3)/2 .. i·(i+3)/2 + i + 1 ({0,1}, {2,3,4}, {5..8}, {9..13} for 4 nodes).</summary>
    public static IReadOnlyList<Range> Groups(int nodes)
    {
        if (nodes < 1) throw new ArgumentException($"a cell needs at least one node, got {nodes}", nameof(nodes));
        var groups = new Range[nodes];
        for (var node = 0; node < nodes; node++)
        {
            var start = Derivation.EdgeRow(node, 0);
            groups[node] = start..(start + 2 + node);
        }
        return groups;
    }

    /// <summary>Normalised edge weights b: softmax of beta within each node's group of incoming edges (computed in double, max-subtracted).</summary>
    public static float[] EdgeWeights(IReadOnlyList<float> beta, int nodes = 4)
    {
        if (beta.Count != Derivation.EdgeCount(nodes))
            throw new ArgumentException($"beta has {beta.Count} entries, but {nodes} nodes have {Derivation.EdgeCount(nodes)} edges", nameof(beta));
        var b = new float[beta.Count];
        foreach (var group in Groups(nodes))
        {
            var (start, length) = group.GetOffsetAndLength(beta.Count);
            var max = double.NegativeInfinity;
            for (var i = start; i < start + length; i++) max = Math.Max(max, beta[i]);
            var sum = 0.0;
            for (var i = start; i < start + length; i++) sum += Math.Exp(beta[i] - max);
            for (var i = start; i < start + length; i++) b[i] = (float)(Math.Exp(beta[i] - max) / sum);
        }
        return b;
    }

    /// <summary>W_(edge, o) = softmax(alpha_edge)_o · b_edge (§3.2): what PC-DARTS derives from. b scales whole rows, so it changes edge choice, never op choice.</summary>
    public static float[][] WeightedOps(float[][] alpha, IReadOnlyList<float> beta, int nodes = 4)
    {
        if (alpha.Length != beta.Count)
            throw new ArgumentException($"alpha has {alpha.Length} edge rows but beta has {beta.Count} entries", nameof(beta));
        var b = EdgeWeights(beta, nodes);
        var w = Derivation.Softmax(alpha);
        for (var e = 0; e < w.Length; e++)
            for (var o = 0; o < w[e].Length; o++) w[e][o] *= b[e];
        return w;
    }
}
