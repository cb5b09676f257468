// The knapsack oracle (§2.6): exact Pareto DP against brute force, and the discretized DP's guarantees.
using Nas.Systems.OneShot;
using Nas.Systems.OneShot.Search;
using Nas.World;

namespace Nas.Systems.Tests.OneShot;

public sealed class KnapsackTests
{
    private static List<IReadOnlyList<KnapsackItem>> RandomLayers(ulong seed, int layers, int options)
    {
        var rng = new Rng(seed);
        return Enumerable.Range(0, layers).Select(_ => (IReadOnlyList<KnapsackItem>)Enumerable.Range(0, options)
            .Select(o => new KnapsackItem(o, 1 + rng.NextInt(1000), rng.NextDouble())).ToList()).ToList();
    }

    private static double BruteForce(List<IReadOnlyList<KnapsackItem>> layers, long cap)
    {
        double best = double.NegativeInfinity;
        void Go(int l, long flops, double score)
        {
            if (flops > cap) return;
            if (l == layers.Count) { best = Math.Max(best, score); return; }
            foreach (var item in layers[l]) Go(l + 1, flops + item.Flops, score + item.Score);
        }
        Go(0, 0, 0);
        return best;
    }

    [Fact]
    public void TheExactDpMatchesBruteForceOnRandomInstances()
    {
        for (ulong seed = 0; seed < 20; seed++)
        {
            var layers = RandomLayers(seed, 5, 4);
            long cap = 1500 + (long)seed * 50;
            var r = Knapsack.Exact(layers, cap)!;
            Assert.Equal(BruteForce(layers, cap), r.Score, 1e-12);
            Assert.Equal(r.Flops, r.Genes.Select((g, l) => layers[l][g].Flops).Sum());
            Assert.True(r.Flops <= cap);
        }
    }

    [Fact]
    public void TheDiscretizedDpIsFeasibleAndNeverBeatsTheExactOne()
    {
        for (ulong seed = 0; seed < 10; seed++)
        {
            var layers = RandomLayers(seed, 6, 5);
            var exact = Knapsack.Exact(layers, 2500)!;
            var coarse = Knapsack.Discretized(layers, 2500, 50)!;
            Assert.True(coarse.Flops <= 2500);
            Assert.True(coarse.Score <= exact.Score + 1e-12);
            Assert.Equal(exact.Score, Knapsack.Discretized(layers, 2500, 1)!.Score, 1e-12);
        }
    }

    [Fact]
    public void ACapBelowTheCheapestGenomeHasNoSolution()
    {
        var layers = RandomLayers(1, 3, 3);
        long cheapest = layers.Sum(l => l.Min(i => i.Flops));
        Assert.Null(Knapsack.Exact(layers, cheapest - 1));
        Assert.NotNull(Knapsack.Exact(layers, cheapest));
        Assert.Null(Knapsack.Discretized(layers, cheapest - 1, 1));
    }
}
