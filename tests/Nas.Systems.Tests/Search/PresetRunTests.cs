// Every differentiable preset, and combinations of techniques, run end to end on tiny synthetic data; refused combinations name their fields.
using Nas.Components;
using Nas.Systems.Methods;
using Nas.Systems.Search;

namespace Nas.Systems.Tests.Search;

public sealed class PresetRunTests
{
    /// <summary>The preset at tiny size; warm-up off (it must be shorter than the 2 epochs) and K = 2 where partial channels are on.</summary>
    internal static SearchConfig TinyPreset(string method)
    {
        var c = DartsSearchTests.Tiny(method) with { WarmupEpochs = 0 };
        return c.PartialChannels > 1 ? c with { Channels = 8, PartialChannels = 2 } : c;
    }

    [Theory]
    [InlineData("darts")]
    [InlineData("pc-darts")]
    [InlineData("bnas-d")]
    [InlineData("bnas-v2-clr")]
    [InlineData("bnas-v2-pc")]
    [InlineData("dropnas")]
    public void EveryPresetRunsTwoStepsAndChangesWeightsAndAlphas(string method)
    {
        var config = TinyPreset(method);
        Assert.Empty(Presets.Problems(config));
        using var session = SearchSession.Create(config, DartsSearchTests.TinyData());
        session.World.CheckAccesses = true; // every system of the schedule touches only what it declares
        var weightsBefore = session.Runtime.Weights(session.World).Select(w => w.ToFloatArray()).ToArray();
        var normalBefore = session.Alpha(CellType.Normal).SelectMany(r => r).ToArray();
        var reduceBefore = session.Alpha(CellType.Reduce).SelectMany(r => r).ToArray();
        session.Step();
        session.Step();
        var changed = session.Runtime.Weights(session.World).Zip(weightsBefore).Count(p => !p.First.ToFloatArray().SequenceEqual(p.Second));
        Assert.True(changed > session.Runtime.WeightCount / 2, $"{method}: only {changed} of {session.Runtime.WeightCount} weight tensors changed");
        Assert.NotEqual(normalBefore, session.Alpha(CellType.Normal).SelectMany(r => r));
        Assert.NotEqual(reduceBefore, session.Alpha(CellType.Reduce).SelectMany(r => r));
        Assert.True(double.IsFinite(session.Metrics.TrainLoss), $"{method}: train loss {session.Metrics.TrainLoss}");
        Assert.Equal(8, session.Genotype().Normal.Count);
    }

    [Theory]
    [InlineData("darts", false)]
    [InlineData("darts", true)] // second order: the unrolled gradient moves and restores weights and BN statistics
    [InlineData("pc-darts", false)]
    [InlineData("bnas-d", false)]
    [InlineData("bnas-v2-clr", false)]
    [InlineData("bnas-v2-pc", false)]
    [InlineData("dropnas", false)]
    public void EveryPresetRunsToItsEndUnderCheckedAccesses(string method, bool secondOrder)
    {
        // One warm-up epoch of two, so both the frozen-alpha steps and the architecture steps run; every tensor role is checked.
        var config = TinyPreset(method) with { WarmupEpochs = 1, SecondOrder = secondOrder };
        Assert.Empty(Presets.Problems(config));
        using var session = SearchSession.Create(config, DartsSearchTests.TinyData());
        session.World.CheckAccesses = true;
        var steps = 0;
        while (!session.Finished) { session.Step(); steps++; }
        Assert.Equal(session.Clock.StepsPerEpoch * config.Epochs, steps);
        Assert.True(double.IsFinite(session.Metrics.TrainLoss), $"{method}: train loss {session.Metrics.TrainLoss}");
        Assert.Equal(8, session.Genotype().Normal.Count);
    }

    [Fact]
    public void PartialChannelsClrAndDropNasRunTogetherInTheBroadSpace()
    {
        var config = DartsSearchTests.Tiny("dropnas") with
        {
            Space = SearchSpace.Broad, PartialChannels = 2, EdgeNormalization = true, ConfidentLrPower = 2, DropRate = 0.3,
        };
        Assert.Empty(Presets.Problems(config));
        using var session = SearchSession.Create(config, DartsSearchTests.TinyData());
        session.World.CheckAccesses = true;
        var before = session.Alpha(CellType.Normal).SelectMany(r => r).ToArray();
        session.Step();
        Assert.NotEqual(before, session.Alpha(CellType.Normal).SelectMany(r => r));
        Assert.True(session.World.HasResource<DropMasks>());
        Assert.True(double.IsFinite(session.Metrics.TrainLoss));
    }

    [Fact]
    public void DropoutWithoutOneLevelIsRefusedNamingBothFields()
    {
        var problems = Presets.Problems(Presets.For("darts") with { DropRate = 3e-5 });
        var p = Assert.Single(problems);
        Assert.Contains("drop_rate", p);
        Assert.Contains("one_level", p);
    }

    [Fact]
    public void ABroadSpaceWithOneConvBlockIsRefusedNamingTheField()
    {
        var problems = Presets.Problems(Presets.For("bnas-d") with { ConvBlocks = 1 });
        Assert.Contains(problems, p => p.Contains("conv_blocks") && p.Contains("got 1"));
    }

    [Fact]
    public void SecondOrderDropNasIsRefusedNamingTheFields()
    {
        var problems = Presets.Problems(Presets.For("dropnas") with { SecondOrder = true });
        Assert.Contains(problems, p => p.Contains("second_order") && p.Contains("one_level"));
        Assert.Contains(problems, p => p.Contains("drop_rate") && p.Contains("second_order"));
    }
}
