// SPOS's uniform constraint sampling in supernet training (§1.3): a FLOPs bin uniformly, then a path inside it.
using Nas.Systems.Methods;
using Nas.Systems.OneShot;
using Nas.Systems.OneShot.NasBench201;
using Nas.Systems.OneShot.Search;
using Nas.Systems.OneShot.Systems;
using Nas.World;

namespace Nas.Systems.Tests.OneShot;

public sealed class FlopsWindowTests
{
    /// <summary>
    /// NB-201 FLOPs are the fixed part plus units of one 1×1 conv edge (a 3×3 edge is 9 units, the others 0). Four bins
    /// of 9 units starting half a unit below the fixed part: no cell's FLOPs fall on a bin edge.
    /// </summary>
    private static (Nb201Space Space, double Lo, double Hi, double Bin) Window()
    {
        var space = new Nb201Space(Nb201Layout.FashionMnist);
        double unit = space.EdgeFlops((int)Nb201Op.NorConv1x1), fixedFlops = space.Flops(new int[6]);
        Assert.Equal(9 * unit, space.EdgeFlops((int)Nb201Op.NorConv3x3));
        double lo = fixedFlops - unit / 2, bin = 9 * unit;
        return (space, lo, lo + 4 * bin, bin);
    }

    private static int[] BinCounts(IEnumerable<int[]> genomes, IChoiceSpace space, double lo, double bin, int bins)
    {
        var counts = new int[bins + 1]; // the last slot counts genomes above the window
        foreach (var g in genomes) counts[Math.Min(bins, (int)((space.Flops(g) - lo) / bin))]++;
        return counts;
    }

    [Fact]
    public void BinSamplingIsUniformOverTheBinsWhereUniformPathsAreNot()
    {
        // 2,000 draws: each bin expects 500 (binomial σ ≈ 19); ±100 is 5σ. Uniform paths put over twice as many in the
        // cheapest bin as in the dearest one (most edges are free ops), which is what the window corrects.
        var (space, lo, hi, bin) = Window();
        var rng = new Rng(21);
        var windowed = Enumerable.Range(0, 2000).Select(_ => ChoiceSpaces.InFlopsBin(space, lo, hi, bin, n => rng.NextInt(n), () => ChoiceSpaces.Uniform(space, rng))).ToList();
        var counts = BinCounts(windowed, space, lo, bin, 4);
        Assert.Equal(0, counts[4]);
        Assert.All(counts.Take(4), c => Assert.InRange(c, 400, 600));
        var plain = BinCounts(Enumerable.Range(0, 2000).Select(_ => ChoiceSpaces.Uniform(space, rng)).ToList(), space, lo, bin, 4);
        Assert.True(plain[0] > 2 * plain[3], $"uniform bins {string.Join(", ", plain)}");
    }

    [Fact]
    public void AnUnreachableBinFallsBackToOneUnconstrainedDrawAfterTheTries()
    {
        var (space, _, hi, bin) = Window();
        var rng = new Rng(2);
        int draws = 0;
        var g = ChoiceSpaces.InFlopsBin(space, hi * 10, hi * 10 + bin, bin, n => rng.NextInt(n), () => { draws++; return ChoiceSpaces.Uniform(space, rng); }, maxTries: 50);
        Assert.Equal(51, draws);
        Assert.Equal(Nb201Cell.EdgeCount, g.Length);
        Assert.Equal(7, ChoiceSpaces.FlopsBins(290e6, 360e6, 10e6)); // SPOS's window (§1.3)
    }

    [Fact]
    public void TrainingPathsAreDrawnInsideTheConfiguredWindow()
    {
        var (space, lo, hi, bin) = Window();
        var config = OneShotSessionTests.Tiny("spos") with
        {
            OneShotSpace = Nas.Components.OneShotSpaceKind.Nb201, CellsPerStage = 5, Channels = 16, FlopsWindowMin = lo, FlopsWindowMax = hi, FlopsBin = bin,
            IdentityChoice = Nas.Components.IdentityChoice.Searchable, // the spos preset's "off" is a mobile-space option
        };
        Assert.Empty(Presets.Problems(config));
        var spec = new Nas.Components.OneShotNetwork(Nas.Components.OneShotSpaceKind.Nb201, 1, 28, 10, 16, 5, false, false); // = Nb201Layout.FashionMnist
        var rng = new Rng(5);
        var paths = Enumerable.Range(0, 200).Select(_ => SamplePathSystem.DrawFor(new Nas.Components.FlopsWindowSettings(lo, hi, bin), spec, null, 0, config.Epochs, rng)).ToList();
        Assert.All(paths, g => Assert.InRange(space.Flops(g), lo, hi));
        Assert.Equal(4, paths.Select(g => (int)((space.Flops(g) - lo) / bin)).Distinct().Count());
    }

    [Theory]
    [InlineData(0.0, 100.0, 0.0, "flops_bin must be positive")]
    [InlineData(100.0, 50.0, 10.0, "flops_window_min must be in [0, flops_window_max (50))")]
    [InlineData(10.0, 0.0, 5.0, "need flops_window_max > 0")]
    public void ABadWindowIsRefusedNamingTheField(double min, double max, double bin, string message)
    {
        var problems = Presets.Problems(Presets.For("spos") with { FlopsWindowMin = min, FlopsWindowMax = max, FlopsBin = bin });
        Assert.Contains(problems, p => p.Contains(message, StringComparison.Ordinal));
    }
}
