// End-to-end behaviour of the one-shot sessions (SPOS, BN-NAS, BNNAS++, BS-NAS) on tiny synthetic data.
using Nas.Components;
using Nas.Systems.Data;
using Nas.Systems.Methods;
using Nas.Systems.OneShot;
using Nas.Systems.OneShot.NasBench201;
using Nas.Systems.OneShot.Search;
using Nas.Systems.OneShot.Supernet;
using Nas.Systems.OneShot.Systems;
using Nas.Torch;
using Nas.World;

namespace Nas.Systems.Tests.OneShot;

public sealed class OneShotSessionTests
{
    internal static SearchConfig Tiny(string method) => Presets.For(method) with
    {
        Batch = 16, Epochs = 1, Threads = 1, Dataset = "synthetic", Population = 4, Generations = 2, RecalibrationBatches = 1,
        EvalBatches = 1, FacetPool = 4, FacetProbe = 8, FacetDraws = 2, CellsPerStage = 1, Channels = 4, TrainPortion = 0.5,
        ShrinkFirstStage = 1, ShrinkLaterStage = 1, ShrinkSubnets = 4,
    };

    internal static Dataset TinyData() =>
        Synthetic.LoadTrain(new SyntheticSpec(Channels: 1, Height: 8, Width: 8, Classes: 4, TrainCount: 64, TestCount: 16, Seed: 5));

    private static Dictionary<(Entity, string), float[]> Parameters(OneShotSupernet net) =>
        net.Parameters().ToDictionary(p => (p.Owner, p.Name), p => p.Tensor.ToFloatArray());

    [Fact]
    public void ASposStepChangesOnlyTheSampledPathsWeights()
    {
        using var s = OneShotSession.Create(Tiny("spos"), TinyData());
        var before = Parameters(s.Supernet);
        s.Step();
        var genome = s.World.Resource<SampledPath>().Genes;
        var onPath = s.Supernet.PathOps(genome).ToHashSet();
        var network = s.Supernet.Network;
        var changed = Parameters(s.Supernet).Where(kv => !kv.Value.SequenceEqual(before[kv.Key])).Select(kv => kv.Key).ToList();
        Assert.All(changed, k => Assert.True(onPath.Contains(k.Item1) || k.Item1 == network, $"{k.Item2} of {k.Item1} is off the path but changed"));
        var pathOps = onPath.Where(e => s.World.Tensors.NamesOf(e).Count > 0).ToList();
        Assert.NotEmpty(pathOps);
        Assert.All(pathOps, e => Assert.Contains(changed, k => k.Item1 == e && k.Item2 == "project"));
    }

    [Fact]
    public void BnOnlyTrainingLeavesConvolutionWeightsBitIdentical()
    {
        using var s = OneShotSession.Create(Tiny("bn-nas"), TinyData());
        var before = Parameters(s.Supernet);
        for (int i = 0; i < 2; i++) s.Step();
        var after = Parameters(s.Supernet);
        var convs = s.Supernet.Tensors.Parameters.Where(p => p.Role is not (TensorRole.BnWeight or TensorRole.BnBias)).Select(p => (p.Owner, p.Name)).ToList();
        Assert.NotEmpty(convs);
        Assert.All(convs, k => Assert.Equal(before[k], after[k]));
        Assert.Contains(before.Keys, k => k.Item2 == "out.weight" && !before[k].SequenceEqual(after[k]));
        Assert.True(s.World.Has<Frozen>(s.Supernet.Network));
    }

    [Fact]
    public void BnNasSearchFindsTheKnapsackOptimumOfItsGammaTable()
    {
        // NB-201 scores and FLOPs are additive over edges, so the exact knapsack is the oracle (§2.6); the EA's budget
        // (P 50, T 20 ≈ 1,050 of 15,625 cells) found it on every seed tried in docs/one-shot.md.
        var data = TinyData();
        var layout = new Nb201Layout(4, 1, 1, 8, 4);
        var space = new Nb201Space(layout);
        long fixedFlops = Nb201Network.FixedCost(layout).Macs;
        long cap = (space.EdgeFlops((int)Nb201Op.NorConv3x3) * 6 + space.EdgeFlops((int)Nb201Op.NorConv1x1) * 6) / 4;
        var config = Tiny("bn-nas") with { OneShotSpace = OneShotSpaceKind.Nb201, Population = 50, Generations = 20, FlopsLimit = fixedFlops + cap };
        using var s = OneShotSession.Create(config, data);
        while (!s.Finished) s.Step();
        var table = s.World.Resource<BnScoreTable>().Table;
        var items = Enumerable.Range(0, 6).Select(e => (IReadOnlyList<KnapsackItem>)Enumerable.Range(0, 5)
            .Select(o => new KnapsackItem(o, space.EdgeFlops(o), table[e][o])).ToList()).ToList();
        var oracle = Knapsack.Exact(items, cap)!;
        var best = s.Best()!.Value;
        Assert.Equal(oracle.Score, -best.Fitness, 9); // same table sums: agreement to 1e-9
        Assert.True(best.Flops <= config.FlopsLimit);
    }

    [Theory]
    [InlineData("spos")]
    [InlineData("bn-nas")]
    [InlineData("bnnas++")]
    [InlineData("bs-nas")]
    public void EachMethodRunsToFinishedAndYieldsAResult(string method)
    {
        var config = Tiny(method) with { Epochs = method == "bs-nas" ? 2 : 1 };
        using var s = OneShotSession.Create(config, TinyData());
        int steps = 0;
        while (!s.Finished && steps < 100) { s.Step(); steps++; }
        Assert.True(s.Finished, $"not finished after {steps} steps");
        Assert.Equal(2 * config.Epochs + config.Generations + 1, steps); // 32 training images / 16 per batch, then Start + T generations
        var (text, json) = s.Result();
        Assert.False(string.IsNullOrWhiteSpace(text));
        Assert.Contains("\"genes\"", json);
        if (config.OneShotSpace == OneShotSpaceKind.Nb201) Nb201Cell.Parse(text.Trim());
        Assert.True(s.World.CountOf<ArchCandidate>() >= config.Population);
    }

    [Fact]
    public void TheSameSeedGivesIdenticalResults()
    {
        static (string Json, double[] Losses) Run()
        {
            using var s = OneShotSession.Create(Tiny("spos"), TinyData());
            var losses = new List<double>();
            while (!s.Finished) { s.Step(); losses.Add(s.Metrics.TrainLoss); }
            return (s.Result().Json, losses.ToArray());
        }
        var a = Run();
        var b = Run();
        Assert.Equal(a.Json, b.Json);
        Assert.Equal(a.Losses, b.Losses);
    }
}

[Collection(LiveTensorCollection.Name)]
public sealed class OneShotShrinkTests
{
    [Fact]
    public void DestroyingAPrunedOpReleasesItsTensors()
    {
        using var s = OneShotSession.Create(OneShotSessionTests.Tiny("bs-nas"), OneShotSessionTests.TinyData());
        var op = s.Supernet.Op(3, 5);
        int owned = s.World.Tensors.NamesOf(op).Count;
        Assert.True(owned > 0);
        s.World.Add(op, new Pruned());
        long live = Tensor.LiveCount;
        s.World.RunSystem(new DestroyPrunedSystem());
        Assert.False(s.World.IsAlive(op));
        Assert.Equal(live - owned, Tensor.LiveCount);
    }

    [Fact]
    public void ShrinkingAtAStageEndDestroysTheTurnedOffOps()
    {
        var config = OneShotSessionTests.Tiny("bs-nas") with { Epochs = 2 };
        using var s = OneShotSession.Create(config, OneShotSessionTests.TinyData());
        var opsBefore = s.Supernet.Ops().Select(o => o.Entity).ToList();
        var size = Nas.Systems.OneShot.BsNas.Shrinking.SpaceSize(s.World.Resource<Nas.Components.ActiveOptions>());
        s.Step();
        s.Step(); // the last step of epoch 0 ends the first stage: shrink, then destroy
        var active = s.World.Resource<Nas.Components.ActiveOptions>();
        Assert.True(Nas.Systems.OneShot.BsNas.Shrinking.SpaceSize(active) < size);
        var gone = opsBefore.Where(e => !s.World.IsAlive(e)).ToList();
        int prunedOps = active.Ops.Sum(o => o.Length);
        Assert.Equal(opsBefore.Count - gone.Count, s.World.CountOf<ChoiceOp>());
        Assert.All(gone, e => Assert.Empty(s.World.Tensors.NamesOf(e)));
        Assert.Equal(s.World.CountOf<ChoiceOp>(), prunedOps); // every surviving op entity is an active option
        Assert.Equal(0, s.World.CountOf<Pruned>());
    }
}
