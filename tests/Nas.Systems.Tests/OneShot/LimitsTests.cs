// Issue 15 item 1: the one-shot search's FLOPs and params limits (SPOS rejection rule, §1.5), the spaces' smallest architectures, and the refusals.
using System.Text.Json;
using Nas.Components;
using Nas.Systems.Methods;
using Nas.Systems.OneShot.BsNas;
using Nas.Systems.OneShot.Mobile;
using Nas.Systems.OneShot.NasBench201;
using Nas.Systems.OneShot.Search;
using Nas.World;

namespace Nas.Systems.Tests.OneShot;

public sealed class LimitsTests
{
    private static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        return v[v.Length / 2];
    }

    private static double[] Sample(IChoiceSpace space, Func<IChoiceSpace, int[], double> measure, int n, ulong seed)
    {
        var rng = new Rng(seed);
        return Enumerable.Range(0, n).Select(_ => measure(space, ChoiceSpaces.Uniform(space, rng))).ToArray();
    }

    [Fact]
    public void EveryGenomeTheEvolutionScoresIsUnderBothLimitsWhetherDrawnMutatedOrCrossed()
    {
        // Fitness favours big networks, so mutants and crossovers of the best keep pushing against both limits.
        var space = MobileSpace.Tiny28();
        double flopsLimit = Median(Sample(space, (s, g) => s.Flops(g), 501, 1));
        double paramsLimit = Median(Sample(space, (s, g) => s.Params(g), 501, 2));
        var config = new EvolutionConfig(flopsLimit, Population: 20, Generations: 6, TopK: 5, Mutations: 10, Crossovers: 10, ParamsLimit: paramsLimit);
        var scored = new List<int[]>();
        var state = Evolution.RunAll(config, space, g => { scored.Add((int[])g.Clone()); return -space.Flops(g) - space.Params(g); }, 9);
        Assert.True(scored.Count > config.Population, "the generations after the first scored mutants and crossovers");
        Assert.All(scored, g => Assert.True(space.Flops(g) <= flopsLimit && space.Params(g) <= paramsLimit,
            $"[{ChoiceSpaces.Key(g)}]: {space.Flops(g)} MACs (limit {flopsLimit}), {space.Params(g)} params (limit {paramsLimit})"));
        // Without the limits the same search goes over them: the limits are what held it.
        var free = Evolution.RunAll(new EvolutionConfig(double.MaxValue, 20, 6, 5, 10, 10), space, g => -space.Flops(g) - space.Params(g), 9);
        var best = Evolution.Best(free, 1)[0];
        Assert.True(best.Flops > flopsLimit && space.Params(best.Genes) > paramsLimit);
    }

    [Fact]
    public void AFlopsLimitedSearchReturnsAnArchitectureUnderItsLimitWhereTheUnlimitedOneWasOver()
    {
        var data = OneShotSessionTests.TinyData();
        var free = OneShotSessionTests.Tiny("bn-nas") with { FlopsLimit = 0, Population = 8, Generations = 3 };
        ArchCandidate unlimited;
        using (var s = OneShotSession.Create(free, data))
        {
            while (!s.Finished) s.Step();
            unlimited = s.Best()!.Value;
        }
        var limited = free with { FlopsLimit = unlimited.Flops - 1 }; // the unlimited choice is now illegal
        using var run = OneShotSession.Create(limited, data);
        while (!run.Finished) run.Step();
        var best = run.Best()!.Value;
        Assert.True(best.Flops <= limited.FlopsLimit, $"{best.Flops} MACs over the limit {limited.FlopsLimit}");
        Assert.NotEqual(unlimited.Genes, best.Genes);
        foreach (var e in run.World.Query<ArchCandidate>())
            Assert.True(run.World.Read<ArchCandidate>(e).Flops <= limited.FlopsLimit);

        // The result reports the chosen architecture's FLOPs and params next to the limits.
        using var json = JsonDocument.Parse(run.Result().Json);
        Assert.Equal(best.Flops, json.RootElement.GetProperty("flops").GetDouble());
        Assert.Equal(limited.FlopsLimit, json.RootElement.GetProperty("flops_limit").GetDouble());
        Assert.Equal(0, json.RootElement.GetProperty("params_limit").GetDouble());
        Assert.Equal(MobileSpace.Tiny28(identity: false, 4).Params(best.Genes), json.RootElement.GetProperty("params").GetDouble());
        Assert.Contains($"limit {limited.FlopsLimit:N0}", OneShotSession.CostLine(run.World, limited));
    }

    [Fact]
    public void LimitsBelowTheSmallestArchitectureAreRefusedNamingTheKeyAndValue()
    {
        var data = OneShotSessionTests.TinyData();
        var c = OneShotSessionTests.Tiny("spos");
        var (flops, parameters) = MobileSpace.Tiny28(identity: false, 4).Smallest();
        var e = Assert.Throws<ArgumentException>(() => OneShotSession.Create(c with { FlopsLimit = flops - 1 }, data));
        Assert.Contains($"flops_limit {flops - 1}", e.Message);
        Assert.Contains($"({flops} MACs)", e.Message);
        e = Assert.Throws<ArgumentException>(() => OneShotSession.Create(c with { ParamsLimit = 1000 }, data));
        Assert.Contains("params_limit 1000", e.Message);
        Assert.Contains($"({parameters} parameters)", e.Message);
        // The limit at exactly the smallest admits that one architecture.
        using var ok = OneShotSession.Create(c with { FlopsLimit = flops, ParamsLimit = parameters }, data);

        Assert.Contains(Presets.Problems(c with { FlopsLimit = -1 }), p => p.Contains("flops_limit") && p.Contains("-1"));
        Assert.Contains(Presets.Problems(c with { ParamsLimit = double.NaN }), p => p.Contains("params_limit") && p.Contains("NaN"));
        Assert.Contains(Presets.Problems(Presets.For("darts") with { FlopsLimit = 1e6 }), p => p.Contains("flops_limit") && p.Contains("darts"));
    }

    [Fact]
    public void TheSmallestArchitectureOfEachSpaceIsExact()
    {
        // NB-201: every one of the 15,625 cells.
        var nb = new Nb201Space(Nb201Layout.FashionMnist with { Channels = 8, CellsPerStage = 1 });
        var all = Nb201Cell.All().ToList();
        Assert.Equal((all.Min(g => nb.Flops(g)), all.Min(g => nb.Params(g))), nb.Smallest());

        // BS-NAS: the dynamic programme against brute force over a narrowed active space (2 ops × 2 widths, identity kept).
        var full = BsNasSpace.Tiny28();
        var active = new ActiveOptions(
            full.Active.Ops.Select(o => o.Where(x => x is -1 or 1 or 4).ToArray()).ToArray(),
            full.Active.Widths.Select(w => new[] { 0, w.Length - 1 }).ToArray());
        var space = full.With(active);
        double minFlops = double.MaxValue, minParams = double.MaxValue;
        var genome = new int[space.Layers];
        void Walk(int l)
        {
            if (l == space.Layers) { minFlops = Math.Min(minFlops, space.Flops(genome)); minParams = Math.Min(minParams, space.Params(genome)); return; }
            foreach (var g in space.Choices(l)) { genome[l] = g; Walk(l + 1); }
        }
        Walk(0);
        Assert.Equal((minFlops, minParams), space.Smallest());

        // Mobile: additive, so each layer's cheapest choice; no sampled genome is below it.
        var mobile = MobileSpace.Tiny28();
        var (f, p) = mobile.Smallest();
        Assert.All(Sample(mobile, (s, g) => s.Flops(g), 2000, 3), x => Assert.True(x >= f));
        Assert.Equal(f, mobile.Flops(Enumerable.Range(0, 8).Select(l => mobile.Choices(l).MinBy(g => mobile.LayerCost(l, g).Macs)).ToArray()));
        Assert.Equal(p, mobile.Params(Enumerable.Range(0, 8).Select(l => mobile.Choices(l).MinBy(g => mobile.LayerCost(l, g).Params)).ToArray()));
    }
}
