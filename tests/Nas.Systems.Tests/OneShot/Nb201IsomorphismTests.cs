// NB-201 cell equivalences (§5.1, §7 V8): pruning, canonical form, the benchmark's unique key, the function form.
using Nas.Components;
using Nas.Systems.OneShot.NasBench201;
using Nas.Systems.OneShot.Search;
using Nas.Torch;
using Xunit.Abstractions;

namespace Nas.Systems.Tests.OneShot;

public sealed class Nb201IsomorphismTests(ITestOutputHelper output)
{
    private static readonly int[][] Cells = Nb201Cell.All().ToArray();

    private static string Benchmark(int[] c) => Nb201Isomorphism.BenchmarkKey(c);
    private static string Function(int[] c) => Nb201Isomorphism.FunctionForm(c);
    private static string Canonical(int[] c) => Nb201Cell.Format(Nb201Isomorphism.Canonical(c));

    /// <summary>Groups all 15,625 cells by a key; every group holds at least one cell.</summary>
    private static List<int[][]> Classes(Func<int[], string> key) =>
        Cells.GroupBy(key, StringComparer.Ordinal).Select(g => g.ToArray()).ToList();

    [Fact]
    public void TheBenchmarkRuleFindsTheBenchmarksSixThousandFourHundredSixtySixUniqueCells()
    {
        // 6,466 is NB-201's own count of unique cells (methods.md §5.1 [R]); the other counts are reported, not assumed.
        int benchmark = Classes(Benchmark).Count;
        output.WriteLine($"benchmark key {benchmark}, pruned {Classes(c => Nb201Cell.Format(Nb201Isomorphism.Prune(c))).Count}, " +
            $"canonical {Classes(Canonical).Count}, function form {Classes(Function).Count}, " +
            $"all-zero cells {Cells.Count(c => Nb201Isomorphism.FunctionForm(c) == "0")}");
        Assert.Equal(6_466, benchmark);
    }

    [Fact]
    public void TheBenchmarkKeyFollowsTheRuleOnHandWorkedCells()
    {
        // By hand from to_unique_str(consider_zero=True): a skip passes its source's string on; "#" is zero; inputs sorted.
        Assert.Equal("#+#+((0)@nor_conv_3x3)@nor_conv_3x3",
            Nb201Isomorphism.BenchmarkKey(Nb201Cell.Parse("|nor_conv_3x3~0|+|none~0|none~1|+|none~0|nor_conv_3x3~1|none~2|")));
        Assert.Equal("#+(0)@nor_conv_1x1+0",
            Nb201Isomorphism.BenchmarkKey(Nb201Cell.Parse("|skip_connect~0|+|none~0|none~1|+|nor_conv_1x1~0|skip_connect~1|none~2|")));
        // The quirk: node 2 with two zero inputs reads "#+#", which the rule does not recognise as zero downstream.
        Assert.Equal("#+#+(#+#)@nor_conv_3x3", Nb201Isomorphism.BenchmarkKey([0, 0, 0, 0, 0, 3]));
        Assert.Equal("#+#+#", Nb201Isomorphism.BenchmarkKey([0, 0, 0, 0, 0, 0]));
        Assert.Equal("0", Nb201Isomorphism.FunctionForm([0, 0, 0, 0, 0, 3]));
    }

    [Fact]
    public void PruningKeepsExactlyTheEdgesOnSomeAllNonNonePathFromInputToOutput()
    {
        // The four input-to-output paths of the cell, as edge lists, checked independently of Prune's two sweeps.
        int[][] paths = [[3], [0, 4], [1, 5], [0, 2, 5]];
        foreach (var cell in Cells)
        {
            var pruned = Nb201Isomorphism.Prune(cell);
            for (int e = 0; e < Nb201Cell.EdgeCount; e++)
            {
                bool live = paths.Any(p => p.Contains(e) && p.All(x => cell[x] != 0));
                Assert.Equal(live ? cell[e] : 0, pruned[e]);
            }
            Assert.Equal(pruned, Nb201Isomorphism.Prune(pruned));
        }
    }

    [Fact]
    public void TheCanonicalFormIsInvariantUnderSwappingTheIntermediateNodes()
    {
        int swappable = 0;
        foreach (var cell in Cells)
        {
            var canonical = Nb201Isomorphism.Canonical(cell);
            Assert.Equal(canonical, Nb201Isomorphism.Canonical(canonical));
            var pruned = Nb201Isomorphism.Prune(cell);
            if (pruned[2] != 0) continue;
            swappable++;
            Assert.Equal(canonical, Nb201Isomorphism.Canonical(Nb201Isomorphism.SwapIntermediate(pruned)));
            if (cell[2] == 0) Assert.True(Nb201Isomorphism.Isomorphic(cell, Nb201Isomorphism.SwapIntermediate(cell)));
        }
        Assert.True(swappable > 0);
        Assert.Throws<ArgumentException>(() => Nb201Isomorphism.SwapIntermediate([0, 0, 1, 0, 0, 0]));
    }

    [Fact]
    public void IsomorphicCellsHaveEqualParamsAndFlopsOnceDeadEdgesAreRemoved()
    {
        // The benchmark's network still runs dead edges, so the invariant is on the pruned cells; a pure relabelling
        // (edge 1→2 none, nothing pruned) keeps the raw cell's cost as well.
        var layout = new Nb201Layout(8, 1, 1, 28, 10);
        foreach (var group in Classes(Canonical))
        {
            var cost = Nb201Network.NetworkCost(Nb201Isomorphism.Prune(group[0]), layout);
            Assert.All(group, c => Assert.Equal(cost, Nb201Network.NetworkCost(Nb201Isomorphism.Prune(c), layout)));
        }
        foreach (var cell in Cells.Where(c => c[2] == 0))
            Assert.Equal(Nb201Network.NetworkCost(cell, layout), Nb201Network.NetworkCost(Nb201Isomorphism.SwapIntermediate(cell), layout));
    }

    [Fact]
    public void TheFunctionFormMergesEveryClassOfTheBenchmarkRuleAndOfTheCanonicalForm()
    {
        foreach (var key in new Func<int[], string>[] { Benchmark, Canonical })
            foreach (var group in Classes(key))
                Assert.Single(group.Select(Function).Distinct());
        Assert.True(Classes(Function).Count < Classes(Benchmark).Count);
    }

    [Fact]
    public void CellsEveryRuleCallsEqualComputeEqualOutputs()
    {
        // One weight per op kind shared by every edge and no BatchNorm, so op(0) = 0 holds exactly and equal cells must
        // give equal outputs; only the order of float additions differs (pool of a sum vs sum of pools): 1e-5 relative.
        using var g = new Generator(11);
        using var x = Tensor.Randn([2, 3, 6, 6], g);
        using var w1 = Tensor.Randn([3, 3, 1, 1], g);
        using var w3 = Tensor.Randn([3, 3, 3, 3], g);
        var outputs = new Dictionary<int[], float[]>(ReferenceEqualityComparer.Instance);
        foreach (var cell in Cells) outputs[cell] = Forward(cell, x, w1, w3);
        foreach (var key in new Func<int[], string>[] { Function, Benchmark, Canonical })
            foreach (var group in Classes(key))
            {
                var first = outputs[group[0]];
                double scale = 1 + first.Max(Math.Abs);
                foreach (var cell in group.Skip(1))
                {
                    var other = outputs[cell];
                    double diff = first.Zip(other, (a, b) => Math.Abs(a - b)).Max();
                    Assert.True(diff <= 1e-5 * scale, $"{Nb201Cell.Format(group[0])} and {Nb201Cell.Format(cell)} differ by {diff}");
                }
            }
    }

    private static float[] Forward(int[] cell, Tensor x, Tensor w1, Tensor w3)
    {
        using var scope = new TensorScope();
        var nodes = new Tensor[Nb201Cell.Nodes];
        nodes[0] = x;
        for (int j = 1; j < Nb201Cell.Nodes; j++)
        {
            Tensor? sum = null;
            for (int e = 0; e < Nb201Cell.EdgeCount; e++)
            {
                var (i, to) = Nb201Cell.Edges[e];
                if (to != j) continue;
                var v = nodes[i];
                var y = (Nb201Op)cell[e] switch
                {
                    Nb201Op.None => scope.Own(v.Mul(0.0)),
                    Nb201Op.SkipConnect => v,
                    Nb201Op.NorConv1x1 => scope.Own(scope.Own(v.Relu()).Conv2d(w1)),
                    Nb201Op.NorConv3x3 => scope.Own(scope.Own(v.Relu()).Conv2d(w3, null, 1, 1)),
                    _ => scope.Own(v.AvgPool2d(3, 1, 1, countIncludePad: false)),
                };
                sum = sum is null ? y : scope.Own(sum.Add(y));
            }
            nodes[j] = sum!;
        }
        return nodes[^1].ToFloatArray();
    }

    [Fact]
    public void AnEvolutionWithADedupeRuleEvaluatesOneCellPerClass()
    {
        // Without a rule the memo is per genome, and this run does meet cells the benchmark calls equal.
        var fitness = new Func<int[], double>(c => -c.Select((op, e) => (op + 1) * (e + 2) % 7).Sum());
        var config = new EvolutionConfig(double.MaxValue);
        foreach (var rule in new[] { Nb201Dedupe.Isomorphic, Nb201Dedupe.Benchmark, Nb201Dedupe.Function })
        {
            var evaluated = Evolution.RunAll(config, new Nb201Space(Nb201Layout.FashionMnist, rule), fitness, 3).Evaluated;
            Assert.Equal(evaluated.Length, evaluated.Select(c => Nb201Isomorphism.Key(c.Genes, rule)).Distinct().Count());
        }
        var plain = Evolution.RunAll(config, new Nb201Space(Nb201Layout.FashionMnist), fitness, 3).Evaluated;
        Assert.True(plain.Select(c => Nb201Isomorphism.BenchmarkKey(c.Genes)).Distinct().Count() < plain.Length);
    }
}
