// BS-NAS shrinking by ABS's angle criterion (§4.4, §7 V5): the angle itself, the pruning rule, and a tiny search end to end.
using Nas.Components;
using Nas.Systems.Methods;
using Nas.Systems.OneShot;
using Nas.Systems.OneShot.BsNas;
using Nas.Systems.OneShot.Supernet;
using Nas.Systems.OneShot.Systems;
using Nas.Torch;
using Nas.World;
using Nas.World.Snapshots;

namespace Nas.Systems.Tests.OneShot;

public sealed class AngleShrinkTests
{
    private static SearchConfig TinyAngle(int epochs = 1) =>
        OneShotSessionTests.Tiny("bs-nas") with { Epochs = epochs, ShrinkCriterion = ShrinkCriterion.Angle };

    [Fact]
    public void TheAngleOfUnchangedWeightsIsZeroAndOfNegatedWeightsIsPi()
    {
        using var g = new Generator(3);
        using var a = Tensor.Randn([4, 3, 3, 3], g);
        using var b = Tensor.Randn([17], g);
        using var minusA = a.Neg();
        using var minusB = b.Neg();
        Assert.Equal(0.0, PathAngle.Of([(a, a), (b, b)]));
        Assert.Equal(Math.PI, PathAngle.Of([(a, minusA), (b, minusB)]));
    }

    [Fact]
    public void TheAngleIsThatOfTheConcatenatedPieces()
    {
        // init (1, 0 | 0), now (1, 0 | 1): cos = 1/√2 over the concatenation, though the second piece alone is degenerate.
        using var i1 = Tensor.FromSpan(new float[] { 1, 0 }, [2]);
        using var i2 = Tensor.FromSpan(new float[] { 0 }, [1]);
        using var n2 = Tensor.FromSpan(new float[] { 1 }, [1]);
        Assert.Equal(Math.PI / 4, PathAngle.Of([(i1, i1), (i2, n2)]), 12);
        Assert.Throws<ArgumentException>(() => PathAngle.FromSums(0, 0, 1));
    }

    [Fact]
    public void TheAngleRulePrunesTheSmallestMeanAngleEvenWhereZScoresWouldPickAnotherLayer()
    {
        // Layer 0's ops 0/1 have mean angles 0.1 and 0.2, layer 1's ops 0/1/2 have 0.5, 0.9, 1.0. The raw ranking (ABS)
        // turns off layer 0's op 0; z-scores would pick layer 1's op 0 (z ≈ −1.39 against −1). Widths are unscored, so stay.
        var active = new ActiveOptions([[0, 1], [0, 1, 2]], [[0], [0]]);
        var q = new Dictionary<OptionKey, double>
        {
            [new(0, OptionKind.Op, 0)] = 0.1, [new(0, OptionKind.Op, 1)] = 0.2,
            [new(1, OptionKind.Op, 0)] = 0.5, [new(1, OptionKind.Op, 1)] = 0.9, [new(1, OptionKind.Op, 2)] = 1.0,
        };
        Assert.Equal([new OptionKey(0, OptionKind.Op, 0)], Shrinking.ChooseToPrune(active, q, 1, zScore: false));
        Assert.Equal([new OptionKey(1, OptionKind.Op, 0)], Shrinking.ChooseToPrune(active, q, 1));
        // Never a group's last option: with D = 4 the raw rule stops at one op per layer.
        Assert.Equal(3, Shrinking.ChooseToPrune(active, q, 4, zScore: false).Count);
    }

    [Fact]
    public void EveryPathOfAFreshSupernetHasAngleZeroAndTrainingTurnsTheSampledOne()
    {
        using var s = OneShotSession.Create(TinyAngle(), OneShotSessionTests.TinyData());
        var net = s.Supernet;
        var rng = new Rng(9);
        for (int i = 0; i < 5; i++)
            Assert.Equal(0.0, net.PathAngle(SamplePathSystem.Draw(net.Spec, s.World.Resource<ActiveOptions>(), 1, 1, rng)));
        s.Step();
        var trained = s.World.Resource<SampledPath>().Genes;
        Assert.True(s.Supernet.PathAngle(trained) > 0);
    }

    [Fact]
    public void InitialCopiesAreNotParametersAndStayAsSpawned()
    {
        using var s = OneShotSession.Create(TinyAngle(), OneShotSessionTests.TinyData());
        var copies = s.Supernet.Tensors.InitialCopies;
        Assert.True(copies.ContainsKey((s.Supernet.Network, "stem")));
        Assert.Contains(copies.Keys, k => k.Weight == "project");
        Assert.Same(s.World.Tensors.Get(s.Supernet.Network, SupernetLayout.InitialKey("stem")), copies[(s.Supernet.Network, "stem")]);
        Assert.DoesNotContain(s.Supernet.Parameters(), p => copies.Values.Any(c => ReferenceEquals(c, p.Tensor)));
        var before = copies.ToDictionary(x => x.Key, x => x.Value.ToFloatArray());
        s.Step();
        s.Step();
        foreach (var (key, copy) in s.Supernet.Tensors.InitialCopies)
            Assert.Equal(before[key], copy.ToFloatArray());
        Assert.NotEqual(before[(s.Supernet.Network, "stem")], s.World.Tensors.Get(s.Supernet.Network, "stem").ToFloatArray());
    }

    [Fact]
    public void AWorldSnapshotKeepsTheInitialCopies()
    {
        using var s = OneShotSession.Create(TinyAngle(), OneShotSessionTests.TinyData());
        s.Step();
        var path = Path.Combine(Path.GetTempPath(), $"nas-angle-{Guid.NewGuid():N}.msgpack");
        try
        {
            WorldSnapshot.Write(path, s.World, s.Clock.Step);
            using var loaded = WorldSnapshot.Read(path, t =>
            {
                t.RegisterAssembly(typeof(OneShotNetwork).Assembly);
                t.RegisterAssembly(typeof(OneShotSession).Assembly);
            }).Body;
            var saved = s.Supernet.Tensors.InitialCopies.Select(x => (x.Key.Weight, x.Value.ToFloatArray())).ToList();
            var back = SupernetLayout.Index(loaded).InitialCopies.Select(x => (x.Key.Weight, x.Value.ToFloatArray())).ToList(); // found again from the layout
            Assert.NotEmpty(saved);
            Assert.Equal(saved.Select(x => x.Weight), back.Select(x => x.Weight));
            Assert.Equal(saved.SelectMany(x => x.Item2), back.SelectMany(x => x.Item2));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ATinyBsNasSearchWithTheAngleCriterionShrinksAndRunsToFinished()
    {
        var config = TinyAngle(epochs: 2);
        using var s = OneShotSession.Create(config, OneShotSessionTests.TinyData());
        double size = Shrinking.SpaceSize(s.World.Resource<ActiveOptions>());
        int steps = 0;
        while (!s.Finished && steps < 100) { s.Step(); steps++; }
        Assert.True(s.Finished, $"not finished after {steps} steps");
        var active = s.World.Resource<ActiveOptions>();
        Assert.True(Shrinking.SpaceSize(active) < size);
        Assert.Equal(active.Ops.Sum(o => o.Length), s.World.CountOf<ChoiceOp>());
        Assert.Contains("\"genes\"", s.Result().Json);
    }

    [Fact]
    public void TheAngleCriterionWithoutShrinkingIsRefusedNamingTheField()
    {
        var problems = Presets.Problems(Presets.For("spos") with { ShrinkCriterion = ShrinkCriterion.Angle });
        Assert.Contains(problems, p => p.Contains("shrink_criterion angle", StringComparison.Ordinal) && p.Contains("shrink: true", StringComparison.Ordinal));
        Assert.Empty(Presets.Problems(TinyAngle()));
    }
}
