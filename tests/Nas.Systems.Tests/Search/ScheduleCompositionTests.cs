// The differentiable schedules as the config composes them: a technique switched on adds its systems, switched off they are absent.
using Nas.Components;
using Nas.Systems.Methods;
using Nas.Systems.Search;

namespace Nas.Systems.Tests.Search;

public sealed class ScheduleCompositionTests
{
    private static List<string> Names(SearchConfig c) => DifferentiableMethod.Schedule(c).Entries.Select(e => e.System.Name).ToList();

    [Fact]
    public void DartsIsAnArchitecturePassThenAWeightPass()
    {
        Assert.Equal(
        [
            "feed-batches", "weight-lr",
            "arch-lr", "mixing-weights", "arch-forward", "arch-backward", "adam",
            "mixing-weights", "weight-forward", "weight-backward", "clip-gradients", "sgd",
            "advance-clock",
        ], Names(Presets.For("darts")));
    }

    [Fact]
    public void ConfidentLrIsASystemOnlyWhenItsPowerIsSet()
    {
        Assert.DoesNotContain("confident-lr", Names(Presets.For("bnas-d")));
        var clr = Names(Presets.For("bnas-v2-clr"));
        Assert.Equal(clr.IndexOf("arch-lr") + 1, clr.IndexOf("confident-lr"));
    }

    [Fact]
    public void SecondOrderReplacesTheArchitectureForwardAndBackwardByTheUnrolledGradient()
    {
        var names = Names(Presets.For("darts") with { SecondOrder = true });
        Assert.Contains("unrolled-arch-gradient", names);
        Assert.DoesNotContain("arch-forward", names);
        Assert.DoesNotContain("arch-backward", names);
    }

    [Fact]
    public void TheWarmupGatesOnlyTheArchitecturePass()
    {
        var schedule = DifferentiableMethod.Schedule(Presets.For("pc-darts"));
        var gated = schedule.Entries.Where(e => e.When is not null).ToList();
        Assert.NotEmpty(gated);
        Assert.All(gated, e => Assert.Equal("Architecture", e.Phase));
        Assert.All(schedule.Entries.Where(e => e.Phase == "Architecture"), e => Assert.Same(DifferentiableMethod.AfterWarmup, e.When));
        Assert.All(DifferentiableMethod.Schedule(Presets.For("darts")).Entries, e => Assert.Null(e.When));
    }

    [Fact]
    public void DropNasAddsMasksLogOddsPartialDecayAndTheAlphaShift()
    {
        var names = Names(Presets.For("dropnas"));
        Assert.Equal(
        [
            "feed-batches", "sample-drop-masks", "weight-lr", "arch-lr",
            "kept-log-odds", "mixing-weights", "weight-forward", "backward", "fill-missing-gradients", "clip-gradients",
            "sgd (no decay)", "adam (no decay)", "partial-decay", "alpha-shift",
            "advance-clock",
        ], names);
        var oneLevelWithoutDrop = Names(Presets.For("dropnas") with { DropRate = 0 });
        Assert.DoesNotContain("sample-drop-masks", oneLevelWithoutDrop);
        Assert.DoesNotContain("kept-log-odds", oneLevelWithoutDrop);
        Assert.DoesNotContain("alpha-shift", oneLevelWithoutDrop);
        Assert.Contains("partial-decay", oneLevelWithoutDrop);
    }

    [Fact]
    public void ConfidentLrInLossModeScalesTheArchitectureGradientBeforeAdamInsteadOfTheLr()
    {
        foreach (var c in new[]
        {
            Presets.For("bnas-v2-clr") with { ConfidentLrMode = ConfidentLrMode.Loss },
            Presets.For("darts") with { ConfidentLrPower = 2, ConfidentLrMode = ConfidentLrMode.Loss, SecondOrder = true },
            Presets.For("dropnas") with { ConfidentLrPower = 2, ConfidentLrMode = ConfidentLrMode.Loss },
        })
        {
            var names = Names(c);
            Assert.DoesNotContain("confident-lr", names);
            var scale = names.IndexOf("confident-loss");
            Assert.True(scale > 0, $"{c.Method}: no confident-loss system");
            Assert.Equal(names.FindIndex(n => n.StartsWith("adam", StringComparison.Ordinal)), scale + 1);
            Assert.True(names.FindIndex(n => n is "arch-backward" or "backward" or "unrolled-arch-gradient") < scale);
        }
    }

    [Fact]
    public void WithTwoRanksTheAllReduceFollowsEachBackwardAndPrecedesTheConfidentLossScaling()
    {
        foreach (var c in new[]
        {
            Presets.For("bnas-v2-clr") with { ConfidentLrMode = ConfidentLrMode.Loss },
            Presets.For("dropnas") with { ConfidentLrPower = 2, ConfidentLrMode = ConfidentLrMode.Loss },
        })
        {
            var names = DifferentiableMethod.Schedule(c, worldSize: 2).Entries.Select(e => e.System.Name).ToList();
            var scale = names.IndexOf("confident-loss");
            Assert.Equal(names.FindIndex(n => n.StartsWith("adam", StringComparison.Ordinal)), scale + 1); // still right before adam
            var reduce = names.FindIndex(n => n is "all-reduce-arch-gradients" or "all-reduce-gradients");
            Assert.True(reduce >= 0 && reduce < scale, $"{c.Method}: the all-reduce ({reduce}) is not before confident-loss ({scale})");
            Assert.True(names.FindIndex(n => n is "arch-backward" or "backward" or "unrolled-arch-gradient") < reduce);
            Assert.Equal("check-rank-agreement", names[^1]);
        }
        Assert.DoesNotContain(Names(Presets.For("darts")), n => n.StartsWith("all-reduce", StringComparison.Ordinal)); // one rank: none
    }
}
