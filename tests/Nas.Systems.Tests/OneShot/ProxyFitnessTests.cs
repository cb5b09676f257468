// Zero-cost proxies as the one-shot evolution's fitness (issue 16 item 1): what the evolution scores and picks, the limits, the refusals.
using System.Text.Json;
using Nas.Components;
using Nas.Systems.Data;
using Nas.Systems.Methods;
using Nas.Systems.OneShot.NasBench201;
using Nas.Systems.OneShot.Proxies;
using Nas.Torch;

namespace Nas.Systems.Tests.OneShot;

public sealed class ProxyFitnessTests
{
    /// <summary>The spos preset on the tiny NB-201 network (C 4, one cell per stage, 1×8×8, 4 classes) with <paramref name="fitness"/>.</summary>
    internal static SearchConfig Tiny(OneShotFitness fitness) => OneShotSessionTests.Tiny("spos") with
    {
        OneShotSpace = OneShotSpaceKind.Nb201, IdentityChoice = IdentityChoice.Searchable, FlopsLimit = 0, Fitness = fitness,
        Population = 6, Generations = 2,
    };

    /// <summary>Every candidate the finished session evaluated, in evaluation order, and its best; every system checked against what it declares.</summary>
    private static (ArchCandidate[] Evaluated, ArchCandidate Best, string Json) Run(SearchConfig config, Dataset data)
    {
        using var s = OneShotSession.Create(config, data);
        s.World.CheckAccesses = true;
        while (!s.Finished) s.Step();
        var evaluated = s.World.Query<ArchCandidate>().ToList().Select(e => s.World.Read<ArchCandidate>(e)).ToArray();
        return (evaluated, s.Best()!.Value, s.Result().Json);
    }

    /// <summary>
    /// The proxy of <paramref name="genes"/> recomputed outside the session: the run's network record, a fresh first training
    /// batch of the config's size (unaugmented, dataset order) and the config's seed.
    /// </summary>
    private static double Recompute(ProxyKind kind, int[] genes, SearchConfig config, Dataset data)
    {
        using var scope = new TensorScope();
        var split = Split.Darts(data.Count, config.TrainPortion);
        var batch = new BatchStream(data, split.Weights, config.Batch, 0, Augmentation.None, shuffle: false).Next(scope);
        return ZeroCostProxies.Score(kind, genes, OneShotSession.NetworkOf(config, data), batch.Images, batch.Labels, config.Seed);
    }

    [Fact]
    public void ASynflowEvolutionPicksTheHighestSynflowOfTheCandidatesItScoredUnderTheLimit()
    {
        var data = OneShotSessionTests.TinyData();
        // Synflow grows with the network, so the unlimited search ends on a large cell; one MAC under its choice makes that illegal.
        var unlimited = Run(Tiny(OneShotFitness.Synflow), data).Best;
        var config = Tiny(OneShotFitness.Synflow) with { FlopsLimit = unlimited.Flops - 1 };
        var (evaluated, best, json) = Run(config, data);
        Assert.True(evaluated.Length > config.Population, "the generations after the first scored mutants and crossovers");
        var space = new Nb201Space(ZeroCostProxies.LayoutOf(OneShotSession.NetworkOf(config, data)));
        var synflow = new double[evaluated.Length];
        for (var i = 0; i < evaluated.Length; i++)
        {
            var c = evaluated[i];
            Assert.True(c.Flops <= config.FlopsLimit, $"{Nb201Cell.Format(c.Genes)}: {c.Flops} MACs over the limit {config.FlopsLimit}");
            Assert.Equal(space.Flops(c.Genes), c.Flops);
            synflow[i] = Recompute(ProxyKind.Synflow, c.Genes, config, data);
            Assert.Equal(-synflow[i], c.Fitness); // the same computation on the same weights and batch: bit for bit
        }
        var top = Array.IndexOf(synflow, synflow.Max());
        Assert.True(synflow[top] > 0 && synflow.Distinct().Count() > 1, "synflow must tell the candidates apart for the pick to mean anything");
        Assert.Equal(evaluated[top].Genes, best.Genes);
        Assert.True(best.Flops < unlimited.Flops);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal("Synflow", doc.RootElement.GetProperty("fitness_kind").GetString());
        Assert.Equal(-synflow[top], doc.RootElement.GetProperty("fitness").GetDouble());
        Assert.Equal(config.FlopsLimit, doc.RootElement.GetProperty("flops_limit").GetDouble());
    }

    [Theory]
    [InlineData(OneShotFitness.Naswot, ProxyKind.Naswot)]
    [InlineData(OneShotFitness.Snip, ProxyKind.Snip)]
    [InlineData(OneShotFitness.GradNorm, ProxyKind.GradNorm)]
    [InlineData(OneShotFitness.Params, ProxyKind.Params)]
    [InlineData(OneShotFitness.Flops, ProxyKind.Flops)]
    public void EachProxyFitnessScoresACandidateAsMinusItsProxyAtInitialisation(OneShotFitness fitness, ProxyKind kind)
    {
        var data = OneShotSessionTests.TinyData();
        var config = Tiny(fitness) with { Generations = 1 };
        var (evaluated, best, _) = Run(config, data);
        Assert.True(evaluated.Length >= config.Population);
        var scores = evaluated.Select(c => Recompute(kind, c.Genes, config, data)).ToArray();
        for (var i = 0; i < evaluated.Length; i++) Assert.Equal(-scores[i], evaluated[i].Fitness);
        Assert.True(scores.Distinct().Count() > 1, $"{kind}: every candidate scored {scores[0]}, which would make any pick look right");
        Assert.Equal(scores.Max(), -best.Fitness);
    }

    [Theory]
    [InlineData("spos")]    // non-affine BN
    [InlineData("bnnas++")] // BN-only training, unbiased output BNs
    public void TheNetworkAProxyFitnessScoresIsTheRunsSupernetAtInitialisation(string method)
    {
        var data = OneShotSessionTests.TinyData();
        var config = OneShotSessionTests.Tiny(method) with
        {
            OneShotSpace = OneShotSpaceKind.Nb201, IdentityChoice = IdentityChoice.Searchable, Fitness = OneShotFitness.Synflow, Seed = 21,
        };
        using var s = OneShotSession.Create(config, data);
        using var world = new World.World();
        var proxies = ZeroCostProxies.Spawn(world, s.Supernet.Spec, config.Seed).Tensors.Parameters;
        var run = s.Supernet.Tensors.Parameters;
        Assert.True(run.Length > 10);
        Assert.Equal(run.Select(p => p.Name), proxies.Select(p => p.Name));
        for (var i = 0; i < run.Length; i++) Assert.Equal(run[i].Value.ToFloatArray(), proxies[i].Value.ToFloatArray());
    }

    [Fact]
    public void TheProxyFitnessDoesNotDependOnTheTrainedSupernet()
    {
        // One epoch of training against two: the supernets differ, the proxy evolutions (scored at initialisation) do not.
        var data = OneShotSessionTests.TinyData();
        var one = Run(Tiny(OneShotFitness.Snip), data);
        var two = Run(Tiny(OneShotFitness.Snip) with { Epochs = 2 }, data);
        Assert.Equal(one.Evaluated.Select(c => (Nb201Cell.Format(c.Genes), c.Fitness)), two.Evaluated.Select(c => (Nb201Cell.Format(c.Genes), c.Fitness)));
    }

    [Fact]
    public void WithEpochsZeroTheEvolutionStartsAtStepZeroAndScoresAsATrainedRunDoes()
    {
        var data = OneShotSessionTests.TinyData();
        var config = Tiny(OneShotFitness.GradNorm) with { Epochs = 0 };
        Assert.Empty(Presets.Problems(config));
        using var s = OneShotSession.Create(config, data);
        var before = s.Supernet.Parameters().Select(p => p.Tensor.ToFloatArray()).ToList();
        var steps = 0;
        while (!s.Finished) { s.Step(); steps++; }
        Assert.Equal(config.Generations + 1, steps); // Start and one step per generation, no training step
        Assert.Equal(steps, s.TotalSteps);
        Assert.Equal(before, s.Supernet.Parameters().Select(p => p.Tensor.ToFloatArray()).ToList());
        // The evolution's draws come from its own stream and the proxy from the initialisation: the same candidates as after a trained epoch.
        var trained = Run(Tiny(OneShotFitness.GradNorm), data).Evaluated;
        var untrained = s.World.Query<ArchCandidate>().ToList().Select(e => s.World.Read<ArchCandidate>(e)).ToArray();
        Assert.Equal(trained.Select(c => (Nb201Cell.Format(c.Genes), c.Fitness)), untrained.Select(c => (Nb201Cell.Format(c.Genes), c.Fitness)));
    }

    [Fact]
    public void EpochsZeroIsRefusedForTheFitnessesThatReadTheTrainedSupernet()
    {
        foreach (var fitness in new[] { OneShotFitness.Accuracy, OneShotFitness.BnIndicator, OneShotFitness.Composite })
        {
            var problem = Assert.Single(Presets.Problems(Tiny(fitness) with { Epochs = 0, BnAffine = true }));
            Assert.Contains("epochs must be at least 1", problem);
            Assert.Contains("got 0", problem);
        }
        Assert.Contains(Presets.Problems(Presets.For("darts") with { Fitness = OneShotFitness.Synflow, Epochs = 0 }), p => p.StartsWith("epochs", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(OneShotSpaceKind.Mobile, "one_shot_space mobile")]
    [InlineData(OneShotSpaceKind.Darts, "one_shot_space darts")]
    public void AProxyFitnessOutsideNb201IsRefusedNamingTheKeyTheValueAndTheSpace(OneShotSpaceKind space, string named)
    {
        var config = Presets.For("spos") with { Fitness = OneShotFitness.GradNorm, OneShotSpace = space, IdentityChoice = IdentityChoice.Searchable };
        var problem = Assert.Single(Presets.Problems(config));
        Assert.Contains("fitness grad_norm", problem);
        Assert.Contains("one_shot_space nb201", problem);
        Assert.Contains(named, problem);
    }

    [Fact]
    public void AProxyFitnessOnADifferentiableMethodIsRefused()
    {
        var problem = Assert.Single(Presets.Problems(Presets.For("darts") with { Fitness = OneShotFitness.Naswot }));
        Assert.Contains("fitness naswot", problem);
        Assert.Contains("method darts", problem);
    }

    [Fact]
    public void AProxyFitnessRunsOnTheSposSupernetWithoutBnAffine()
    {
        // bn_affine false is refused for the γ-based fitnesses only: the proxies need no γ (synflow removes BN, the others sum conv and linear weights).
        var spos = Presets.For("spos") with { OneShotSpace = OneShotSpaceKind.Nb201, IdentityChoice = IdentityChoice.Searchable };
        Assert.False(spos.BnAffine);
        foreach (var f in new[] { OneShotFitness.Naswot, OneShotFitness.Synflow, OneShotFitness.Snip, OneShotFitness.GradNorm, OneShotFitness.Params, OneShotFitness.Flops })
            Assert.Empty(Presets.Problems(spos with { Fitness = f }));
        Assert.Single(Presets.Problems(spos with { Fitness = OneShotFitness.BnIndicator }), p => p.Contains("bn_affine", StringComparison.Ordinal));
    }

    [Fact]
    public void EveryProxyIsAFitnessSpelledAsTheProxyIsNamed()
    {
        foreach (var kind in ZeroCostProxies.All)
        {
            var fitness = Enum.GetValues<OneShotFitness>().Single(f => ZeroCostProxies.OfFitness(f) == kind);
            Assert.Equal(ZeroCostProxies.Name(kind), ConfigKeys.Of(fitness));
        }
        Assert.Null(ZeroCostProxies.OfFitness(OneShotFitness.Accuracy));
        Assert.Null(ZeroCostProxies.OfFitness(OneShotFitness.BnIndicator));
        Assert.Null(ZeroCostProxies.OfFitness(OneShotFitness.Composite));
    }

    [Fact]
    public void OnlyAProxyFitnessBuildsTheProbeBatch()
    {
        var data = OneShotSessionTests.TinyData();
        var split = Split.Darts(data.Count, 0.5);
        using (var plain = OneShotSession.EvalBatches(data, split, Tiny(OneShotFitness.Accuracy))) Assert.Null(plain.Probe);
        using var withProbe = OneShotSession.EvalBatches(data, split, Tiny(OneShotFitness.Naswot));
        var (images, labels) = withProbe.Probe!.Value;
        Assert.Equal([16L, 1, 8, 8], images.Shape);
        Assert.Equal([16L], labels.Shape);
    }
}
