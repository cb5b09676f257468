// The search side of a one-shot run: BS-NAS shrinking (tag, then destroy), and the evolution over architecture entities.
using Nas.Components;
using Nas.Systems.OneShot.BsNas;
using Nas.Systems.OneShot.Indicators;
using Nas.Systems.OneShot.Search;
using Nas.Systems.OneShot.Supernet;
using Nas.Systems.Search;
using Nas.World;

namespace Nas.Systems.OneShot.Systems;

/// <summary>
/// BS-NAS shrinking (§4.4) at the end of each stage: M subnets drawn from the active space (world RNG), each scored by
/// BN-recalibrated accuracy (per-option means, z-scores within each layer, the D lowest turned off) or, with
/// <see cref="ShrinkCriterion.Angle"/>, by ABS's angle to the initial weights (per-option mean angles, the D smallest
/// turned off, ranked raw as ABS does). A turned-off op's entity gets <see cref="Pruned"/>; widths are slices, so they
/// only leave <see cref="ActiveOptions"/>.
/// </summary>
public sealed class ShrinkSystem : ISystem
{
    public string Name => "shrink";
    public Access Access { get; } = new Access().Read<RunConfig>().Read<SearchClock>().Read<EvalData>().Read<OneShotNetwork>().Read<ChoiceOp>()
        .Write<ActiveOptions>().Write<RngStreams>().Write<Pruned>();

    public void Run(World.World world, in SystemContext ctx)
    {
        var c = world.Resource<RunConfig>().Config;
        var clock = world.Resource<SearchClock>();
        if (!c.Shrink || clock.Epoch >= c.Epochs || clock.StepInEpoch != clock.StepsPerEpoch - 1) return;
        var schedule = new ShrinkSchedule(c.ShrinkFirstStage, c.ShrinkLaterStage, c.ShrinkRemove, c.ShrinkStopAtSize, c.ShrinkSubnets);
        var active = world.Resource<ActiveOptions>();
        if (!schedule.IsStageEnd(clock.Epoch + 1) || Shrinking.ShouldStop(active, schedule)) return;
        var net = new OneShotSupernet(world);
        var data = world.Resource<EvalData>();
        var rng = world.Rng(RandomStreams.Path);
        bool angle = c.ShrinkCriterion == ShrinkCriterion.Angle;
        var samples = new List<(int[] Genome, double Score)>();
        for (int i = 0; i < schedule.SubnetsPerRanking; i++)
        {
            var g = SamplePathSystem.DrawFor(c, net.Spec, active, c.Epochs, rng); // all admissible widths; the training FLOPs window if any
            samples.Add((g, angle ? net.PathAngle(g) : 1 - Scoring.Error(net, data, g)));
        }
        var pruned = Shrinking.ChooseToPrune(active, Shrinking.OptionMeans(samples), schedule.RemovePerStage, zScore: !angle);
        world.SetResource(Shrinking.Apply(active, pruned));
        foreach (var key in pruned.Where(k => k.Kind == OptionKind.Op))
            if (net.TryOp(key.Layer, key.Value, 0, out var e)) ctx.Commands.Add(e, new Pruned());
    }
}

/// <summary>Destroys every pruned op through the command buffer; destroying an entity releases the tensors it owns.</summary>
public sealed class DestroyPrunedSystem : ISystem
{
    public string Name => "destroy-pruned";
    public Access Access { get; } = new Access().Read<ChoiceOp>().Read<Pruned>().Destroys();

    public void Run(World.World world, in SystemContext ctx)
    {
        foreach (var e in world.Query<ChoiceOp>().With<Pruned>()) ctx.Commands.Destroy(e);
    }
}

/// <summary>
/// The evolutionary search (§1.5) after supernet training, one generation per step: Start on the first search step,
/// then Step. Every newly evaluated genome becomes an <see cref="ArchCandidate"/> entity. The state is the
/// <see cref="EvolutionState"/> resource, so snapshots hold it; fitness tables or pools are resources too.
/// </summary>
public sealed class EvolveSystem : ISystem
{
    public string Name => "evolve";
    public Access Access { get; } = new Access().Read<RunConfig>().Read<SearchClock>().Read<EvalData>().Read<OneShotNetwork>().Read<ChoiceOp>()
        .Read<ActiveOptions>().Write<EvolutionState>().Write<BnScoreTable>().Write<FacetPoolState>().Write<StepMetrics>().Write<ArchCandidate>().Creates();

    public static EvolutionConfig EvolutionConfigOf(SearchConfig c) =>
        new(c.FlopsLimit > 0 ? c.FlopsLimit : double.MaxValue, c.Population, c.Generations,
            TopK: Math.Min(10, c.Population), Mutations: Math.Max(1, c.Population / 2), Crossovers: Math.Max(1, c.Population / 2));

    public void Run(World.World world, in SystemContext ctx)
    {
        var c = world.Resource<RunConfig>().Config;
        var clock = world.Resource<SearchClock>();
        if (clock.Epoch != c.Epochs) return;
        var net = new OneShotSupernet(world);
        world.TryResource<ActiveOptions>(out var active);
        var space = OneShotSupernet.ChoiceSpace(net.Spec, active, c.Nb201Dedupe);
        var fitness = Fitness(world, net, space, c);
        var config = EvolutionConfigOf(c);
        var before = world.TryResource<EvolutionState>(out var s) ? s : null;
        if (before is not null && Evolution.Done(before, config)) return;
        var after = before is null ? Evolution.Start(config, space, fitness, c.Seed ^ 0x5EA2C4UL) : Evolution.Step(before, config, space, fitness);
        world.SetResource(after);
        foreach (var cand in after.Evaluated.Skip(before?.Evaluated.Length ?? 0))
        {
            var p = ctx.Commands.Create();
            ctx.Commands.Add(p, new ArchCandidate(cand.Genes, cand.Flops, cand.Fitness, after.Generation));
        }
        var best = Evolution.Best(after, 1)[0];
        ref var m = ref world.Resource<StepMetrics>();
        m = m with { ValLoss = best.Fitness, ValAccuracy = c.Fitness == OneShotFitness.Accuracy ? 1 - best.Fitness : double.NaN };
    }

    /// <summary>The fitness (lower is better) of the configured kind; BN-NAS's table and BNNAS++'s pool are built once and kept as resources.</summary>
    public static Func<int[], double> Fitness(World.World world, OneShotSupernet net, IChoiceSpace space, SearchConfig c)
    {
        var data = world.Resource<EvalData>();
        switch (c.Fitness)
        {
            case OneShotFitness.BnIndicator:
                if (!world.TryResource<BnScoreTable>(out var table)) world.SetResource(table = new BnScoreTable(Scoring.BnTable(net)));
                return g => BnIndicator.Fitness(table.Table, g);
            case OneShotFitness.Composite:
                if (!world.TryResource<FacetPoolState>(out var pool)) world.SetResource(pool = Scoring.Pool(net, data, space, c, c.Seed ^ 0xFAC7UL));
                var list = Scoring.AsList(pool);
                var w = Scoring.Weights(c.Facets);
                return g => -BnnasPlusPlus.Combine(Scoring.ComputeFacets(net, data, g, c), list, FacetCombination.RankSum, w);
            default:
                return g => Scoring.Error(net, data, g);
        }
    }
}
