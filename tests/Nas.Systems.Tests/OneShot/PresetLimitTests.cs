// Where the one-shot presets' FLOPs limits come from (the median of each preset's space), that they bind, and that the
// bs-nas preset's shrink schedule reaches the 10^6 stop rule within its epochs whatever it prunes.
using Nas.Components;
using Nas.Systems.Methods;
using Nas.Systems.OneShot.BsNas;
using Nas.Systems.OneShot.Search;
using Nas.Systems.OneShot.Supernet;
using Nas.World;
using Xunit.Abstractions;

namespace Nas.Systems.Tests.OneShot;

public sealed class PresetLimitTests(ITestOutputHelper output)
{
    /// <summary>How many uniform random architectures the preset limits are the median of, and the seed they are drawn with.</summary>
    public const int Draws = 1001;
    public const ulong Seed = 15;

    /// <summary>The preset's space on Fashion-MNIST (1×28×28, 10 classes), as the evolution would search it.</summary>
    public static IChoiceSpace SpaceOf(string method) => OneShotSupernet.ChoiceSpace(OneShotSession.NetworkOf(Presets.For(method), 1, 28, 10), null);

    /// <summary>The median MACs of <see cref="Draws"/> uniform architectures, to 3 significant digits: what the preset sets.</summary>
    public static double MedianLimit(IChoiceSpace space)
    {
        var rng = new Rng(Seed);
        var flops = Enumerable.Range(0, Draws).Select(_ => space.Flops(ChoiceSpaces.Uniform(space, rng))).Order().ToArray();
        double median = flops[Draws / 2];
        double unit = Math.Pow(10, Math.Floor(Math.Log10(median)) - 2);
        return Math.Round(median / unit) * unit;
    }

    [Theory]
    [InlineData("spos")]
    [InlineData("bn-nas")]
    [InlineData("bnnas++")]
    [InlineData("bs-nas")]
    public void EachOneShotPresetsFlopsLimitIsTheMedianOfItsSpaceAndBinds(string method)
    {
        var space = SpaceOf(method);
        var limit = MedianLimit(space);
        var rng = new Rng(Seed + 1);
        var sample = Enumerable.Range(0, 2000).Select(_ => space.Flops(ChoiceSpaces.Uniform(space, rng))).ToArray();
        double over = sample.Count(f => f > limit) / (double)sample.Length;
        output.WriteLine($"{method}: median of {Draws} = {limit:N0} MACs; smallest {space.Smallest().Flops:N0}; largest sampled {sample.Max():N0}; over the limit {over:P1}");
        Assert.Equal(limit, Presets.For(method).FlopsLimit);
        Assert.True(space.Smallest().Flops < limit && over is > 0.4 and < 0.6, $"{method}: {over:P1} of random architectures are over the limit");
    }

    /// <summary>
    /// The largest active space any sequence of <paramref name="removals"/> single-option removals can leave (exact: a
    /// knapsack over layers of the largest per-layer size for each count removed there; a group keeps at least one option).
    /// </summary>
    public static double LargestAfter(BsNasSpace space, int removals)
    {
        var best = new Dictionary<int, double> { [0] = 1 };
        for (int l = 0; l < space.Layers; l++)
        {
            int ops = space.Active.Ops[l].Count(o => o >= 0), widths = space.Active.Widths[l].Length;
            bool identity = space.Active.Ops[l].Contains(-1);
            var layer = new Dictionary<int, double>();
            for (int a = 0; a < ops; a++)                 // non-identity ops removed (never all: the worst case keeps one)
                for (int b = 0; b < widths; b++)          // widths removed
                    for (int c = 0; c <= (identity ? 1 : 0); c++)
                    {
                        double size = (ops - a) * (widths - b) + (identity && c == 0 ? 1 : 0);
                        layer[a + b + c] = Math.Max(layer.GetValueOrDefault(a + b + c), size);
                    }
            var next = new Dictionary<int, double>();
            foreach (var (r0, p) in best)
                foreach (var (r, s) in layer)
                    if (r0 + r <= removals) next[r0 + r] = Math.Max(next.GetValueOrDefault(r0 + r), p * s);
            best = next;
        }
        return best.GetValueOrDefault(removals);
    }

    [Fact]
    public void TheBsNasPresetsShrinkScheduleReachesTheStopRuleWithinItsEpochsWhateverItPrunes()
    {
        var c = Presets.For("bs-nas");
        var schedule = new ShrinkSchedule(c.ShrinkFirstStage, c.ShrinkLaterStage, c.ShrinkRemove, c.ShrinkStopAtSize, c.ShrinkSubnets);
        int stages = Enumerable.Range(1, c.Epochs).Count(schedule.IsStageEnd); // shrinks at the end of epochs 10, 11, …, 16
        var space = BsNasSpace.Tiny28();
        double start = Shrinking.SpaceSize(space.Active);
        double worst = LargestAfter(space, stages * c.ShrinkRemove), worstOneLess = LargestAfter(space, (stages - 1) * c.ShrinkRemove);
        output.WriteLine($"bs-nas: {start:G4} architectures, {stages} shrinks of {c.ShrinkRemove} within {c.Epochs} epochs; largest space left {worst:N0} (one shrink fewer: {worstOneLess:N0})");
        Assert.Equal(1.87e11, start, 0.01e11);
        Assert.True(worst <= c.ShrinkStopAtSize, $"after {stages} shrinks the space can still hold {worst} architectures");
        Assert.True(worstOneLess > c.ShrinkStopAtSize, "the preset's epochs are the fewest that guarantee the stop rule");

        // And as the shrink system runs it: random option scores, D lowest z-scores off per stage.
        for (ulong seed = 1; seed <= 20; seed++)
        {
            var rng = new Rng(seed);
            var active = space.Active;
            int used = 0;
            while (!Shrinking.ShouldStop(active, schedule))
            {
                var q = new Dictionary<OptionKey, double>();
                for (int l = 0; l < active.Ops.Length; l++)
                {
                    foreach (var o in active.Ops[l]) q[new OptionKey(l, OptionKind.Op, o)] = rng.NextDouble();
                    foreach (var w in active.Widths[l]) q[new OptionKey(l, OptionKind.Width, w)] = rng.NextDouble();
                }
                active = Shrinking.Apply(active, Shrinking.ChooseToPrune(active, q, schedule.RemovePerStage));
                used++;
            }
            Assert.True(used <= stages, $"seed {seed}: {used} shrinks needed, {stages} scheduled");
        }
    }
}
