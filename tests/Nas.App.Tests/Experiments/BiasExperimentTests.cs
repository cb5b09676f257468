// The bias experiment (V3) at the smallest size: its files recomputed from the cell strings and the γ tables, the statistics by hand, bad flags.
using System.Globalization;
using Nas.App.Experiments;
using Nas.App.Tests.Inputs;
using Nas.Components;
using Nas.Systems.Data;
using Nas.Systems.OneShot.NasBench201;

namespace Nas.App.Tests.Experiments;

public sealed class BiasExperimentTests
{
    private static readonly Dataset Tiny = Synthetic.LoadTrain(new SyntheticSpec(Channels: 1, Height: 8, Width: 8, TrainCount: 128, TestCount: 16));
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static BiasExperimentOptions Options(string dir) =>
        new(Subset: 0, Channels: 2, Batch: 16, SupernetEpochs: 1, Seeds: 2, Seed: 5, Top: 20, Data: Tiny, OutDir: dir);

    /// <summary>
    /// MACs and params of a cell on the 1×8×8 input at C = 2 from the op names of its string alone: the all-none network's
    /// cost plus, per stage (C·2^s channels on an (8/2^s)² map), C² MACs and C² + 2C params per conv 1×1 and 9× that per conv 3×3 (BN 2C).
    /// </summary>
    private static (long Macs, long Params) ByHand(string cell)
    {
        var none = Nb201Network.NetworkCost(new int[Nb201Cell.EdgeCount], new Nb201Layout(2, 1, 1, 8, 10));
        int n1 = CountOf(cell, "nor_conv_1x1"), n3 = CountOf(cell, "nor_conv_3x3");
        long macs = none.Macs, parameters = none.Params;
        foreach (var (c, size) in new[] { (2, 8), (4, 4), (8, 2) })
        {
            macs += (n1 + 9L * n3) * c * c * size * size;
            parameters += n1 * (c * c + 2L * c) + n3 * (9L * c * c + 2L * c);
        }
        return (macs, parameters);
    }

    private static int CountOf(string text, string word) => text.Split('|').Count(part => part.StartsWith(word + "~", StringComparison.Ordinal));

    [Fact]
    public void ARunsFilesAgreeWithTheCellStringsAndWithEveryCellsIndicatorRecomputedFromTheGammaTables()
    {
        var dir = Directory.CreateTempSubdirectory("nas-bias-");
        var console = new StringWriter();
        var run = BiasExperiment.Run(Options(dir.FullName), console);

        // bn-table.csv: 2 seeds × 2 supernets × 6 edges × 5 ops; none has no BN (0) on both, skip and pool have none on the biased one only.
        var gamma = new Dictionary<(string Seed, string Net), double[][]>();
        foreach (var line in File.ReadLines(Path.Combine(dir.FullName, BiasReport.TableFile)).Skip(1))
        {
            var f = line.Split(',');
            var table = gamma.TryGetValue((f[0], f[1]), out var t) ? t : gamma[(f[0], f[1])] = Enumerable.Range(0, 6).Select(_ => new double[5]).ToArray();
            table[int.Parse(f[2], Inv)][Nb201Cell.OpNames.ToList().IndexOf(f[5])] = double.Parse(f[6], Inv);
        }
        Assert.Equal(["5/biased", "5/unbiased", "6/biased", "6/unbiased"], gamma.Keys.Select(k => $"{k.Seed}/{k.Net}").Order());
        foreach (var ((_, net), table) in gamma)
            for (int e = 0; e < 6; e++)
            {
                Assert.Equal(0, table[e][(int)Nb201Op.None]);
                Assert.True(table[e][(int)Nb201Op.NorConv1x1] > 0 && table[e][(int)Nb201Op.NorConv3x3] > 0);
                Assert.Equal(net == "unbiased", table[e][(int)Nb201Op.SkipConnect] > 0);
                Assert.Equal(net == "unbiased", table[e][(int)Nb201Op.AvgPool3x3] > 0);
            }

        var rows = File.ReadLines(Path.Combine(dir.FullName, BiasReport.CsvFile)).ToList();
        Assert.Equal("seed,supernet,rank,cell,indicator,macs,params,conv_edges", rows[0]);
        Assert.Equal(2 * 2 * 20, rows.Count - 1);
        foreach (var group in rows.Skip(1).Select(r => r.Split(',')).GroupBy(f => (f[0], f[1])))
        {
            var table = gamma[group.Key];
            // Every cell's indicator from the table (summed in edge order, as the indicator is); the 20 highest, ties to the smaller index.
            var all = Nb201Cell.All().Select(g => g.Select((op, e) => table[e][op]).Aggregate(0.0, (s, v) => s + v)).ToArray();
            var expected = Enumerable.Range(0, all.Length).OrderByDescending(i => all[i]).ThenBy(i => i).Take(20).Select(i => Nb201Cell.Format(Nb201Cell.FromIndex(i)));
            var top = group.ToList();
            Assert.Equal(Enumerable.Range(1, 20).Select(r => r.ToString(Inv)), top.Select(f => f[2]));
            Assert.Equal(expected, top.Select(f => f[3]));
            double twentieth = double.Parse(top[^1][4], Inv);
            var chosen = top.Select(f => Nb201Cell.Index(Nb201Cell.Parse(f[3]))).ToHashSet();
            Assert.All(Enumerable.Range(0, all.Length).Where(i => !chosen.Contains(i)), i => Assert.True(all[i] <= twentieth, $"cell {i} scores {all[i]} above the 20th {twentieth}"));
            foreach (var f in top)
            {
                Assert.Equal(all[Nb201Cell.Index(Nb201Cell.Parse(f[3]))], double.Parse(f[4], Inv));
                var (macs, parameters) = ByHand(f[3]);
                Assert.Equal(macs, long.Parse(f[5], Inv));
                Assert.Equal(parameters, long.Parse(f[6], Inv));
                Assert.Equal(CountOf(f[3], "nor_conv_1x1") + CountOf(f[3], "nor_conv_3x3"), int.Parse(f[7], Inv));
            }
            // The profile in the run (and bias.md) is the CSV's: conv share of the 120 edges, median MACs.
            var seed = run.Seeds.Single(s => s.Seed.ToString(Inv) == group.Key.Item1);
            var profile = (group.Key.Item2 == "biased" ? seed.Biased : seed.Unbiased).Profile;
            Assert.Equal(top.Sum(f => int.Parse(f[7], Inv)) / 120.0, profile.ConvShare, 12);
            var sortedMacs = top.Select(f => double.Parse(f[5], Inv)).Order().ToArray();
            Assert.Equal((sortedMacs[9] + sortedMacs[10]) / 2, profile.MedianMacs);
        }
        Assert.Contains("seed 6 done", console.ToString());
        dir.Delete(recursive: true);
    }

    [Fact]
    public void TheBaselineRowDescribesTheWholeSpaceAndEachSeedGetsASentence()
    {
        var dir = Directory.CreateTempSubdirectory("nas-bias-");
        var run = BiasExperiment.Run(Options(dir.FullName) with { Seeds = 1 }, TextWriter.Null);
        var md = File.ReadAllLines(Path.Combine(dir.FullName, BiasReport.MarkdownFile));
        var baseline = md.First(l => l.StartsWith("| whole space |", StringComparison.Ordinal)).Split('|', StringSplitOptions.TrimEntries)[2..^1];
        // Over all 5^6 cells each op is on 1/5 of the edges: conv 2/5 of all, 2/4 of the non-none ones. 6,466 unique cells by NB-201's rule (docs/one-shot.md).
        var cells = Nb201Cell.All().Select(g => Nb201Cell.Format(g)).ToList();
        double meanMacs = cells.Average(c => (double)ByHand(c).Macs), meanParams = cells.Average(c => (double)ByHand(c).Params);
        Assert.Equal(["15,625", "6,466", "40.0 %", "50.0 %", "20.0 %", "20.0 %", "20.0 %", "20.0 %", "20.0 %", meanMacs.ToString("N0", Inv)], baseline[..10]);
        Assert.Equal(meanParams.ToString("N0", Inv), baseline[12]);
        // The 4^6 cells without a none edge: each of the other four ops on 1/4 of the edges.
        var noNone = md.First(l => l.StartsWith("| cells without a none edge |", StringComparison.Ordinal)).Split('|', StringSplitOptions.TrimEntries)[2..^1];
        Assert.Equal(["4,096", "50.0 %", "50.0 %", "0.0 %", "25.0 %", "25.0 %", "25.0 %", "25.0 %"], noNone[..1].Concat(noNone[2..9]));
        Assert.Equal(1, md.Count(l => l.StartsWith("Seed 5: the claim ", StringComparison.Ordinal)));
        Assert.Single(md, l => l.StartsWith("Of the biased indicator's best 64 cells, ", StringComparison.Ordinal) && l.Contains("(there are 64)") && l.Contains("of the unbiased indicator's best 4,096, "));
        Assert.Contains(md, l => l == $"The claim held in {(run.Seeds[0].Held ? 1 : 0)} of 1 seeds.");
        dir.Delete(recursive: true);
    }

    [Fact]
    public void TheTopSetIsTheHighestScoresWithTiesToTheSmallerIndex()
    {
        Assert.Equal([3, 1, 2], BiasStatistics.Top([0, 5, 5, 7, 1], 3));
        Assert.Equal([2, 4], BiasStatistics.Top([0, 5, 5, 7, 1], 4)[2..]);
        Assert.Throws<ArgumentOutOfRangeException>(() => BiasStatistics.Top([1, 2], 3));
        Assert.Equal(2, BiasStatistics.Overlap([1, 2, 3], [3, 4, 1]));
        Assert.Equal(0, BiasStatistics.CountInTop([0, 5, 5, 7, 1], 2, i => i % 2 == 0)); // the best two are 3 and 1; the third, 2, is out
        Assert.Equal(1, BiasStatistics.CountInTop([0, 5, 5, 7, 1], 3, i => i % 2 == 0));
    }

    [Fact]
    public void APercentileCountsTheValuesBelowAndHalfTheTiedOnes()
    {
        double[] sorted = [1, 2, 2, 2, 5];
        Assert.Equal(100.0 * (1 + 1.5) / 5, BiasStatistics.Percentile(sorted, 2), 12);
        Assert.Equal(0, BiasStatistics.Percentile(sorted, 0.5));
        Assert.Equal(80, BiasStatistics.Percentile(sorted, 3), 12);
        Assert.Equal(90, BiasStatistics.Percentile(sorted, 5), 12);
    }

    [Fact]
    public void AProfileCountsOpsOverAllEdgesAndOverTheNonNoneOnes()
    {
        var space = new Nb201SpaceCosts(new Nb201Layout(2, 1, 1, 8, 10));
        // Two cells by hand: 6 conv 3x3; and 2 none, 1 skip, 1 conv 1x1, 2 pool. 7 conv of 12 edges, of 10 non-none.
        var a = Nb201Cell.Index([3, 3, 3, 3, 3, 3]);
        var b = Nb201Cell.Index([0, 1, 2, 4, 4, 0]);
        var p = BiasStatistics.Profile(space, [a, b]);
        Assert.Equal(7 / 12.0, p.ConvShare, 12);
        Assert.Equal(7 / 10.0, p.ConvShareOfNonNone, 12);
        Assert.Equal([2 / 12.0, 1 / 12.0, 1 / 12.0, 6 / 12.0, 2 / 12.0], p.OpShare);
        Assert.Equal((ByHand(Nb201Cell.Format(space.Cells[a])).Macs + ByHand(Nb201Cell.Format(space.Cells[b])).Macs) / 2.0, p.MedianMacs);
        Assert.Equal(2, p.Classes);
        Assert.True(double.IsNaN(BiasStatistics.Profile(space, [0]).ConvShareOfNonNone)); // the all-none cell has no non-none edge
    }

    [Theory]
    [InlineData("--seeds", "0", "--seeds must be at least 1, got 0")]
    [InlineData("--top", "0", "--top must be in 1..15625")]
    [InlineData("--top", "15626", "--top must be in 1..15625 (the NB-201 cells), got 15626")]
    [InlineData("--supernet-epochs", "0", "--supernet-epochs must be at least 1")]
    [InlineData("--channels", "0", "--channels must be at least 1")]
    [InlineData("--batch", "0", "--batch must be at least 1")]
    [InlineData("--subset", "-5", "--subset must be 0 (all images) or positive, got -5")]
    public void BadFlagsAreRefusedNamingTheFlagBeforeAnythingIsWritten(string flag, string value, string says)
    {
        var dir = Directory.CreateTempSubdirectory("nas-bias-");
        var outDir = Path.Combine(dir.FullName, "out");
        var (code, _, stderr) = CliRun.Run(["experiment", "bias", "--out", outDir, flag, value]);
        Assert.Equal(2, code);
        Assert.Contains("nas experiment bias: " + says, stderr);
        Assert.False(Directory.Exists(outDir));
        dir.Delete(recursive: true);
    }
}
