// SPOS's evolutionary search (§1.5, §7 V7): invariants, determinism, snapshot-resume, and the knapsack oracle.
using System.Text.Json;
using Nas.Components;
using Nas.Systems.OneShot;
using Nas.Systems.OneShot.Mobile;
using Nas.Systems.OneShot.NasBench201;
using Nas.Systems.OneShot.Search;
using Nas.World;

namespace Nas.Systems.Tests.OneShot;

public sealed class EvolutionTests
{
    /// <summary>A synthetic additive score per (layer, gene) in [0, 1), seeded; identity scores 0 as in BN-NAS.</summary>
    private static double[][] ScoreTable(IChoiceSpace space, ulong seed, int width = 7)
    {
        var rng = new Rng(seed);
        return Enumerable.Range(0, space.Layers).Select(_ => Enumerable.Range(0, width).Select(_ => rng.NextDouble()).ToArray()).ToArray();
    }

    private static double Score(double[][] t, int[] g) => g.Select((x, l) => x < 0 ? 0 : t[l][x]).Sum();

    private static (MobileSpace Space, EvolutionConfig Config, Func<int[], double> Fitness) TinyProblem(ulong seed = 5)
    {
        var space = MobileSpace.Tiny28();
        var table = ScoreTable(space, seed);
        double limit = (space.Flops(new int[8]) + space.Flops(Enumerable.Repeat(5, 8).ToArray())) / 2;
        return (space, new EvolutionConfig(limit), g => -Score(table, g));
    }

    [Fact]
    public void TheSearchNeverEvaluatesAGenomeTwiceAndKeepsEveryOneUnderTheCap()
    {
        var (space, config, fitness) = TinyProblem();
        var calls = new Dictionary<string, int>();
        var state = Evolution.RunAll(config, space, g => { var k = ChoiceSpaces.Key(g); calls[k] = calls.GetValueOrDefault(k) + 1; return fitness(g); }, 11);
        Assert.All(calls.Values, n => Assert.Equal(1, n));
        Assert.Equal(calls.Count, state.Evaluated.Length);
        Assert.All(state.Evaluated, c => Assert.True(c.Flops <= config.FlopsLimit && space.Flops(c.Genes) == c.Flops));
    }

    [Fact]
    public void FiftyPerGenerationOverTwentyGenerationsEvaluatesAboutAThousand()
    {
        // P + T·P = 50 + 20 × 50 when the space never runs short of legal new genomes.
        var (space, config, fitness) = TinyProblem();
        var state = Evolution.RunAll(config, space, fitness, 11);
        Assert.Equal(20, state.Generation);
        Assert.Equal(20, state.History.Length);
        Assert.Equal(1050, state.Evaluated.Length);
        Assert.All(state.History, h => Assert.True(h.Mean >= h.Best));
    }

    [Fact]
    public void TheTopKArchiveNeverGetsWorse()
    {
        var (space, config, fitness) = TinyProblem();
        var history = Evolution.RunAll(config, space, fitness, 3).History;
        for (int i = 1; i < history.Length; i++) Assert.True(history[i].Best <= history[i - 1].Best);
    }

    [Fact]
    public void TheSameSeedGivesTheSameSearch()
    {
        var (space, config, fitness) = TinyProblem();
        var a = Evolution.RunAll(config, space, fitness, 9);
        var b = Evolution.RunAll(config, space, fitness, 9);
        Assert.Equal(a.Evaluated.Select(c => ChoiceSpaces.Key(c.Genes)), b.Evaluated.Select(c => ChoiceSpaces.Key(c.Genes)));
        Assert.Equal(a.History, b.History);
    }

    [Fact]
    public void ASearchSavedMidwayAndRestoredContinuesIdentically()
    {
        var (space, config, fitness) = TinyProblem();
        var straightRng = new Rng(21);
        var straight = Evolution.RunAll(config, space, fitness, straightRng);

        var rng = new Rng(21);
        var state = Evolution.Start(config, space, fitness, rng);
        for (int i = 0; i < 7; i++) state = Evolution.Step(state, config, space, fitness, rng);
        var json = JsonSerializer.Serialize(state);
        var restored = JsonSerializer.Deserialize<EvolutionState>(json)!;
        var resumedRng = Rng.FromState(rng.GetState()); // the stream travels beside the state, as world.Rng("evolve") does
        while (!Evolution.Done(restored, config)) restored = Evolution.Step(restored, config, space, fitness, resumedRng);

        Assert.Equal(straightRng.GetState(), resumedRng.GetState());
        Assert.Equal(straight.History, restored.History);
        Assert.Equal(straight.Evaluated.Select(c => (ChoiceSpaces.Key(c.Genes), c.Flops, c.Fitness)),
                     restored.Evaluated.Select(c => (ChoiceSpaces.Key(c.Genes), c.Flops, c.Fitness)));
    }

    [Fact]
    public void MutationRedrawsEachGeneWithProbabilityOneTenth()
    {
        // A redraw picks one of 7 choices, so a gene changes with probability 0.1 × 6/7 ≈ 0.0857; over 8,000 genes
        // the standard deviation is ≈ 0.003, so the tolerance is ±0.012.
        var space = MobileSpace.Tiny28();
        var rng = new Rng(17);
        int[] parent = [0, 0, 0, 0, 0, 0, 0, 0];
        int changed = 0, identityLayers = 0;
        for (int i = 0; i < 1000; i++)
        {
            var child = Evolution.Mutate(parent, space, 0.1, rng);
            for (int l = 0; l < 8; l++) if (child[l] != parent[l]) changed++;
        }
        for (int l = 0; l < 8; l++) if (space.Choices(l).Count == 7) identityLayers++;
        double expected = 0.1 * (identityLayers * 6.0 / 7 + (8 - identityLayers) * 5.0 / 6) / 8;
        Assert.Equal(expected, changed / 8000.0, 0.012);
    }

    [Fact]
    public void EvolutionOnAnAdditiveScoreComesWithinTwoPercentOfTheKnapsackOptimum()
    {
        // The knapsack DP is exact (§2.6), so the EA can never beat it; on this 3.6M-genome space a 1,050-evaluation
        // search is allowed 2 %; measured, it hit the optimum exactly for seeds 1, 2 and 3.
        var (space, config, _) = TinyProblem();
        foreach (ulong seed in new ulong[] { 1, 2, 3 })
        {
            var table = ScoreTable(space, seed);
            var best = Evolution.Best(Evolution.RunAll(config, space, g => -Score(table, g), seed), 1)[0];
            var layers = Enumerable.Range(0, space.Layers)
                .Select(l => (IReadOnlyList<KnapsackItem>)space.Choices(l).Select(g => new KnapsackItem(g, space.LayerCost(l, g).Macs, g < 0 ? 0 : table[l][g])).ToList())
                .ToList();
            var optimum = Knapsack.Exact(layers, (long)config.FlopsLimit - space.FixedCost.Macs)!;
            Assert.True(-best.Fitness <= optimum.Score + 1e-12);
            Assert.True(-best.Fitness >= 0.98 * optimum.Score, $"seed {seed}: EA {-best.Fitness} vs optimum {optimum.Score}");
        }
    }

    [Fact]
    public void EvolutionOnNasBench201FindsTheKnapsackOptimumExactly()
    {
        // 15,625 cells, 1,050 evaluations: the optimum of an additive edge score under a FLOPs cap is found exactly.
        var space = new Nb201Space(Nb201Layout.FashionMnist);
        var table = ScoreTable(space, 8, width: 5);
        double limit = (space.Flops(new int[6]) + space.Flops([3, 3, 3, 3, 3, 3])) / 2;
        var config = new EvolutionConfig(limit);
        var best = Evolution.Best(Evolution.RunAll(config, space, g => -Score(table, g), 4), 1)[0];
        var items = Enumerable.Range(0, 6).Select(e => (IReadOnlyList<KnapsackItem>)Enumerable.Range(0, 5).Select(o => new KnapsackItem(o, space.EdgeFlops(o), table[e][o])).ToList()).ToList();
        long fixedFlops = (long)space.Flops(new int[6]);
        var optimum = Knapsack.Exact(items, (long)limit - fixedFlops)!;
        Assert.Equal(optimum.Score, -best.Fitness, 1e-12);
    }
}
