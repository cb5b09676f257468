// Kendall τ_b and Spearman ρ with ties (§6), a seeded bootstrap interval and the top-10 % hit rate.
using Nas.World;

namespace Nas.Systems.OneShot;

public static class RankCorrelation
{
    /// <summary>
    /// τ_b = (n_c − n_d) / sqrt((n_0 − n_1)(n_0 − n_2)), n_1 and n_2 the tied pairs in x and in y; O(n²).
    /// NaN when either side is constant (the denominator is 0), as scipy returns.
    /// </summary>
    public static double KendallTauB(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        int n = CheckPair(x, y);
        long concordant = 0, discordant = 0, tiesX = 0, tiesY = 0;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                int sx = Math.Sign(x[i] - x[j]), sy = Math.Sign(y[i] - y[j]);
                if (sx == 0) tiesX++;
                if (sy == 0) tiesY++;
                if (sx * sy > 0) concordant++;
                else if (sx * sy < 0) discordant++;
            }
        long n0 = (long)n * (n - 1) / 2;
        double denom = Math.Sqrt((double)(n0 - tiesX) * (n0 - tiesY));
        return denom == 0 ? double.NaN : (concordant - discordant) / denom;
    }

    /// <summary>Pearson correlation of the average ranks (§6); NaN when either side is constant.</summary>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        CheckPair(x, y);
        return Pearson(AverageRanks(x), AverageRanks(y));
    }

    /// <summary>1-based ranks; tied values share the mean of the ranks they span.</summary>
    public static double[] AverageRanks(IReadOnlyList<double> v)
    {
        var order = Enumerable.Range(0, v.Count).OrderBy(i => v[i]).ToArray();
        var ranks = new double[v.Count];
        for (int s = 0; s < order.Length;)
        {
            int e = s;
            while (e + 1 < order.Length && v[order[e + 1]] == v[order[s]]) e++;
            double avg = (s + e) / 2.0 + 1;
            for (int k = s; k <= e; k++) ranks[order[k]] = avg;
            s = e + 1;
        }
        return ranks;
    }

    public static double Pearson(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        int n = CheckPair(x, y);
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < n; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx == 0 || syy == 0 ? double.NaN : sxy / Math.Sqrt(sxx * syy);
    }

    /// <summary>
    /// The 2.5 and 97.5 percentiles (linear interpolation) of <paramref name="statistic"/> over
    /// <paramref name="resamples"/> bootstrap resamples of the pairs (§6); resamples giving NaN are skipped.
    /// </summary>
    public static (double Low, double High) Bootstrap(IReadOnlyList<double> x, IReadOnlyList<double> y,
        Func<IReadOnlyList<double>, IReadOnlyList<double>, double> statistic, Rng rng, int resamples = 1000)
    {
        int n = CheckPair(x, y);
        var stats = new List<double>(resamples);
        var bx = new double[n];
        var by = new double[n];
        for (int r = 0; r < resamples; r++)
        {
            for (int i = 0; i < n; i++) { int k = rng.NextInt(n); bx[i] = x[k]; by[i] = y[k]; }
            var s = statistic(bx, by);
            if (!double.IsNaN(s)) stats.Add(s);
        }
        if (stats.Count == 0) return (double.NaN, double.NaN);
        stats.Sort();
        return (Quantile(stats, 0.025), Quantile(stats, 0.975));
    }

    /// <summary>
    /// Top-<paramref name="fraction"/> hit rate, higher is better on both sides: k = ⌈fraction·n⌉ (at least 1); the
    /// fraction of the k best cells by <paramref name="truth"/> that are also among the k best by <paramref name="score"/>.
    /// A tie across the k-th place is split evenly: each of the m values tied for the r places left counts as r/m of a
    /// member, so the result is the expected overlap / k when ties are broken uniformly at random. A score unrelated to
    /// the truth expects k/n; a constant score gets exactly k/n.
    /// </summary>
    public static double TopHitRate(IReadOnlyList<double> score, IReadOnlyList<double> truth, double fraction = 0.1)
    {
        int n = CheckPair(score, truth);
        if (!(fraction > 0 && fraction <= 1)) throw new ArgumentOutOfRangeException(nameof(fraction), $"fraction {fraction} must be in (0, 1]");
        int k = TopCount(n, fraction);
        var a = TopMembership(score, k);
        var b = TopMembership(truth, k);
        double overlap = 0;
        for (int i = 0; i < n; i++) overlap += a[i] * b[i];
        return overlap / k;
    }

    /// <summary>k = ⌈fraction·n⌉, at least 1; the 1e-9 keeps 0.1·60 at 6 whatever the rounding of the product.</summary>
    public static int TopCount(int n, double fraction) => Math.Clamp((int)Math.Ceiling(fraction * n - 1e-9), 1, n);

    /// <summary>1 for the values above the k-th largest, r/m for the m values equal to it (r places left), else 0.</summary>
    public static double[] TopMembership(IReadOnlyList<double> v, int k)
    {
        if (v.Any(double.IsNaN)) throw new ArgumentException("a top-k set is undefined for NaN values");
        double kth = v.OrderByDescending(x => x).ElementAt(k - 1);
        int above = v.Count(x => x > kth), tied = v.Count(x => x == kth);
        double share = (double)(k - above) / tied;
        return v.Select(x => x > kth ? 1 : x == kth ? share : 0).ToArray();
    }

    private static double Quantile(List<double> sorted, double q)
    {
        double pos = q * (sorted.Count - 1);
        int lo = (int)Math.Floor(pos), hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    private static int CheckPair(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException($"x has {x.Count} values, y has {y.Count}");
        if (x.Count < 2) throw new ArgumentException($"need at least 2 pairs, got {x.Count}");
        return x.Count;
    }
}
