// BCNN parameter counts against methods.md §1.8, and the layout's shape against the worked example of §4.2 / §4.3.
using System.Diagnostics;
using Nas.Components;
using Nas.Systems.Genotypes;
using Nas.Systems.Spaces.Broad;
using Nas.Systems.Spaces.Darts;
using Nas.Systems.Tests.Darts;

namespace Nas.Systems.Tests.Broad;

public sealed class BroadCountingTests
{
    // Released cells, copied from zixiangding/BNASv2 BNASv2CLR/genotypes.py and BNASv2PC/genotypes.py (commit cf2577f).
    internal const string ClrV1 = "Genotype(normal=[('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('avg_pool_3x3', 2), ('sep_conv_5x5', 1), ('sep_conv_3x3', 3), ('sep_conv_3x3', 1), ('dil_conv_3x3', 2)], normal_concat=range(2, 6), reduce=[('avg_pool_3x3', 0), ('dil_conv_3x3', 1), ('avg_pool_3x3', 0), ('avg_pool_3x3', 2), ('avg_pool_3x3', 2), ('avg_pool_3x3', 3), ('avg_pool_3x3', 2), ('max_pool_3x3', 1)], reduce_concat=range(2, 6))";
    internal const string ClrV2 = "Genotype(normal=[('sep_conv_3x3', 1), ('max_pool_3x3', 0), ('max_pool_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('dil_conv_3x3', 4)], normal_concat=range(2, 6), reduce=[('avg_pool_3x3', 0), ('dil_conv_5x5', 1), ('avg_pool_3x3', 2), ('avg_pool_3x3', 0), ('avg_pool_3x3', 2), ('avg_pool_3x3', 3), ('max_pool_3x3', 1), ('avg_pool_3x3', 3)], reduce_concat=range(2, 6))";
    internal const string PcV1 = "Genotype(normal=[('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('dil_conv_5x5', 2), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('sep_conv_3x3', 2), ('sep_conv_5x5', 1), ('sep_conv_5x5', 2)], normal_concat=range(2, 6), reduce=[('dil_conv_3x3', 0), ('skip_connect', 1), ('dil_conv_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('dil_conv_5x5', 0), ('skip_connect', 1), ('max_pool_3x3', 0)], reduce_concat=range(2, 6))";
    internal const string PcV2 = "Genotype(normal=[('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_5x5', 1), ('sep_conv_5x5', 2), ('sep_conv_3x3', 1), ('sep_conv_3x3', 2), ('sep_conv_5x5', 1), ('dil_conv_3x3', 4)], normal_concat=range(2, 6), reduce=[('skip_connect', 0), ('skip_connect', 1), ('dil_conv_3x3', 1), ('skip_connect', 0), ('max_pool_3x3', 0), ('skip_connect', 1), ('max_pool_3x3', 0), ('max_pool_3x3', 1)], reduce_concat=range(2, 6))";

    private static readonly BroadSearchLayout Search = new(Channels: 16, ConvBlocks: 2, EnhancementCells: 1, InputChannels: 3, InputSize: 32, Classes: 10);
    private static readonly BroadEvalLayout Eval = new(Channels: 48, DeepCells: 6, PoolTimes: 2, EnhancementCells: 2, InputChannels: 3, InputSize: 32, Classes: 10);

    [Fact]
    public void TheBnasDSearchSupernetHasThePublishedParameterCount()
    {
        Assert.Equal(1_224_762, BroadCounting.SearchNetwork(Search, OpKinds.DartsOrder).Params);
    }

    [Fact]
    public void TheBnasV2PcSearchSupernetWithKFourHasThePublishedParameterCount()
    {
        Assert.Equal(289_242, BroadCounting.SearchNetwork(Search, OpKinds.DartsOrder, partialK: 4).Params);
    }

    [Theory]
    [InlineData(ClrV1, 3_338_074)]
    [InlineData(ClrV2, 3_174_874)]
    [InlineData(PcV1, 3_678_682)]
    [InlineData(PcV2, 3_525_850)]
    public void EvaluationNetworksOfTheReleasedCellsHaveThePublishedParameterCounts(string genotype, long expected)
    {
        Assert.Equal(expected, BroadCounting.EvalNetwork(Eval, GenotypeText.Parse(genotype)).Params);
    }

    /// <summary>
    /// The analytic count of the evaluation network against tests/oracles/bcnn_eval.py, a PyTorch BCNN written from methods.md §4.3
    /// (it reproduces the published counts above): other depths, reductions, enhancement cells, inputs and genotypes.
    /// </summary>
    [Theory]
    [InlineData(ClrV2, 48, 3, 32, 6, 2, 2)]
    [InlineData(PcV2, 16, 1, 28, 6, 2, 1)]
    [InlineData(PcV1, 8, 1, 28, 3, 2, 1)]
    [InlineData(ClrV1, 12, 3, 32, 9, 3, 3)]
    [InlineData(CountingTests.DartsV2, 8, 1, 28, 4, 2, 2)]
    public void EvaluationNetworkCountsMatchThePyTorchOracle(string genotype, int channels, int inChannels, int size, int deep, int poolTimes, int enhancement)
    {
        var layout = new BroadEvalLayout(channels, deep, poolTimes, enhancement, inChannels, size, Classes: 10);
        var file = Path.GetTempFileName();
        File.WriteAllText(file, genotype);
        try
        {
            var psi = new ProcessStartInfo("/usr/bin/python3", [SupernetForwardTests.OraclePath("bcnn_eval.py"), "count",
                $"{channels}", $"{inChannels}", $"{size}", "10", $"{deep}", $"{poolTimes}", $"{enhancement}", file])
                { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEnd();
            var err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, "oracle failed: " + err);
            Assert.Equal(long.Parse(output.Trim()), BroadCounting.EvalNetwork(layout, GenotypeText.Parse(genotype)).Params);
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void TheSearchLayoutMatchesTheWorkedExample()
    {
        // §4.2 table: classifier input 16 + 32 + 256 = 304 channels, everything at 8x8; the conv cells reduce 32 -> 16 -> 8.
        var steps = Search.Steps();
        var classifier = Assert.IsType<ClassifierStep>(steps[^1]);
        Assert.Equal([16, 32, 256], classifier.Inputs.Select(i => steps[i].Channels));
        Assert.All(classifier.Inputs, i => Assert.Equal(8, steps[i].Size));
        var cells = steps.OfType<CellStep>().ToList();
        Assert.Equal([(BroadCellKind.Convolution, 32, 32), (BroadCellKind.Convolution, 64, 16), (BroadCellKind.Enhancement, 64, 8)],
            cells.Select(c => (c.Kind, c.Layout.C, c.Layout.InputSize)));
        // Enhancement cell 0 reads the two enhancement taps: e_0 (32 ch, halved to 8x8) and e_1 (256 ch).
        var en0 = cells[2];
        Assert.Equal((TapKind.Enhancement, 32, 8), Describe(steps[en0.Input0]));
        Assert.Equal((TapKind.Enhancement, 256, 8), Describe(steps[en0.Input1]));
        // Conv cell 1's s0 is the stem (48 ch at 32x32), brought down by FactorizedReduce.
        Assert.True(cells[1].Layout.ReductionPrev);
        Assert.Equal(48, cells[1].Layout.CPrevPrev);
    }

    [Fact]
    public void TheEvalLayoutFeedsTheClassifierFromFourTapsOf1104Channels()
    {
        var steps = Eval.Steps();
        var classifier = Assert.IsType<ClassifierStep>(steps[^1]);
        Assert.Equal([48, 96, 192, 768], classifier.Inputs.Select(i => steps[i].Channels));
        Assert.Equal(1104, classifier.InChannels);
        Assert.Equal([2, 5], Eval.ReductionCells);
        var enhancement = steps.OfType<CellStep>().Where(c => c.Kind == BroadCellKind.Enhancement).ToList();
        Assert.Equal([(96, 768), (768, 768)], enhancement.Select(c => (c.Layout.CPrevPrev, c.Layout.CPrev)));
        Assert.All(enhancement, c => Assert.Equal((192, 8), (c.Layout.C, c.Layout.InputSize)));
    }

    [Fact]
    public void EveryStepReadsOnlyEarlierValuesOfTheRightShape()
    {
        BroadSteps.Validate(Search.Steps());
        BroadSteps.Validate(Eval.Steps());
        BroadSteps.Validate((Search with { ConvBlocks = 3 }).Steps());
    }

    [Fact]
    public void AnOddMapBeforeAHalvingIsRejectedWithTheStepNamed()
    {
        // 28 -> 14 -> 7: a third conv block would reduce a 7x7 map.
        var e = Assert.Throws<ArgumentException>(() => BroadSteps.Validate((Search with { ConvBlocks = 3, InputSize = 28 }).Steps()));
        Assert.Contains("even", e.Message);
    }

    [Fact]
    public void OneConvolutionBlockIsRefusedBecauseEnhancementCellZeroNeedsTwoTaps()
    {
        var e = Assert.Throws<ArgumentException>(() => (Search with { ConvBlocks = 1 }).Steps());
        Assert.Contains("e_1", e.Message);
    }

    private static (TapKind, int, int) Describe(BroadStep step) => step switch
    {
        TapReduceStep r => (r.Kind, r.Channels, r.Size),
        TapStep t => (t.Kind, t.Channels, t.Size),
        _ => throw new InvalidOperationException(step.ToString()),
    };
}
