// NAS-Bench-201 plumbing (§5, §7 V8): arch strings, the 15,625-cell enumeration, and skeleton counts.
using Nas.Systems.OneShot.NasBench201;

namespace Nas.Systems.Tests.OneShot;

public sealed class Nb201Tests
{
    private const string SpecExample = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";

    [Fact]
    public void TheSpecExampleParsesToItsEdgeOps()
    {
        // §5.3: node1 = conv3(n0); node2 = conv3(n0) + pool(n1); node3 = skip(n0) + conv3(n1) + skip(n2).
        Assert.Equal([3, 3, 4, 1, 3, 1], Nb201Cell.Parse(SpecExample));
    }

    [Fact]
    public void EnumerationHasFifteenThousandSixHundredTwentyFiveDistinctCellsThatRoundTrip()
    {
        var strings = new HashSet<string>();
        int i = 0;
        foreach (var ops in Nb201Cell.All())
        {
            var s = Nb201Cell.Format(ops);
            Assert.Equal(ops, Nb201Cell.Parse(s));
            Assert.Equal(i++, Nb201Cell.Index(Nb201Cell.Parse(s)));
            strings.Add(s);
        }
        Assert.Equal(15_625, strings.Count);
    }

    [Fact]
    public void TheLastEdgeVariesFastestInTheEnumeration()
    {
        Assert.Equal("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", Nb201Cell.Format(Nb201Cell.FromIndex(0)));
        Assert.Equal("|none~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|", Nb201Cell.Format(Nb201Cell.FromIndex(1)));
        Assert.Equal("|skip_connect~0|+|none~0|none~1|+|none~0|none~1|none~2|", Nb201Cell.Format(Nb201Cell.FromIndex(3125)));
        // enum_index = Σ op_e · 5^(5−e) for [3,3,4,1,3,1]
        Assert.Equal(3 * 3125 + 3 * 625 + 4 * 125 + 1 * 25 + 3 * 5 + 1, Nb201Cell.Index(Nb201Cell.Parse(SpecExample)));
    }

    [Theory]
    [InlineData("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|", "at character 48", "'+' before the group of node 3")]
    [InlineData("|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|", "at character 1", "unknown op 'conv'")]
    [InlineData("|none~1|+|none~0|none~1|+|none~0|none~1|none~2|", "at character 6", "must read '~0'")]
    [InlineData("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|x", "at character 47", "unexpected text")]
    [InlineData("none~0|+|none~0|none~1|+|none~0|none~1|none~2|", "at character 0", "'|' opening the group of node 1")]
    public void ABadArchStringIsRefusedNamingThePositionAndTheFormat(string text, string position, string reason)
    {
        var e = Assert.Throws<FormatException>(() => Nb201Cell.Parse(text));
        Assert.Contains(position, e.Message);
        Assert.Contains(reason, e.Message);
        Assert.Contains(Nb201Cell.FormatHint, e.Message);
    }

    [Fact]
    public void TheCifarSkeletonMatchesTheBenchmarksSmallestAndLargestCells()
    {
        // NB-201's CIFAR-10 extremes as the benchmark records them (params 0.073306 / 1.531546 M, FLOPs 7.78305 /
        // 220.11969 M; recalled [R]), which our hand count of §5.2 reproduces exactly (see docs/one-shot.md).
        var empty = Nb201Network.NetworkCost(Nb201Cell.Parse("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"), Nb201Layout.Cifar);
        var full = Nb201Network.NetworkCost([3, 3, 3, 3, 3, 3], Nb201Layout.Cifar);
        Assert.Equal(73_306, empty.Params);
        Assert.Equal(7_783_050, empty.Macs);
        Assert.Equal(1_531_546, full.Params);
        Assert.Equal(220_119_690, full.Macs);
    }

    [Fact]
    public void AFashionMnistSkeletonCountsEachStageAtItsOwnMapSize()
    {
        // By hand for 1×28×28, cells of one 1×1 conv edge: stem 1·16·9 + BN 32; residuals as on CIFAR;
        // cells (C² + 2C) × 5 per stage; MACs 28²·16² + 14²·32² + 7²·64², ×5; stem MACs 28²·144; head 64·10 + 10.
        int[] ops = [2, 0, 0, 0, 0, 0];
        var layout = Nb201Layout.FashionMnist;
        Assert.Equal([28, 14, 7], layout.Stages.Select(s => s.Size));
        var cost = Nb201Network.NetworkCost(ops, layout);
        long residuals = (16 * 32 * 9 + 64 + 32 * 32 * 9 + 64 + 16 * 32) + (32 * 64 * 9 + 128 + 64 * 64 * 9 + 128 + 32 * 64);
        long cells = 5 * ((16 * 16 + 32) + (32 * 32 + 64) + (64 * 64 + 128));
        Assert.Equal(144 + 32 + residuals + cells + 128 + 650, cost.Params);
        long residualMacs = 14 * 14 * (16 * 32 * 9 + 32 * 32 * 9 + 16 * 32) + 7 * 7 * (32 * 64 * 9 + 64 * 64 * 9 + 32 * 64);
        long cellMacs = 5L * (28 * 28 * 16 * 16 + 14 * 14 * 32 * 32 + 7 * 7 * 64 * 64);
        Assert.Equal(28 * 28 * 144 + residualMacs + cellMacs + 650, cost.Macs);
    }

    [Fact]
    public void TheUnbiasedSupernetGivesSkipAndPoolABatchNormButNotNone()
    {
        // §3.2: 2C affine parameters each for skip and pool, none for `none`, no FLOPs for any BN.
        var biased = Nb201Network.CellCost([1, 4, 0, 0, 0, 0], 16, 32);
        var unbiased = Nb201Network.CellCost([1, 4, 0, 0, 0, 0], 16, 32, bnOnEveryOp: true);
        Assert.Equal(0, biased.Params);
        Assert.Equal(2 * 2 * 16, unbiased.Params);
        Assert.Equal(0, unbiased.Macs);
    }
}
