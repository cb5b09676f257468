// V3 (BNNAS++'s bias claim): what a set of NB-201 cells is made of (op shares, conv shares, MACs, params) and which cells an indicator ranks first; pure functions.
using Nas.Components;
using Nas.Systems.OneShot.NasBench201;

namespace Nas.App.Experiments;

/// <summary>
/// What one set of NB-201 cells is made of. <see cref="ConvShare"/>: conv 1×1 and conv 3×3 edges over all 6·n edges;
/// <see cref="ConvShareOfNonNone"/>: the same over the set's non-none edges, pooled (NaN when every edge is none);
/// <see cref="OpShare"/>[o]: edges carrying op o (Nb201Op order) over 6·n. <see cref="Classes"/>: distinct cells by NB-201's own rule (Nb201Dedupe.Benchmark, 6,466 in all).
/// <see cref="MacsPercentile"/>: where the set's median MACs sits in the whole space, in percent (cells with fewer MACs,
/// ties counted half). MACs and params are the stand-alone network's (Nb201Network.NetworkCost, NB-201's BN placement).
/// </summary>
public sealed record CellSetProfile(
    int Cells, int Classes, double ConvShare, double ConvShareOfNonNone, double[] OpShare,
    double MeanMacs, double MedianMacs, double MacsPercentile, double MeanParams, double MedianParams);

/// <summary>Every NB-201 cell (canonical enumeration order) with its cost in one layout: computed once, read by index.</summary>
public sealed class Nb201SpaceCosts
{
    public Nb201SpaceCosts(Nb201Layout layout)
    {
        Layout = layout;
        Cells = Nb201Cell.All().ToList();
        var costs = Cells.Select(g => Nb201Network.NetworkCost(g, layout)).ToArray();
        Macs = costs.Select(c => (double)c.Macs).ToArray();
        Params = costs.Select(c => (double)c.Params).ToArray();
        SortedMacs = Macs.Order().ToArray();
    }

    public Nb201Layout Layout { get; }
    public IReadOnlyList<int[]> Cells { get; }
    public double[] Macs { get; }
    public double[] Params { get; }
    public double[] SortedMacs { get; }
    public IReadOnlyList<int> All => Enumerable.Range(0, Cells.Count).ToArray();
}

public static class BiasStatistics
{
    /// <summary>The claim's thresholds [I]: "nearly all conv" is at least 90 % of the top set's edges; "high FLOPs" is a median at or above the space's 75th percentile.</summary>
    public const double NearAllConv = 0.9, HighMacsPercentile = 75;

    public static bool IsConv(int op) => op is (int)Nb201Op.NorConv1x1 or (int)Nb201Op.NorConv3x3;

    public static int ConvEdges(ReadOnlySpan<int> genome)
    {
        int n = 0;
        foreach (var op in genome) if (IsConv(op)) n++;
        return n;
    }

    /// <summary>
    /// The indices of the <paramref name="k"/> highest scores, best first. A tie is broken by the smaller index (the
    /// canonical enumeration index), so the set is the same on every run.
    /// </summary>
    public static int[] Top(IReadOnlyList<double> scores, int k)
    {
        if (k < 1 || k > scores.Count) throw new ArgumentOutOfRangeException(nameof(k), k, $"must be in 1..{scores.Count}");
        if (scores.Any(double.IsNaN)) throw new ArgumentException($"score {scores.ToList().FindIndex(double.IsNaN)} is NaN");
        return Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ThenBy(i => i).Take(k).ToArray();
    }

    /// <summary>How many of the <paramref name="k"/> highest scores (<see cref="Top"/>'s order) belong to cells that satisfy <paramref name="member"/>.</summary>
    public static int CountInTop(IReadOnlyList<double> scores, int k, Func<int, bool> member) => Top(scores, k).Count(member);

    /// <summary>How many indices the two sets share.</summary>
    public static int Overlap(IEnumerable<int> a, IEnumerable<int> b) => a.Intersect(b).Count();

    /// <summary>Percent of <paramref name="sorted"/> below <paramref name="value"/>, values equal to it counted half.</summary>
    public static double Percentile(double[] sorted, double value)
    {
        int below = LowerBound(sorted, value), upTo = LowerBound(sorted, Math.BitIncrement(value));
        return 100.0 * (below + 0.5 * (upTo - below)) / sorted.Length;
    }

    private static int LowerBound(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (sorted[mid] < value) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    /// <summary>The profile of the cells at <paramref name="indices"/> of the space.</summary>
    public static CellSetProfile Profile(Nb201SpaceCosts space, IReadOnlyList<int> indices)
    {
        if (indices.Count == 0) throw new ArgumentException("a profile needs at least one cell");
        var counts = new long[Nb201Cell.OpCount];
        foreach (var i in indices)
            foreach (var op in space.Cells[i]) counts[op]++;
        long edges = (long)indices.Count * Nb201Cell.EdgeCount;
        long conv = counts[(int)Nb201Op.NorConv1x1] + counts[(int)Nb201Op.NorConv3x3], nonNone = edges - counts[(int)Nb201Op.None];
        var macs = indices.Select(i => space.Macs[i]).ToArray();
        var parameters = indices.Select(i => space.Params[i]).ToArray();
        double medianMacs = RankTraining.Median(macs);
        int classes = indices.Select(i => Nb201Isomorphism.Key(space.Cells[i], Nb201Dedupe.Benchmark)).Distinct().Count();
        return new CellSetProfile(indices.Count, classes, (double)conv / edges, nonNone == 0 ? double.NaN : (double)conv / nonNone,
            counts.Select(c => (double)c / edges).ToArray(), macs.Average(), medianMacs, Percentile(space.SortedMacs, medianMacs),
            parameters.Average(), RankTraining.Median(parameters));
    }

    /// <summary>
    /// Whether one seed bears the claim out: the biased top set is nearly all conv (≥ <see cref="NearAllConv"/>) with a
    /// median MACs at or above the space's <see cref="HighMacsPercentile"/>th percentile, and the unbiased top set's conv share is lower.
    /// </summary>
    public static (bool BiasedAllConv, bool BiasedHighMacs, bool UnbiasedFalls) Claim(CellSetProfile biased, CellSetProfile unbiased) =>
        (biased.ConvShare >= NearAllConv, biased.MacsPercentile >= HighMacsPercentile, unbiased.ConvShare < biased.ConvShare);
}
