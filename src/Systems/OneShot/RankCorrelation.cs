// Kendall τ_b and Spearman ρ with ties (§6), plus a seeded bootstrap interval.
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
