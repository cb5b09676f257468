// The exact best genome under a FLOPs cap when score and FLOPs add up over layers (§2.6: a multiple-choice knapsack).
namespace Nas.Systems.OneShot.Search;

/// <summary>One choice of one layer: its gene, the FLOPs it adds and the score it adds.</summary>
public readonly record struct KnapsackItem(int Gene, long Flops, double Score);

public sealed record KnapsackResult(int[] Genes, long Flops, double Score);

/// <summary>
/// Maximize Σ_l score(l, g_l) subject to Σ_l flops(l, g_l) ≤ cap, one item per layer. The oracle the EA is tested
/// against [I]: the EA can never beat it.
/// </summary>
public static class Knapsack
{
    /// <summary>
    /// Exact, with no discretization: dynamic programming over layers that keeps only the Pareto front of
    /// (FLOPs, score) partial solutions. Ties in score keep the lower FLOPs, then the earlier choice.
    /// </summary>
    public static KnapsackResult? Exact(IReadOnlyList<IReadOnlyList<KnapsackItem>> layers, long cap)
    {
        // Each front entry: flops, score, back-pointer (index into the previous front) and the item chosen.
        var fronts = new List<(long Flops, double Score, int Prev, int Item)[]>();
        (long Flops, double Score, int Prev, int Item)[] front = [(0, 0.0, -1, -1)];
        foreach (var items in layers)
        {
            if (items.Count == 0) throw new ArgumentException("every layer needs at least one item");
            var next = new List<(long Flops, double Score, int Prev, int Item)>();
            for (int p = 0; p < front.Length; p++)
                for (int i = 0; i < items.Count; i++)
                {
                    long f = front[p].Flops + items[i].Flops;
                    if (f <= cap) next.Add((f, front[p].Score + items[i].Score, p, i));
                }
            if (next.Count == 0) return null;
            // Sort by FLOPs, then best score first; keep an entry only if it beats every cheaper one.
            next = next.OrderBy(e => e.Flops).ThenByDescending(e => e.Score).ToList();
            var kept = new List<(long, double, int, int)>();
            double best = double.NegativeInfinity;
            foreach (var e in next)
                if (e.Score > best) { kept.Add(e); best = e.Score; }
            fronts.Add(front = kept.ToArray());
        }
        return Trace(layers, fronts, front.Length - 1);
    }

    /// <summary>
    /// The spec's discretized DP (§2.6): FLOPs in units of <paramref name="delta"/>, each item rounded UP so every
    /// answer is truly feasible; O(L · |O| · cap/Δ). It can miss the exact optimum by the rounding slack.
    /// </summary>
    public static KnapsackResult? Discretized(IReadOnlyList<IReadOnlyList<KnapsackItem>> layers, long cap, long delta)
    {
        if (delta <= 0) throw new ArgumentOutOfRangeException(nameof(delta), delta, "must be positive");
        int units = checked((int)(cap / delta));
        var best = new double[units + 1];
        Array.Fill(best, double.NegativeInfinity);
        best[0] = 0;
        var choice = new int[layers.Count][];
        for (int l = 0; l < layers.Count; l++)
        {
            var next = new double[units + 1];
            Array.Fill(next, double.NegativeInfinity);
            choice[l] = new int[units + 1];
            for (int u = 0; u <= units; u++)
            {
                if (double.IsNegativeInfinity(best[u])) continue;
                for (int i = 0; i < layers[l].Count; i++)
                {
                    long w = (layers[l][i].Flops + delta - 1) / delta;
                    long v = u + w;
                    if (v > units) continue;
                    double s = best[u] + layers[l][i].Score;
                    if (s > next[v]) { next[v] = s; choice[l][v] = i; }
                }
            }
            best = next;
        }
        int at = -1;
        for (int u = 0; u <= units; u++) if (!double.IsNegativeInfinity(best[u]) && (at < 0 || best[u] > best[at])) at = u;
        if (at < 0) return null;
        var genes = new int[layers.Count];
        long flops = 0;
        double score = 0;
        for (int l = layers.Count - 1; l >= 0; l--)
        {
            var item = layers[l][choice[l][at]];
            genes[l] = item.Gene; flops += item.Flops; score += item.Score;
            at -= (int)((item.Flops + delta - 1) / delta);
        }
        return new KnapsackResult(genes, flops, score);
    }

    private static KnapsackResult Trace(IReadOnlyList<IReadOnlyList<KnapsackItem>> layers,
        List<(long Flops, double Score, int Prev, int Item)[]> fronts, int last)
    {
        var genes = new int[layers.Count];
        var top = fronts[^1][last];
        for (int l = layers.Count - 1, at = last; l >= 0; l--)
        {
            var e = fronts[l][at];
            genes[l] = layers[l][e.Item].Gene;
            at = e.Prev;
        }
        return new KnapsackResult(genes, top.Flops, top.Score);
    }
}
