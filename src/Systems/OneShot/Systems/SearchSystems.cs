// The search side of a one-shot run: BS-NAS shrinking (tag, then destroy), the fitness tables built once, and the evolution over architecture entities.
using Nas.Components;
using Nas.Systems.OneShot.BsNas;
using Nas.Systems.OneShot.Indicators;
using Nas.Systems.OneShot.Proxies;
using Nas.Systems.OneShot.Search;
using Nas.Systems.OneShot.Supernet;
using Nas.Systems.Search;
using Nas.Systems.Spaces.Darts;
using Nas.World;

namespace Nas.Systems.OneShot.Systems;

/// <summary>
/// BS-NAS shrinking (§4.4) at the end of a stage (the schedule's condition): M subnets drawn from the active space (world
/// RNG; the training FLOPs window if one is set), each scored by BN-recalibrated accuracy (per-option means, z-scores
/// within each layer, the D lowest turned off) or, with <see cref="ShrinkCriterion.Angle"/>, by ABS's angle to the
/// initial weights (per-option mean angles, the D smallest turned off, ranked raw as ABS does). A turned-off op's entity
/// gets <see cref="Pruned"/>; widths are slices, so they only leave <see cref="ActiveOptions"/>.
/// </summary>
public sealed class ShrinkSystem : ISystem
{
    public string Name => "shrink";
    public Access Access { get; } = new Access().Read<ShrinkSettings>().Read<SupernetTrainingSettings>().Read<FlopsWindowSettings>().Read<EvalData>()
        .Read<OneShotNetwork>().Read<ChoiceOp>().Read<SupernetTensors>().Read<Weights>().Write<RunningStats>().Read<InitialWeights>()
        .Read<ForwardSettings>().Read<ForwardProfile>().Write<ActiveOptions>().Write<RngStreams>().Write<Pruned>();

    public static ShrinkSchedule ScheduleOf(ShrinkSettings s) => new(s.FirstStage, s.LaterStage, s.Remove, s.StopAtSize, s.Subnets);

    public void Run(World.World world, in SystemContext ctx)
    {
        var settings = world.ReadResource<ShrinkSettings>();
        var schedule = ScheduleOf(settings);
        var active = world.ReadResource<ActiveOptions>();
        if (Shrinking.ShouldStop(active, schedule)) return;
        var net = new OneShotSupernet(world);
        var data = world.ReadResource<EvalData>();
        var rng = world.Rng(RandomStreams.Path);
        var epochs = world.ReadResource<SupernetTrainingSettings>().Epochs;
        world.TryResource<FlopsWindowSettings>(out var window);
        bool angle = settings.Criterion == ShrinkCriterion.Angle;
        var samples = new List<(int[] Genome, double Score)>();
        for (int i = 0; i < schedule.SubnetsPerRanking; i++)
        {
            var g = SamplePathSystem.DrawFor(window, net.Spec, active, epochs, epochs, rng); // every width admissible by now
            samples.Add((g, angle ? net.PathAngle(g) : 1 - Scoring.Error(net, data, g)));
        }
        var pruned = Shrinking.ChooseToPrune(active, Shrinking.OptionMeans(samples), schedule.RemovePerStage, zScore: !angle);
        world.SetResource(Shrinking.Apply(active, pruned));
        foreach (var key in pruned.Where(k => k.Kind == OptionKind.Op))
            if (net.TryOp(key.Layer, key.Value, 0, out var e)) ctx.Commands.Add(e, new Pruned());
    }
}

/// <summary>Destroys every pruned op (destroying an entity releases the tensors it owns), then drops them from <see cref="SupernetTensors"/>.</summary>
public sealed class DestroyPrunedSystem : ISystem
{
    public string Name => "destroy-pruned";
    public Access Access { get; } = new Access().Read<OneShotNetwork>().Read<ChoiceOp>().Read<Pruned>().Write<SupernetTensors>()
        .Write<Weights>().Write<Momentum>().Write<RunningStats>().Write<InitialWeights>().Destroys();

    public void Run(World.World world, in SystemContext ctx)
    {
        var pruned = world.Query<ChoiceOp>().With<Pruned>().ToList();
        if (pruned.Count == 0) return;
        // Destroying an op releases every tensor it owns, whatever its role: a write of each.
        world.Tensors.Use<Weights>(write: true);
        world.Tensors.Use<Momentum>(write: true);
        world.Tensors.Use<RunningStats>(write: true);
        world.Tensors.Use<InitialWeights>(write: true);
        foreach (var e in pruned) world.Destroy(e);
        world.SetResource(SupernetLayout.Index(world));
    }
}

/// <summary>BN-NAS (§2.8): the L × |O| table of mean |γ| of each op's output BN, built once on the first search step and kept.</summary>
public sealed class BnScoreTableSystem : ISystem
{
    public string Name => "bn-score-table";
    public Access Access { get; } = new Access().Read<OneShotNetwork>().Read<ChoiceOp>().Read<SupernetTensors>().Read<Weights>().Read<RunningStats>()
        .Write<BnScoreTable>();

    public void Run(World.World world, in SystemContext ctx)
    {
        if (world.TryResource<BnScoreTable>(out _)) return;
        world.SetResource(new BnScoreTable(Scoring.BnTable(new OneShotSupernet(world))));
    }
}

/// <summary>BNNAS++ (§3.3): the reference pool of facets of uniformly drawn genomes, built once on the first search step and kept.</summary>
public sealed class FacetPoolSystem : ISystem
{
    public string Name => "facet-pool";
    public Access Access { get; } = new Access().Read<FacetSettings>().Read<EvolutionSettings>().Read<ActiveOptions>().Read<EvalData>()
        .Read<OneShotNetwork>().Read<ChoiceOp>().Read<SupernetTensors>().Read<Weights>().Write<RunningStats>().Read<ForwardSettings>().Read<ForwardProfile>()
        .Read<LegacyEvolutionRng>().Write<FacetPoolState>();

    public void Run(World.World world, in SystemContext ctx)
    {
        if (world.TryResource<FacetPoolState>(out _)) return;
        var net = new OneShotSupernet(world);
        var facets = world.ReadResource<FacetSettings>();
        var space = EvolveSystem.SpaceOf(world, net);
        var seed = facets.Seed ^ 0xFAC7UL;
        // A world resumed from a snapshot older than the "evolve" stream draws its pool as that run would have.
        Func<int, int> nextInt = world.TryResource<LegacyEvolutionRng>(out _) ? new LegacySplitMix64Draws(seed).NextInt : new Rng(seed).NextInt;
        world.SetResource(Scoring.Pool(net, world.ReadResource<EvalData>(), space, facets, nextInt));
    }
}

/// <summary>
/// The evolutionary search (§1.5) after supernet training, one generation per step: Start on the first search step,
/// then Step. Every newly evaluated genome becomes an <see cref="ArchCandidate"/> entity. The state is the
/// <see cref="EvolutionState"/> resource, so snapshots hold it. <paramref name="fitness"/> is how a candidate is
/// scored: it fixes what the system reads (the BN table, the facet pool, or the scoring batches alone: a zero-cost proxy
/// reads the probe batch and spawns its own network).
/// </summary>
public sealed class EvolveSystem(OneShotFitness fitness) : ISystem
{
    public OneShotFitness Fitness { get; } = fitness;
    public string Name => "evolve";
    public Access Access { get; } = Declare(fitness);

    private static Access Declare(OneShotFitness fitness)
    {
        var a = new Access().Read<EvolutionSettings>().Read<EvalData>().Read<OneShotNetwork>().Read<ChoiceOp>().Read<SupernetTensors>()
            .Read<Weights>().Write<RunningStats>().Read<ActiveOptions>().Read<DataParallel>().Read<ForwardSettings>().Read<ForwardProfile>().Write<EvolutionState>().Write<RngStreams>().Write<LegacyEvolutionRng>().Write<StepMetrics>().Write<ArchCandidate>().Creates();
        return fitness switch
        {
            OneShotFitness.BnIndicator => a.Read<BnScoreTable>(),
            OneShotFitness.Composite => a.Read<FacetPoolState>().Read<FacetSettings>(),
            _ => a,
        };
    }

    /// <summary>
    /// The SplitMix64 word the evolution started from before the "evolve" stream (the run seed with this tag): a world
    /// resumed from such a snapshot before its evolution began starts from it (<see cref="AdoptLegacy"/>).
    /// </summary>
    public const ulong LegacySeedTag = 0x5EA2C4UL;

    /// <summary>
    /// A world loaded from a snapshot made before the "evolve" stream: its v1 evolution state ("nas.oneshot.evolution",
    /// with its own SplitMix64 word) becomes <see cref="EvolutionState"/> plus <see cref="LegacyEvolutionRng"/>; a world
    /// whose evolution had not begun (no state, no "evolve" stream) gets the word the old run would have started from.
    /// Either way the resumed run draws exactly what the old one would have. A world with the stream is left alone.
    /// </summary>
    public static void AdoptLegacy(World.World world)
    {
        if (world.TryResource<LegacyEvolutionState>(out var old))
        {
            world.SetResource(new EvolutionState(old.Generation, old.Population, old.TopK, old.Evaluated, old.History));
            world.SetResource(new LegacyEvolutionRng(old.RngState));
            world.RemoveResource<LegacyEvolutionState>();
        }
        else if (!world.TryResource<EvolutionState>(out _) && !world.TryResource<LegacyEvolutionRng>(out _)
                 && !(world.TryResource<RngStreams>(out var streams) && streams.Has(RandomStreams.Evolve)))
            world.SetResource(new LegacyEvolutionRng(world.ReadResource<EvolutionSettings>().Seed ^ LegacySeedTag));
    }

    public static EvolutionConfig EvolutionConfigOf(EvolutionSettings c) =>
        new(c.FlopsLimit > 0 ? c.FlopsLimit : double.MaxValue, c.Population, c.Generations,
            TopK: Math.Min(10, c.Population), Mutations: Math.Max(1, c.Population / 2), Crossovers: Math.Max(1, c.Population / 2),
            ParamsLimit: c.ParamsLimit > 0 ? c.ParamsLimit : double.MaxValue);

    /// <summary>The space the evolution searches: the network's, narrowed to the active options (BS-NAS), with the NB-201 duplicate rule.</summary>
    public static IChoiceSpace SpaceOf(World.World world, OneShotSupernet net)
    {
        world.TryResource<ActiveOptions>(out var active);
        return OneShotSupernet.ChoiceSpace(net.Spec, active, world.ReadResource<EvolutionSettings>().Dedupe);
    }

    public void Run(World.World world, in SystemContext ctx)
    {
        var settings = world.ReadResource<EvolutionSettings>();
        var config = EvolutionConfigOf(settings);
        var before = world.TryResource<EvolutionState>(out var s) ? s : null;
        if (before is not null && Evolution.Done(before, config)) return;
        var net = new OneShotSupernet(world);
        var space = SpaceOf(world, net);
        var score = ScoreOf(world, net);
        // The "evolve" stream; a world resumed from a snapshot older than it goes on with the old SplitMix64 word.
        var legacy = world.TryResource<LegacyEvolutionRng>(out var word) ? new LegacySplitMix64Draws(word.State) : null;
        var draws = legacy ?? EvolutionDraws.Of(world.Rng(RandomStreams.Evolve));
        // Data parallelism: each rank scores a slice of this generation's candidates; every rank gets every score. The plan
        // runs on a copy of the draws, so the generation below draws the same numbers.
        if (world.TryResource<DataParallel>(out var parallel))
            score = ParallelScoring.Split(parallel.Group, f => { var plan = draws.Copy(); _ = before is null ? Evolution.Start(config, space, f, plan) : Evolution.Step(before, config, space, f, plan); }, score, g => space.Key(g));
        var after = before is null ? Evolution.Start(config, space, score, draws) : Evolution.Step(before, config, space, score, draws);
        if (legacy is not null) world.SetResource(new LegacyEvolutionRng(legacy.State));
        world.SetResource(after);
        foreach (var cand in after.Evaluated.Skip(before?.Evaluated.Length ?? 0))
        {
            var p = ctx.Commands.Create();
            ctx.Commands.Add(p, new ArchCandidate(cand.Genes, cand.Flops, cand.Fitness, after.Generation));
        }
        var best = Evolution.Best(after, 1)[0];
        ref var m = ref world.Resource<StepMetrics>();
        m = m with { ValLoss = best.Fitness, ValAccuracy = Fitness == OneShotFitness.Accuracy ? 1 - best.Fitness : double.NaN };
    }

    /// <summary>
    /// The fitness (lower is better): error after BN recalibration, −(BN-NAS score) from the table, −(BNNAS++ rank sum)
    /// against the pool, or −(zero-cost proxy) of the cell at initialisation: <see cref="ProxyFitness"/>.
    /// </summary>
    private Func<int[], double> ScoreOf(World.World world, OneShotSupernet net)
    {
        var data = world.ReadResource<EvalData>();
        if (ZeroCostProxies.OfFitness(Fitness) is { } proxy) return ProxyFitness(proxy, net.Spec, data, world.ReadResource<EvolutionSettings>().Seed);
        switch (Fitness)
        {
            case OneShotFitness.BnIndicator:
                var table = world.ReadResource<BnScoreTable>().Table;
                if (net.Spec.Space == OneShotSpaceKind.Darts) return g => -Darts.DartsSupernet.BnScore(table, g, net.Spec.Nodes);
                return g => BnIndicator.Fitness(table, g);
            case OneShotFitness.Composite:
                var pool = Scoring.AsList(world.ReadResource<FacetPoolState>());
                var facets = world.ReadResource<FacetSettings>();
                var w = Scoring.Weights(facets.Facets);
                return g => -BnnasPlusPlus.Combine(Scoring.ComputeFacets(net, data, g, facets), pool, FacetCombination.RankSum, w);
            default:
                return g => Scoring.Error(net, data, g);
        }
    }

    /// <summary>
    /// −(the proxy's score) of a genome, as <see cref="ZeroCostProxies.Score"/> defines it: a network spawned afresh from
    /// <c>new Generator(seed)</c> with the run's seed, which is the supernet this run started from (OneShotSession.Create
    /// spawns it from the same seed), never the trained one; on the probe batch. Every candidate sees the same
    /// initialisation, and nothing here reads or moves the world's state, so a resumed run scores bit for bit as before.
    /// </summary>
    public static Func<int[], double> ProxyFitness(ProxyKind proxy, OneShotNetwork network, EvalData data, ulong seed)
    {
        var (images, labels) = data.Probe ?? throw new InvalidOperationException(
            $"fitness {ZeroCostProxies.Name(proxy)} needs the proxy probe batch, but the scoring data has none (EvalBatches builds it for a proxy fitness)");
        return g => -ZeroCostProxies.Score(proxy, g, network, images, labels, seed);
    }
}
