// End-to-end behaviour of a small DARTS search on synthetic data.
using Nas.Components;
using Nas.Systems.Data;
using Nas.Systems.Methods;
using Nas.Systems.Search;
using Nas.Torch;

namespace Nas.Systems.Tests.Search;

public sealed class DartsSearchTests
{
    internal static SearchConfig Tiny(string method = "darts") => Presets.For(method) with
    {
        Layers = 3, Channels = 4, Batch = 8, Epochs = 2, Threads = 1, Dataset = "synthetic",
    };

    internal static Dataset TinyData() => Synthetic.LoadTrain(new SyntheticSpec(Channels: 1, Height: 8, Width: 8, Classes: 4, TrainCount: 64, TestCount: 16, Seed: 3));

    [Fact]
    public void TwoStepsChangeBothWeightsAndAlphas()
    {
        using var session = SearchSession.Create(Tiny(), TinyData());
        var weightsBefore = session.Runtime.Weights(session.World).Select(w => w.ToFloatArray()).ToArray();
        var alphaBefore = session.Alpha(CellType.Normal);
        session.Step();
        session.Step();
        var changedWeights = session.Runtime.Weights(session.World).Zip(weightsBefore).Count(p => !p.First.ToFloatArray().SequenceEqual(p.Second));
        Assert.True(changedWeights > session.Runtime.WeightCount / 2, $"only {changedWeights} of {session.Runtime.WeightCount} weight tensors changed");
        Assert.NotEqual(alphaBefore.SelectMany(r => r), session.Alpha(CellType.Normal).SelectMany(r => r));
        Assert.Equal(2, session.Clock.Step);
        Assert.True(double.IsFinite(session.Metrics.TrainLoss) && double.IsFinite(session.Metrics.ValLoss));
    }

    [Fact]
    public void TheSameSeedGivesBitIdenticalLossesAndAlphas()
    {
        static (double[] Losses, float[] Alpha) Run()
        {
            using var s = SearchSession.Create(Tiny(), TinyData());
            var losses = new List<double>();
            for (var i = 0; i < 3; i++) { s.Step(); losses.Add(s.Metrics.TrainLoss); }
            return (losses.ToArray(), s.Alpha(CellType.Reduce).SelectMany(r => r).ToArray());
        }
        var a = Run();
        var b = Run();
        Assert.Equal(a.Losses, b.Losses);
        Assert.Equal(a.Alpha, b.Alpha);
    }

    [Fact]
    public void ASecondOrderStepUpdatesAlphasAndLeavesWeightsToTheWeightStep()
    {
        using var session = SearchSession.Create(Tiny() with { SecondOrder = true }, TinyData());
        var alphaBefore = session.Alpha(CellType.Normal).SelectMany(r => r).ToArray();
        session.Step();
        Assert.NotEqual(alphaBefore, session.Alpha(CellType.Normal).SelectMany(r => r));
        Assert.True(double.IsFinite(session.Metrics.ValLoss));
    }


    [Fact]
    public void PartialChannelsAndEdgeNormalizationRunAndDeriveAGenotype()
    {
        var config = Tiny("pc-darts") with { Channels = 8, PartialChannels = 2, WarmupEpochs = 0 };
        using var session = SearchSession.Create(config, TinyData());
        session.Step();
        var g = session.Genotype();
        Assert.Equal(8, g.Normal.Count);
        Assert.All(g.Normal, e => Assert.NotEqual(OpKind.None, e.Op));
    }
}

[Collection(LiveTensorCollection.Name)]
public sealed class SearchLeakTests
{
    [Fact]
    public void ASearchStepReturnsTheLiveTensorCountToItsBaseline()
    {
        using var session = SearchSession.Create(DartsSearchTests.Tiny(), DartsSearchTests.TinyData());
        session.Step();
        var baseline = Tensor.LiveCount;
        session.Step();
        session.Step();
        Assert.Equal(baseline, Tensor.LiveCount);
    }
}
