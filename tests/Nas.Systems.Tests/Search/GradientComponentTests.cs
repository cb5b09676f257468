// The gradients as runtime-only components: where they live, the flat order the optimizers see, and that snapshots leave them out.
using Nas.Components;
using Nas.Systems.Methods;
using Nas.Systems.OneShot.Supernet;
using Nas.Systems.OneShot.Systems;
using Nas.Systems.Search;
using Nas.Torch;
using Nas.World;
using Nas.World.Snapshots;

namespace Nas.Systems.Tests.Search;

public sealed class GradientComponentTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nas-grad-components-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static void Run(Nas.World.World world, params ISystem[] systems)
    {
        foreach (var s in systems) world.RunSystem(s);
    }

    [Fact]
    public void TheBackwardsWriteOneGradientPerTensorOntoItsOwnerInTheCachesFlatOrder()
    {
        using var s = SearchSession.Create(PresetRunTests.TinyPreset("bnas-v2-pc"), DartsSearchTests.TinyData());
        s.World.CheckAccesses = true; // every system touches the gradient components only as it declares
        var net = s.Runtime;
        Assert.True(net.HasBeta);
        Run(s.World, new FeedBatchesSystem(), new MixingWeightsSystem(), new ForwardLossSystem(PassBatch.Train), new BackwardSystem(GradientTargets.Weights));
        var weights = GradientComponents.Weights(s.World);
        Assert.Equal(net.WeightCount, weights.Length);
        var tensors = net.Weights(s.World);
        for (var i = 0; i < weights.Length; i++)
            if (weights[i] is { } g) Assert.Equal(tensors[i].Shape, g.Shape);
        Assert.Contains(weights, g => g is not null);
        // Each owner's component is as long as its Weights role: the same owners, the same order.
        foreach (var e in s.World.Query<Weights>().ToList())
            Assert.Equal(s.World.Read<Weights>(e).Names.Length, s.World.Read<WeightGrads>(e).Values.Length);

        Run(s.World, new MixingWeightsSystem(), new ForwardLossSystem(PassBatch.Train), new BackwardSystem(GradientTargets.Arch));
        var arch = GradientComponents.Arch(s.World);
        var archTensors = net.Arch(s.World);
        Assert.Equal(4, arch.Length); // normal alpha, beta, reduce alpha, beta
        for (var i = 0; i < arch.Length; i++) Assert.Equal(archTensors[i].Shape, arch[i]!.Shape);
        var normal = s.World.Query<Architecture>().ToList()[0];
        Assert.Same(arch[0], s.World.Read<AlphaGrad>(normal).Value);
        Assert.Same(arch[1], s.World.Read<BetaGrad>(normal).Value);
    }

    [Fact]
    public void TheOptimizersReleaseTheGradientsTheyConsumed()
    {
        using var s = SearchSession.Create(DartsSearchTests.Tiny(), DartsSearchTests.TinyData());
        s.World.CheckAccesses = true;
        s.Step();
        Assert.All(GradientComponents.Weights(s.World), g => Assert.Null(g));
        Assert.All(GradientComponents.Arch(s.World), g => Assert.Null(g));
        Assert.Equal(s.Runtime.WeightCount, GradientComponents.Weights(s.World).Length);
    }

    [Fact]
    public void ASnapshotAfterAStepHoldsNoGradientComponentAndTheResumedRunIsExact()
    {
        const int Steps = 4;
        float[] straight, after;
        using (var s = SearchSession.Create(DartsSearchTests.Tiny(), DartsSearchTests.TinyData()))
        {
            for (var i = 0; i < Steps; i++) s.Step();
            straight = [.. s.Alpha(CellType.Normal).SelectMany(r => r), .. s.Runtime.Weights(s.World)[0].ToFloatArray()];
        }
        var store = new SnapshotStore(_dir, keep: 1);
        using (var s = SearchSession.Create(DartsSearchTests.Tiny(), DartsSearchTests.TinyData()))
        {
            for (var i = 0; i < Steps / 2; i++) s.Step();
            Assert.True(s.World.CountOf<WeightGrads>() > 0);
            SearchSnapshot.Save(s, store);
        }
        var loaded = SearchSnapshot.LoadNewestValid(store, out _)!;
        Assert.Equal(0, loaded.Body.CountOf<WeightGrads>());
        Assert.Equal(0, loaded.Body.CountOf<AlphaGrad>());
        Assert.True(loaded.Body.CountOf<Weights>() > 0);
        using var resumed = Assert.IsType<SearchSession>(SearchSnapshot.Resume(loaded.Body, _ => DartsSearchTests.TinyData()));
        Assert.Equal(resumed.World.CountOf<Weights>(), resumed.World.CountOf<WeightGrads>());
        Assert.Equal(2, resumed.World.CountOf<AlphaGrad>());
        while (resumed.Clock.Step < Steps) resumed.Step();
        after = [.. resumed.Alpha(CellType.Normal).SelectMany(r => r), .. resumed.Runtime.Weights(resumed.World)[0].ToFloatArray()];
        Assert.Equal(straight, after); // bit for bit
    }

    [Fact]
    public void AOneShotSupernetsGradientsLiveOnTheOwnersOfItsTrainableTensors()
    {
        using var s = OneShotSession.Create(OneShot.OneShotSessionTests.Tiny("spos"), OneShot.OneShotSessionTests.TinyData());
        var trainable = s.Supernet.Tensors.Trainable;
        var owners = trainable.Select(p => p.Owner).Distinct().ToList();
        Assert.Equal(owners, s.World.Query<WeightGrads>().ToList()); // creation order, as the cache orders its owners
        foreach (var o in owners) Assert.Equal(trainable.Count(p => p.Owner == o), s.World.Read<WeightGrads>(o).Values.Length);

        s.World.CheckAccesses = true;
        Run(s.World, new FeedTrainBatchSystem(), new SamplePathSystem(), new LinearLrSystem(), new PathForwardSystem(), new PathBackwardSystem());
        var grads = GradientComponents.Weights(s.World);
        Assert.Equal(trainable.Length, grads.Length);
        for (var i = 0; i < grads.Length; i++)
            if (grads[i] is { } g) Assert.Equal(trainable[i].Value.Shape, g.Shape);
        Assert.Contains(grads, g => g is not null);
        Assert.Contains(grads, g => g is null); // ops off the sampled path get none
    }

    [Fact]
    public void UnderBnOnlyTrainingAnOwnerWithNothingToTrainGetsNoGradientComponent()
    {
        using var s = OneShotSession.Create(OneShot.OneShotSessionTests.Tiny("bn-nas"), OneShot.OneShotSessionTests.TinyData());
        Assert.True(s.World.CountOf<Frozen>() > 0);
        foreach (var e in s.World.Query<Frozen>().ToList()) Assert.False(s.World.Has<WeightGrads>(e));
        Assert.Equal(s.Supernet.Tensors.Trainable.Length, GradientComponents.Weights(s.World).Length);
    }
}
