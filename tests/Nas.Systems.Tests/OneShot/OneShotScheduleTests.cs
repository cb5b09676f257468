// The one-shot schedules as the config composes them (a technique on adds its systems, off they are absent), every preset run
// to its end under checked accesses, and the supernet's tensor roles as its layout declares them.
using Nas.Components;
using Nas.Systems.Methods;
using Nas.Systems.OneShot;
using Nas.Systems.OneShot.Supernet;
using Nas.Systems.Search;
using Nas.Torch;
using Nas.World;

namespace Nas.Systems.Tests.OneShot;

public sealed class OneShotScheduleTests
{
    private static List<string> Names(SearchConfig c) => OneShotMethod.Schedule(c).Entries.Select(e => e.System.Name).ToList();

    [Fact]
    public void SposIsFeedSampleForwardBackwardClipSgdThenTheEvolution()
    {
        Assert.Equal(
        [
            "feed-train-batch", "sample-path",
            "linear-lr", "path-forward", "path-backward", "clip-gradients", "path-sgd",
            "evolve",
            "oneshot-clock",
        ], Names(Presets.For("spos")));
    }

    [Fact]
    public void WithTwoRanksThePathGradientsAreAveragedBeforeTheClipAndTheRanksCheckAgreement()
    {
        var schedule = OneShotMethod.Schedule(Presets.For("spos"), worldSize: 2);
        Assert.Equal(
        [
            "feed-train-batch", "sample-path",
            "linear-lr", "path-forward", "path-backward", "all-reduce-weight-gradients", "clip-gradients", "path-sgd",
            "evolve",
            "oneshot-clock", "check-rank-agreement",
        ], schedule.Entries.Select(e => e.System.Name).ToList());
        Assert.Same(OneShotMethod.Training, schedule.Entries.Single(e => e.System.Name == "all-reduce-weight-gradients").When);
        Assert.Same(DataParallel.CheckDue, schedule.Entries.Single(e => e.System.Name == "check-rank-agreement").When);
    }

    [Fact]
    public void EachTechniqueAddsItsSystemsOnlyWhenItIsOn()
    {
        var spos = Names(Presets.For("spos"));
        Assert.DoesNotContain("shrink", spos);
        Assert.DoesNotContain("destroy-pruned", spos);
        Assert.DoesNotContain("bn-score-table", spos);
        Assert.DoesNotContain("facet-pool", spos);
        Assert.Contains("bn-score-table", Names(Presets.For("bn-nas")));
        Assert.Contains("facet-pool", Names(Presets.For("bnnas++")));
        var bs = Names(Presets.For("bs-nas"));
        Assert.Equal(bs.IndexOf("shrink") + 1, bs.IndexOf("destroy-pruned"));
        var window = Names(Presets.For("spos") with { FlopsWindowMin = 1e6, FlopsWindowMax = 2e6, FlopsBin = 1e5 });
        Assert.Contains("sample-path-in-flops-window", window);
        Assert.DoesNotContain("sample-path", window);
    }

    [Fact]
    public void TrainingSystemsRunWhileTheSupernetTrainsAndTheSearchAfter()
    {
        var schedule = OneShotMethod.Schedule(Presets.For("bs-nas"));
        foreach (var e in schedule.Entries)
        {
            var expected = e.Phase switch
            {
                "Feed" or "Sample" or "Weights" => OneShotMethod.Training,
                "Shrink" => OneShotMethod.ShrinkStageEnd,
                "Search" => OneShotMethod.Searching,
                _ => null,
            };
            Assert.Same(expected, e.When);
        }
    }

    [Theory]
    [InlineData("spos")]
    [InlineData("bn-nas")]
    [InlineData("bnnas++")]
    [InlineData("bs-nas")]
    public void NoOneShotSystemReadsTheWholeConfiguration(string method)
    {
        Assert.All(OneShotMethod.Schedule(Presets.For(method)).Entries, e =>
        {
            Assert.DoesNotContain(typeof(RunConfig), e.System.Access.Reads);
            Assert.DoesNotContain(typeof(RunConfig), e.System.Access.Writes);
        });
    }

    [Theory]
    [InlineData("spos")]
    [InlineData("bn-nas")]
    [InlineData("bnnas++")]
    [InlineData("bs-nas")]
    public void EveryOneShotSystemThatReachesTheSupernetTensorsDeclaresTheRolesItUses(string method)
    {
        // The cache hands tensors out only through role checks, so declaring the cache alone would fail at run time;
        // this names the system at once. Systems that only rebuild the cache (destroy-pruned) declare the roles they release.
        Type[] roles = [typeof(Weights), typeof(Momentum), typeof(RunningStats), typeof(InitialWeights)];
        Assert.All(OneShotMethod.Schedule(Presets.For(method)).Entries.Where(e => e.System.Access.CanRead(typeof(SupernetTensors))), e =>
            Assert.True(roles.Any(e.System.Access.CanRead), $"{e.System.Name} reaches SupernetTensors but declares none of its tensor roles"));
    }

    [Theory]
    [InlineData("spos")]
    [InlineData("spos-window")]
    [InlineData("bn-nas")]
    [InlineData("bnnas++")]
    [InlineData("bs-nas")]
    [InlineData("bs-nas-angle")]
    public void EveryPresetRunsToItsEndUnderCheckedAccesses(string variant)
    {
        var method = variant switch { "spos-window" => "spos", "bs-nas-angle" => "bs-nas", _ => variant };
        var config = OneShotSessionTests.Tiny(method) with { Epochs = method == "bs-nas" ? 2 : 1 }; // two epochs: bs-nas shrinks mid-run
        if (variant == "spos-window") config = config with { FlopsWindowMin = 2e5, FlopsWindowMax = 4e6, FlopsBin = 1e6 };
        if (variant == "bs-nas-angle") config = config with { ShrinkCriterion = ShrinkCriterion.Angle };
        Assert.Empty(Presets.Problems(config));
        using var s = OneShotSession.Create(config, OneShotSessionTests.TinyData());
        s.World.CheckAccesses = true; // every system touches only what it declares, through training, shrinking and the search
        int ops = s.World.CountOf<ChoiceOp>();
        while (!s.Finished)
        {
            s.Step();
            Assert.True(double.IsFinite(s.Metrics.TrainLoss) || s.Clock.Epoch >= config.Epochs, $"{variant}: train loss {s.Metrics.TrainLoss}");
        }
        Assert.NotNull(s.Best());
        if (method == "bs-nas")
        {
            Assert.True(s.World.CountOf<ChoiceOp>() < ops, $"{variant}: no op was pruned");
            Assert.All(s.Supernet.Tensors.Parameters, p => Assert.True(s.World.IsAlive(p.Owner), $"{variant}: {p.Name} of destroyed {p.Owner} still cached"));
        }
    }

    public static TheoryData<string, bool, bool, OneShotSpaceKind> Spaces() => new()
    {
        { "mobile", false, false, OneShotSpaceKind.Mobile },
        { "mobile spring", true, false, OneShotSpaceKind.Mobile },
        { "mobile unbiased", false, true, OneShotSpaceKind.Mobile },
        { "nb201", false, false, OneShotSpaceKind.Nb201 },
        { "nb201 unbiased", false, true, OneShotSpaceKind.Nb201 },
    };

    [Theory]
    [MemberData(nameof(Spaces))]
    public void TheLayoutDeclaresExactlyTheTensorsTheSpawnerStores(string name, bool spring, bool unbiased, OneShotSpaceKind space)
    {
        using var world = new Nas.World.World();
        using var g = new Generator(3);
        var spec = new OneShotNetwork(space, 1, 8, 4, 4, 1, spring, unbiased);
        var net = SupernetSpawn.Spawn(world, new SupernetSpec(spec, BnOnly: false, BnScope.LastBnPerOp), g);
        var declared = new HashSet<(Entity, string)>();
        foreach (var (op, layer) in SupernetLayout.Of(spec))
        {
            var owner = op is { } o ? net.Op(o.Layer, o.Choice, o.Cell) : net.Network;
            if (layer is not null) foreach (var (key, _) in layer.Tensors) Assert.True(declared.Add((owner, key)), $"{name}: {key} declared twice");
        }
        Assert.Equal(declared.OrderBy(k => k.ToString()), world.Tensors.All().Select(t => (t.Owner, t.Name)).OrderBy(k => k.ToString()));
        var bnTensors = net.Tensors.BatchNorms.Count * 4;
        Assert.Equal(world.Tensors.Count, net.Tensors.Parameters.Length + bnTensors / 2); // γ, β are parameters; mean, var are not
        Assert.Equal(net.Tensors.Parameters.Length, net.Tensors.Trainable.Length);
    }

    [Fact]
    public void BnOnlyTrainingFreezesEverythingButEachOpsOutputBn()
    {
        using var world = new Nas.World.World();
        using var g = new Generator(3);
        var spec = new OneShotNetwork(OneShotSpaceKind.Mobile, 1, 8, 4, 4, 1, false, true);
        var net = SupernetSpawn.Spawn(world, new SupernetSpec(spec, BnOnly: true, BnScope.LastBnPerOp), g);
        var outputs = net.Tensors.OutputBns.Values.SelectMany(bn => new[] { bn.Weight, bn.Bias }).ToHashSet();
        Assert.NotEmpty(outputs);
        Assert.Equal(outputs.Count, net.Tensors.Trainable.Length);
        Assert.All(net.Tensors.Trainable, p => Assert.Contains(p.Value, outputs));
        Assert.True(world.Has<Frozen>(net.Network));
    }

    [Fact]
    public void MomentumBuffersStartWithTheFirstGradientAndAreFoundAgainAfterASnapshot()
    {
        using var s = OneShotSession.Create(OneShotSessionTests.Tiny("spos"), OneShotSessionTests.TinyData());
        Assert.All(s.Supernet.Tensors.Parameters, p => Assert.Null(p.Momentum));
        s.Step();
        var onPath = s.Supernet.PathOps(s.World.Resource<SampledPath>().Genes).ToHashSet();
        var parameters = s.Supernet.Tensors.Parameters;
        Assert.All(parameters.Where(p => p.Momentum is not null), p => Assert.Same(s.World.Tensors.Get(p.Owner, p.MomentumKey), p.Momentum));
        Assert.All(parameters.Where(p => p.Owner != s.Supernet.Network && !onPath.Contains(p.Owner)), p => Assert.Null(p.Momentum));
        Assert.Contains(parameters, p => onPath.Contains(p.Owner) && p.Momentum is not null);

        var path = Path.Combine(Path.GetTempPath(), $"nas-momentum-{Guid.NewGuid():N}.msgpack");
        try
        {
            Nas.World.Snapshots.WorldSnapshot.Write(path, s.World, s.Clock.Step);
            using var loaded = Nas.World.Snapshots.WorldSnapshot.Read(path, SearchSnapshot.RegisterTypes).Body;
            var again = SupernetLayout.Index(loaded).Parameters;
            Assert.Equal(parameters.Select(p => (p.Owner, p.Name, p.Momentum is null)), again.Select(p => (p.Owner, p.Name, p.Momentum is null)));
            Assert.All(parameters.Zip(again).Where(x => x.First.Momentum is not null),
                x => Assert.Equal(x.First.Momentum!.ToFloatArray(), x.Second.Momentum!.ToFloatArray()));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
