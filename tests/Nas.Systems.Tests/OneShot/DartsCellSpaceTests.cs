// The DARTS cell space as a one-shot choice space (issue 15 item 6): genes ↔ genotypes, counts of the evaluation network, evolution under a FLOPs limit.
using Nas.Components;
using Nas.Systems.Genotypes;
using Nas.Systems.Methods;
using Nas.Systems.OneShot.Darts;
using Nas.Systems.OneShot.Search;
using Nas.Systems.Spaces.Darts;
using Nas.Systems.Spaces.Eval;
using Nas.Torch;
using Nas.World;
using Xunit.Abstractions;

namespace Nas.Systems.Tests.OneShot;

public sealed class DartsCellSpaceTests(ITestOutputHelper output)
{
    // 5 cells (reductions at 1 and 3), C = 4, Fashion-MNIST-shaped input: small enough to build and run in a test.
    private static readonly EvalNetworkSpec Small = new(SearchSpace.Stacked, Layers: 5, Channels: 4, EnhancementCells: 0, InputChannels: 1, InputSize: 28, Classes: 10);

    // DARTS_V2 (quark0/darts genotypes.py, methods.md §1.6): every node takes two distinct inputs and no `none`, so it lies in the space.
    private const string DartsV2 =
        "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), " +
        "('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), " +
        "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), " +
        "('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])";

    private static HashSet<(OpKind, int)> Pairs(IReadOnlyList<GenotypeEdge> edges, int node) => [(edges[2 * node].Op, edges[2 * node].Input), (edges[2 * node + 1].Op, edges[2 * node + 1].Input)];

    [Fact]
    public void EachNodeHasThreeGenesWithItsInputPairsAndTheSevenOps()
    {
        var space = new DartsCellSpace(Small);
        Assert.Equal(24, space.Layers);
        Assert.DoesNotContain(OpKind.None, DartsCellSpace.Ops);
        Assert.Equal(7, DartsCellSpace.Ops.Count);
        int[] pairCounts = [1, 3, 6, 10]; // C(j + 2, 2)
        for (var l = 0; l < space.Layers; l++)
            Assert.Equal(l % 3 == 0 ? pairCounts[l / 3 % 4] : 7, space.Choices(l).Count);
        // (1 · 3 · 6 · 10 · 7^8)^2 genotypes, each once.
        Assert.Equal(Math.Pow(180 * Math.Pow(7, 8), 2), ChoiceSpaces.Size(space), 1e-6 * ChoiceSpaces.Size(space));
    }

    [Fact]
    public void EveryGenomeDecodesToAValidGenotypeThatEncodesBackAndItsCountsAreTheEvaluationNetworks()
    {
        var space = new DartsCellSpace(Small);
        var rng = new Rng(3);
        var seen = new HashSet<string>();
        for (var i = 0; i < 300; i++)
        {
            var genome = ChoiceSpaces.Uniform(space, rng);
            var genotype = space.Decode(genome);
            Assert.Equal(genome, space.Encode(genotype));
            foreach (var cell in new[] { genotype.Normal, genotype.Reduce })
                for (var node = 0; node < 4; node++)
                    Assert.NotEqual(cell[2 * node].Input, cell[2 * node + 1].Input);
            Assert.Equal([2, 3, 4, 5], genotype.NormalConcat);
            // The DARTS literal `nas train` reads gives back the same genotype.
            var parsed = GenotypeText.Parse(genotype.ToDartsString());
            Assert.Equal(genome, space.Encode(parsed));
            var cost = Counting.EvalNetwork(Small.StackedLayout(genotype), genotype);
            Assert.Equal(cost.Macs, space.Flops(genome));
            Assert.Equal(cost.Params, space.Params(genome));
            seen.Add(genotype.ToDartsString());
        }
        Assert.Equal(300, seen.Count);
    }

    [Fact]
    public void APublishedGenotypeEncodesWithItsPairsInEitherOrder()
    {
        var space = new DartsCellSpace(Small);
        var v2 = GenotypeText.Parse(DartsV2);
        var back = space.Decode(space.Encode(v2));
        for (var node = 0; node < 4; node++)
        {
            Assert.Equal(Pairs(v2.Normal, node), Pairs(back.Normal, node));
            Assert.Equal(Pairs(v2.Reduce, node), Pairs(back.Reduce, node));
        }
        Assert.Equal(Small.Cost(v2), Small.Cost(back));
    }

    [Fact]
    public void GenotypesOutsideTheSpaceAreRefusedNamingCellNodeAndWhy()
    {
        var space = new DartsCellSpace(Small);
        var v2 = GenotypeText.Parse(DartsV2);
        var twice = v2 with { Normal = [.. v2.Normal.Take(6), new GenotypeEdge(OpKind.SepConv3x3, 1), new GenotypeEdge(OpKind.SkipConnect, 1)] };
        Assert.Contains("normal: node 3 takes input 1 twice", Assert.Throws<ArgumentException>(() => space.Encode(twice)).Message);
        var none = v2 with { Reduce = [new GenotypeEdge(OpKind.None, 0), .. v2.Reduce.Skip(1)] };
        Assert.Contains("reduce: node 0 uses op None", Assert.Throws<ArgumentException>(() => space.Encode(none)).Message);
        var concat = v2 with { NormalConcat = [2, 3] };
        Assert.Contains("normal_concat", Assert.Throws<ArgumentException>(() => space.Encode(concat)).Message);
        Assert.Contains("gene 3..5", Assert.Throws<ArgumentException>(() => space.Decode(new int[] { 0, 0, 0, 3, 0, 0 }.Concat(new int[18]).ToArray())).Message);
    }

    [Fact]
    public void TheSmallestCountsAreTheExactMinimaOverAllGenomesOfAOneNodeSpace()
    {
        // One node per cell: 7 · 7 ops per cell type, 2,401 genomes, all enumerated.
        var space = new DartsCellSpace(Small, nodes: 1);
        double minF = double.MaxValue, minP = double.MaxValue;
        for (var a = 0; a < 7; a++)
            for (var b = 0; b < 7; b++)
                for (var c = 0; c < 7; c++)
                    for (var d = 0; d < 7; d++)
                    {
                        int[] g = [0, a, b, 0, c, d];
                        minF = Math.Min(minF, space.Flops(g));
                        minP = Math.Min(minP, space.Params(g));
                    }
        Assert.Equal((minF, minP), space.Smallest());

        // Four nodes: no random genome goes below the minima.
        var full = new DartsCellSpace(Small);
        var (f, p) = full.Smallest();
        var rng = new Rng(9);
        for (var i = 0; i < 500; i++)
        {
            var g = ChoiceSpaces.Uniform(full, rng);
            Assert.True(full.Flops(g) >= f && full.Params(g) >= p);
        }
    }

    [Fact]
    public void AnEvolutionUnderAFlopsLimitReturnsAGenotypeUnderItThatTheTrainNetworkBuildsAndRuns()
    {
        var space = new DartsCellSpace(Small);
        var rng = new Rng(21);
        var flops = Enumerable.Range(0, 200).Select(_ => space.Flops(ChoiceSpaces.Uniform(space, rng))).Order().ToArray();
        var limit = flops[flops.Length / 2]; // the median of uniform draws, as the presets choose theirs
        // A synthetic fitness that prefers parameters (lower is better), so the limit binds.
        var config = new EvolutionConfig(limit, Population: 12, Generations: 4, TopK: 4, Mutations: 6, Crossovers: 6);
        var state = Evolution.RunAll(config, space, g => -space.Params(g), seed: 5);
        Assert.All(state.Evaluated, c => Assert.True(c.Flops <= limit, $"{c.Flops} > {limit}"));
        var best = Evolution.Best(state, 1)[0];
        Assert.True(state.Evaluated.Length > config.Population);
        var genotype = space.Decode(best.Genes);
        Assert.Equal(best.Flops, Small.Cost(genotype).Macs);

        // The genotype file `nas train` reads: the DARTS literal and genotype.json with space stacked.
        var fromText = GenotypeText.Parse(genotype.ToDartsString());
        var json = genotype.ToJson(SearchSpace.Stacked);
        Assert.Equal(SearchSpace.Stacked, Genotype.SpaceOfJson(json));
        Assert.Equal(genotype.ToDartsString(), Genotype.FromJson(json).ToDartsString());

        using var g = new Generator(1);
        using var net = Small.Create(fromText, g, auxiliary: false);
        Assert.Equal((long)space.Params(best.Genes), net.ParameterCount());
        using var scope = new TensorScope();
        using var x = Tensor.Randn([2, 1, 28, 28], g);
        var (logits, _) = net.Forward(x, training: false, scope);
        Assert.Equal([2L, 10L], logits.Shape);
        Assert.All(logits.ToFloatArray(), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void TheSpaceCountsOnlyTheStackedNetwork()
    {
        // The searches on this space: DartsSupernetTests.
        Assert.Throws<ArgumentException>(() => new DartsCellSpace(Small with { Space = SearchSpace.Broad }));
    }

    [Fact]
    public void AtTheDefaultSearchSizeTheMedianFlopsOfUniformDrawsBindsAndLiesAboveTheSmallest()
    {
        // The stacked network at SearchConfig's defaults (8 cells, C = 16) on Fashion-MNIST: what a preset limit would be chosen from.
        var spec = new EvalNetworkSpec(SearchSpace.Stacked, Layers: 8, Channels: 16, EnhancementCells: 0, InputChannels: 1, InputSize: 28, Classes: 10);
        var space = new DartsCellSpace(spec);
        var rng = new Rng(15);
        var draws = Enumerable.Range(0, 1001).Select(_ => ChoiceSpaces.Uniform(space, rng)).ToArray();
        var flops = draws.Select(g => space.Flops(g)).Order().ToArray();
        var parameters = draws.Select(g => space.Params(g)).Order().ToArray();
        var median = flops[500];
        var (smallF, smallP) = space.Smallest();
        var others = Enumerable.Range(0, 2000).Select(_ => space.Flops(ChoiceSpaces.Uniform(space, rng))).ToArray();
        var over = others.Count(f => f > median) / (double)others.Length;
        output.WriteLine($"smallest FLOPs {smallF:N0}, params {smallP:N0}; of 1,001 draws FLOPs {flops[0]:N0} .. median {median:N0} .. {flops[^1]:N0}, " +
            $"params {parameters[0]:N0} .. median {parameters[500]:N0} .. {parameters[^1]:N0}; {over:P1} of 2,000 more draws over the median");
        Assert.True(smallF <= flops[0] && smallP <= parameters[0]);
        Assert.True(smallF < median && median < flops[^1]);
        Assert.InRange(over, 0.4, 0.6);
    }
}
