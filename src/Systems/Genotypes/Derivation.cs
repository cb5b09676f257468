// Genotype derivation (§2.5, §3.2, §5.6): top-2 incoming edges per node by the strongest op other than none.
using Nas.Components;
using Nas.Systems.Spaces.Darts;
using Nas.Torch;

namespace Nas.Systems.Genotypes;

public static class Derivation
{
    /// <summary>Row of edge (node i, input j) in the alpha matrix: i·(i+3)/2 + j (§1.3).</summary>
    public static int EdgeRow(int node, int input) => node * (node + 3) / 2 + input;

    public static int EdgeCount(int nodes) => EdgeRow(nodes, 0);

    /// <summary>
    /// Derives one cell's pairs from per-edge weights (rows = edges in §1.3 order, columns = ops in <paramref name="ops"/> order).
    /// Pass softmax(alpha) for DARTS, softmax(alpha)·softmax(beta) for PC-DARTS, raw alpha for DropNAS.
    /// Ties keep the lower input and the earlier op, as the reference's stable sorts do.
    /// </summary>
    public static List<GenotypeEdge> Cell(float[][] weights, IReadOnlyList<OpKind> ops, int nodes = 4)
    {
        if (weights.Length != EdgeCount(nodes))
            throw new ArgumentException($"expected {EdgeCount(nodes)} edge rows for {nodes} nodes, got {weights.Length}", nameof(weights));
        var result = new List<GenotypeEdge>(2 * nodes);
        for (var node = 0; node < nodes; node++)
        {
            var candidates = new List<(int Input, int Op, float Score)>();
            for (var input = 0; input < 2 + node; input++)
            {
                var row = weights[EdgeRow(node, input)];
                if (row.Length != ops.Count) throw new ArgumentException($"edge row has {row.Length} weights for {ops.Count} ops", nameof(weights));
                var best = -1;
                for (var o = 0; o < ops.Count; o++)
                    if (ops[o] != OpKind.None && (best < 0 || row[o] > row[best])) best = o;
                candidates.Add((input, best, row[best]));
            }
            // OrderByDescending is stable, so equal scores keep the lower input first.
            foreach (var c in candidates.OrderByDescending(c => c.Score).Take(2))
                result.Add(new GenotypeEdge(ops[c.Op], c.Input));
        }
        return result;
    }

    public static float[] SoftmaxRow(float[] row)
    {
        var max = row.Max();
        var exp = row.Select(v => Math.Exp(v - max)).ToArray();
        var sum = exp.Sum();
        return exp.Select(e => (float)(e / sum)).ToArray();
    }

    /// <summary>
    /// The scores one cell's edges and ops are ranked by, the rule the search derives with: softmax(alpha) per edge times the
    /// node-normalised beta when given (DARTS §2.5, PC-DARTS §3.2, BNAS), or raw alpha (<paramref name="rawAlpha"/>, DropNAS §5.6).
    /// </summary>
    public static float[][] Scores(Tensor alpha, Tensor? beta, int nodes, bool rawAlpha = false)
    {
        if (rawAlpha) return Rows(alpha);
        var rows = (int)alpha.Size(0);
        var cols = (int)alpha.Size(1);
        using var scope = new TensorScope();
        var values = scope.Own(alpha.Softmax(-1)).ToFloatArray();
        var b = beta is null ? null : ArchWeights.EdgeSoftmax(beta, nodes, scope).ToFloatArray();
        return Enumerable.Range(0, rows).Select(r => Enumerable.Range(0, cols).Select(c => values[r * cols + c] * (b?[r] ?? 1f)).ToArray()).ToArray();
    }

    /// <summary>The rows of a 2-D tensor (alpha: edges × ops) as float arrays.</summary>
    public static float[][] Rows(Tensor matrix)
    {
        var flat = matrix.ToFloatArray();
        var cols = (int)matrix.Size(1);
        return Enumerable.Range(0, (int)matrix.Size(0)).Select(r => flat.AsSpan(r * cols, cols).ToArray()).ToArray();
    }

    /// <summary>The genotype of both cell types by <see cref="Scores"/> and <see cref="Cell"/>.</summary>
    public static Genotype Of(Tensor alphaNormal, Tensor? betaNormal, Tensor alphaReduce, Tensor? betaReduce, IReadOnlyList<OpKind> ops, int nodes, bool rawAlpha = false)
    {
        var concat = Enumerable.Range(2, nodes).ToList();
        return new Genotype(Cell(Scores(alphaNormal, betaNormal, nodes, rawAlpha), ops, nodes), concat,
            Cell(Scores(alphaReduce, betaReduce, nodes, rawAlpha), ops, nodes), concat);
    }
}
