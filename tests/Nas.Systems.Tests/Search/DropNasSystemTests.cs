// DropNAS through the systems (§5.3, §5.4): masks keep one op per group, what a step does to dropped ops, the kept mass after the shift.
using Nas.Components;
using Nas.Systems.Methods;
using Nas.Systems.Search;
using Nas.Systems.Spaces.Darts;
using Nas.Systems.Techniques;
using Nas.Torch;
using Nas.World;

namespace Nas.Systems.Tests.Search;

public sealed class DropNasSystemTests
{
    private static SearchSession Session(double dropRate) =>
        SearchSession.Create(DartsSearchTests.Tiny("dropnas") with { DropRate = dropRate }, DartsSearchTests.TinyData());

    /// <summary>Feed and sample, as the schedule's first two phases; the caller then runs the one-level step.</summary>
    private static DropMasks FeedAndSample(SearchSession s)
    {
        s.World.RunSystem(new FeedBatchesSystem());
        s.World.RunSystem(new SampleDropMasksSystem());
        return s.World.Resource<DropMasks>();
    }

    private static List<(World.Entity Op, int WeightIndex)> DroppedOpWeights(SearchSession s)
    {
        var owners = s.Runtime.WeightOwners;
        return owners.Select((o, i) => (o, i)).Where(p => s.World.Has<Dropped>(p.o)).ToList();
    }

    [Fact]
    public void TheParameterFreeRateIsItsOwnKey()
    {
        // r_p = 1e-12 (a parameterised op is dropped with p = 1e-3), r_np = 0.9 (a parameter-free op with p = 0.974).
        var config = DartsSearchTests.Tiny("dropnas") with { DropRate = 1e-12, DropRateParameterFree = 0.9 };
        using var s = SearchSession.Create(config, DartsSearchTests.TinyData());
        Assert.Equal(new DropNasSettings(1e-12, 0.9), s.World.ReadResource<DropNasSettings>());
        int parameterised = 0, free = 0, parameterisedSeen = 0, freeSeen = 0;
        for (var step = 0; step < 20; step++)
        {
            s.World.RunSystem(new SampleDropMasksSystem());
            var masks = s.World.Resource<DropMasks>();
            foreach (var row in masks.Normal.Concat(masks.Reduce))
                for (var o = 0; o < row.Length; o++)
                {
                    if (s.Runtime.Ops[o].IsParameterFree()) { freeSeen++; if (!row[o]) free++; }
                    else { parameterisedSeen++; if (!row[o]) parameterised++; }
                }
        }
        // Each group keeps at least one op, so a parameter-free group of 4 drops at most 3: the rate is near 3/4, far from 1e-3.
        Assert.InRange(free / (double)freeSeen, 0.6, 0.75);
        Assert.InRange(parameterised / (double)parameterisedSeen, 0, 0.02);
        // Unset, r_np is drop_rate's value.
        using var same = Session(0.5);
        Assert.Equal(new DropNasSettings(0.5, 0.5), same.World.ReadResource<DropNasSettings>());
    }

    [Theory]
    [InlineData(DropNasSpace.OneSkip, 6, 1)]
    [InlineData(DropNasSpace.ThreeSkip, 8, 3)]
    public void TheSkipSpacesChangeTheOpsOfEveryEdgeAndSearch(DropNasSpace space, int ops, int skips)
    {
        var config = DartsSearchTests.Tiny("dropnas") with { DropnasSpace = space, DropRate = 0.5 };
        using var s = SearchSession.Create(config, DartsSearchTests.TinyData());
        Assert.Equal(ops, s.Runtime.Ops.Count);
        Assert.Equal(skips, s.Runtime.Ops.Count(o => o == OpKind.SkipConnect));
        Assert.DoesNotContain(s.Runtime.Ops, o => o is OpKind.MaxPool3x3 or OpKind.AvgPool3x3);
        for (var step = 0; step < 3; step++) s.Step();
        var alpha = SearchSession.Alpha(s.World, s.Runtime, CellType.Normal);
        Assert.All(alpha, row => Assert.Equal(ops, row.Length));
        Assert.All(alpha.SelectMany(r => r), a => Assert.True(float.IsFinite(a)));
        Assert.All(s.Genotype().Normal, e => Assert.NotEqual(OpKind.None, e.Op));
    }

    [Fact]
    public void EveryGroupOfEveryEdgeKeepsAnOpAndTheTagsMatchTheMasks()
    {
        using var s = Session(0.9); // p = 0.9^(1/4) = 0.974: most group draws are rejected
        var groups = DropGroups.For(s.Runtime.Ops, 0.9);
        for (var step = 0; step < 50; step++)
        {
            s.World.RunSystem(new SampleDropMasksSystem());
            var masks = s.World.Resource<DropMasks>();
            foreach (var row in masks.Normal.Concat(masks.Reduce))
                foreach (var members in groups.Members)
                    Assert.Contains(members, o => row[o]);
            // Tiny: 3 cells, reductions at 1 and 2 (L/3, 2L/3): one normal cell, two reduction cells share the masks.
            var dropped = masks.Normal.Sum(r => r.Count(k => !k)) + 2 * masks.Reduce.Sum(r => r.Count(k => !k));
            Assert.Equal(dropped, s.World.CountOf<Dropped>());
        }
    }

    /// <summary>The one-level update alone: the schedule's Rates and Weights phases (lrs, forward, backward, both optimizer steps, shift).</summary>
    private static void OneLevelUpdate(SearchSession s)
    {
        foreach (var e in s.Schedule.Entries.Where(e => e.Phase is "Rates" or "Weights")) s.World.RunSystem(e.System);
    }

    [Fact]
    public void OnTheFirstStepDroppedOpsKeepTheirWeightsExactly()
    {
        // No gradient ever reached them, so PyTorch's SGD skips them (grad None) in both optimiser steps.
        using var s = Session(0.5);
        FeedAndSample(s);
        var dropped = DroppedOpWeights(s);
        Assert.NotEmpty(dropped);
        var before = dropped.Select(d => s.Runtime.Weights(s.World)[d.WeightIndex].ToFloatArray()).ToArray();
        OneLevelUpdate(s);
        for (var i = 0; i < dropped.Count; i++) Assert.Equal(before[i], s.Runtime.Weights(s.World)[dropped[i].WeightIndex].ToFloatArray());
    }

    [Fact]
    public void LaterDroppedOpsMoveOnlyByTheirMomentumTwice()
    {
        // §5.4: a dropped op gets a zero gradient in both steps once its buffer exists, so w ← w − lr·μ·b, then w ← w − lr·μ²·b.
        using var s = Session(0.5);
        FeedAndSample(s);
        OneLevelUpdate(s);
        FeedAndSample(s);
        var counters = s.World.Resource<OptimizerCounters>();
        var moving = DroppedOpWeights(s).Where(d => counters.MomentumStarted[d.WeightIndex]).ToList();
        Assert.NotEmpty(moving);
        var w0 = moving.Select(d => s.Runtime.Weights(s.World)[d.WeightIndex].ToFloatArray()).ToArray();
        var b0 = moving.Select(d => s.Runtime.Momentum(s.World)[d.WeightIndex].ToFloatArray()).ToArray();
        var config = s.Config;
        var clock = s.World.Resource<SearchClock>();
        var lr = LearningRate.Cosine(config.Lr, config.LrMin, clock.Epoch, clock.Epochs);
        var mu = config.Momentum;
        OneLevelUpdate(s);
        for (var i = 0; i < moving.Count; i++)
        {
            var after = s.Runtime.Weights(s.World)[moving[i].WeightIndex].ToFloatArray();
            for (var j = 0; j < after.Length; j++)
                Assert.True(Math.Abs(after[j] - (w0[i][j] - lr * (mu + mu * mu) * b0[i][j])) <= 1e-6, $"weight {moving[i].WeightIndex}[{j}]: {after[j]}"); // float32 rounding
        }
    }

    [Fact]
    public void AfterTheShiftEachEdgesKeptMassEqualsRhoFromBeforeTheUpdate()
    {
        using var s = Session(0.5);
        for (var step = 0; step < 2; step++)
        {
            var masks = FeedAndSample(s);
            var before = s.Alpha(CellType.Normal);
            var rho = AlphaRenormalization.KeptMasses(before, masks.Normal);
            OneLevelUpdate(s);
            var after = s.Alpha(CellType.Normal);
            var checkedEdges = 0;
            for (var e = 0; e < after.Length; e++)
            {
                if (!Nas.Systems.Techniques.DropMaskSampler.AnyDropped(masks.Normal[e])) continue;
                Assert.Equal(rho[e], AlphaRenormalization.KeptMass(after[e], masks.Normal[e]), 1e-6);
                Assert.NotEqual(before[e], after[e]);
                checkedEdges++;
            }
            Assert.True(checkedEdges > 0);
            s.World.RunSystem(new AdvanceClockSystem());
        }
    }

    [Fact]
    public void EachIterationAdvancesTheAlphaStepCountersTwice()
    {
        using var s = Session(3e-5);
        s.Step();
        Assert.All(s.World.Resource<OptimizerCounters>().ArchSteps, n => Assert.Equal(2, n));
    }

    [Fact]
    public void DuringWarmUpOnlyTheDecayStepMovesAlphaAndNothingIsDropped()
    {
        var config = DartsSearchTests.Tiny("dropnas") with { DropRate = 0.5, WarmupEpochs = 1 };
        using var s = SearchSession.Create(config, DartsSearchTests.TinyData());
        s.Step();
        Assert.All(s.World.Resource<OptimizerCounters>().ArchSteps, n => Assert.Equal(1, n));
        Assert.Equal(0, s.World.CountOf<Dropped>());
    }

    [Fact]
    public void TheDropStreamStartsAtStreamDropOfTheSeedAndAdvancesEveryStep()
    {
        using var s = Session(3e-5);
        var before = s.World.Rng(RandomStreams.Drop).GetState();
        s.Step();
        Assert.NotEqual(before, s.World.Rng(RandomStreams.Drop).GetState());
        Assert.Equal(Rng.ForStream(s.Config.Seed, 0x44524F50).GetState(), before); // stream "DROP" of the run seed, as before streams had names
    }
}
