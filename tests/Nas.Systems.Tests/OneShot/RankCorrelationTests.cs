// Kendall τ_b and Spearman ρ (§6) against textbook values and an independent numpy computation.
using System.Diagnostics;
using System.Globalization;
using Nas.Systems.OneShot;
using Nas.World;

namespace Nas.Systems.Tests.OneShot;

public sealed class RankCorrelationTests
{
    [Fact]
    public void TheSpecsTestVectorsGiveTheirStatedValues()
    {
        double[] x = [1, 2, 3, 4];
        Assert.Equal(1, RankCorrelation.KendallTauB(x, x), 12);
        Assert.Equal(1, RankCorrelation.Spearman(x, x), 12);
        Assert.Equal(-1, RankCorrelation.KendallTauB(x, x.Reverse().ToArray()), 12);
        Assert.Equal(-1, RankCorrelation.Spearman(x, x.Reverse().ToArray()), 12);
        Assert.Equal(4.0 / 6, RankCorrelation.KendallTauB(x, [1, 3, 2, 4]), 12);
        Assert.Equal(0.8, RankCorrelation.Spearman(x, [1, 3, 2, 4]), 12);
    }

    [Fact]
    public void TiesUseTauBAndAverageRanks()
    {
        // By hand: 4 concordant, 0 discordant, one tie in each of x and y: 4 / sqrt(5·5) = 0.8.
        // Ranks x = [1, 2.5, 2.5, 4], y = [1, 2, 3.5, 3.5]: Pearson = 3.75 / 4.5.
        double[] x = [1, 2, 2, 3], y = [1, 2, 3, 3];
        Assert.Equal([1, 2.5, 2.5, 4], RankCorrelation.AverageRanks(x));
        Assert.Equal(0.8, RankCorrelation.KendallTauB(x, y), 12);
        Assert.Equal(3.75 / 4.5, RankCorrelation.Spearman(x, y), 12);
    }

    [Fact]
    public void AConstantSideHasNoCorrelation()
    {
        Assert.True(double.IsNaN(RankCorrelation.KendallTauB([1, 1, 1], [1, 2, 3])));
        Assert.True(double.IsNaN(RankCorrelation.Spearman([1, 2, 3], [5, 5, 5])));
    }

    [Fact]
    public void TauAndRhoMatchNumpyOnTiedRandomData()
    {
        // scipy is not installed on this machine, so the oracle is numpy with the textbook formulas written
        // independently (sign matrices for τ_b, np.unique-based average ranks for ρ); tolerance 1e-12.
        var rng = new Rng(12);
        var x = Enumerable.Range(0, 60).Select(_ => (double)rng.NextInt(12)).ToArray();
        var y = x.Select(v => v + rng.NextInt(8)).ToArray();
        const string script = """
            import sys, numpy as np
            x, y = (np.array([float(v) for v in line.split()]) for line in sys.stdin.read().strip().split("\n"))
            sx, sy = np.sign(x[:, None] - x[None, :]), np.sign(y[:, None] - y[None, :])
            iu = np.triu_indices(len(x), 1)
            sx, sy = sx[iu], sy[iu]
            n0 = len(sx)
            tau = (sx * sy).sum() / np.sqrt((n0 - (sx == 0).sum()) * (n0 - (sy == 0).sum()))
            def ranks(v):
                order = np.argsort(v, kind="stable"); r = np.empty(len(v)); r[order] = np.arange(1, len(v) + 1)
                for u in np.unique(v): r[v == u] = r[v == u].mean()
                return r
            rho = np.corrcoef(ranks(x), ranks(y))[0, 1]
            print(repr(float(tau)), repr(float(rho)))
            """;
        var psi = new ProcessStartInfo("/usr/bin/python3", ["-c", script]) { RedirectStandardInput = true, RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        p.StandardInput.WriteLine(string.Join(' ', x.Select(v => v.ToString(CultureInfo.InvariantCulture))));
        p.StandardInput.WriteLine(string.Join(' ', y.Select(v => v.ToString(CultureInfo.InvariantCulture))));
        p.StandardInput.Close();
        var parts = p.StandardOutput.ReadToEnd().Split(' ', StringSplitOptions.TrimEntries);
        p.WaitForExit();
        Assert.Equal(double.Parse(parts[0], CultureInfo.InvariantCulture), RankCorrelation.KendallTauB(x, y), 12);
        Assert.Equal(double.Parse(parts[1], CultureInfo.InvariantCulture), RankCorrelation.Spearman(x, y), 12);
    }

    [Fact]
    public void TheBootstrapIntervalBracketsTheStatisticAndIsReproducible()
    {
        var rng = new Rng(5);
        var x = Enumerable.Range(0, 40).Select(i => (double)i).ToArray();
        var y = x.Select(v => v + 20 * rng.NextDouble()).ToArray();
        var a = new Rng(99);
        var b = new Rng(99);
        var (lo, hi) = RankCorrelation.Bootstrap(x, y, RankCorrelation.KendallTauB, a, 300);
        Assert.Equal((lo, hi), RankCorrelation.Bootstrap(x, y, RankCorrelation.KendallTauB, b, 300));
        double tau = RankCorrelation.KendallTauB(x, y);
        Assert.True(lo < tau && tau < hi, $"{lo} < {tau} < {hi}");
    }

    [Fact]
    public void TheTopTenPercentIsTheCeilingOfATenthAndAtLeastOne()
    {
        Assert.Equal(6, RankCorrelation.TopCount(60, 0.1));
        Assert.Equal(2, RankCorrelation.TopCount(12, 0.1));
        Assert.Equal(1, RankCorrelation.TopCount(3, 0.1));
        Assert.Equal(7, RankCorrelation.TopCount(61, 0.1));
    }

    [Fact]
    public void TheHitRateCountsTheTrueTopCellsTheScoreAlsoPutsOnTop()
    {
        // By hand: n = 20, k = 2; the true top two are cells 18 and 19; the score's top two are 19 and 5: one hit of 2.
        var truth = Enumerable.Range(0, 20).Select(i => (double)i).ToArray();
        var score = new double[20];
        score[19] = 10;
        score[5] = 9;
        Assert.Equal(0.5, RankCorrelation.TopHitRate(score, truth), 12);
        Assert.Equal(1, RankCorrelation.TopHitRate(truth, truth), 12);
        Assert.Equal(0, RankCorrelation.TopHitRate(truth.Select(v => -v).ToArray(), truth), 12);
    }

    [Fact]
    public void ATieAcrossTheCutCountsAsTheExpectedOverlapOfARandomTieBreak()
    {
        // By hand: n = 10, k = 1; the truth's top is cell 9; the score ties cells 8 and 9 for first: each is half a member.
        var truth = Enumerable.Range(0, 10).Select(i => (double)i).ToArray();
        double[] score = [0, 0, 0, 0, 0, 0, 0, 0, 5, 5];
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 0, 0.5, 0.5], RankCorrelation.TopMembership(score, 1));
        Assert.Equal(0.5, RankCorrelation.TopHitRate(score, truth), 12);
        // A constant score ties everything: k/n, what a random ranking expects (k = 2 of 20 here).
        Assert.Equal(0.1, RankCorrelation.TopHitRate(new double[20], Enumerable.Range(0, 20).Select(i => (double)i).ToArray()), 12);
        // Three values tied for the last 2 of k = 3 places (n = 30, values 10, 9, 9, 9, 0…): 1 + 3·(2/3).
        var v = new double[30];
        v[0] = 10; v[1] = 9; v[2] = 9; v[3] = 9;
        var m = RankCorrelation.TopMembership(v, 3);
        Assert.Equal(1, m[0]);
        Assert.All(m[1..4], x => Assert.Equal(2.0 / 3, x, 12));
        Assert.Equal(3, m.Sum(), 12);
    }
}
