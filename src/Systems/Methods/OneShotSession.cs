// A one-shot search run (SPOS, BN-NAS, BNNAS++, BS-NAS): its world and schedule, stepped like any ISearchSession.
using System.Text.Json;
using Nas.Components;
using Nas.Systems.Data;
using Nas.Systems.OneShot;
using Nas.Systems.OneShot.BsNas;
using Nas.Systems.OneShot.NasBench201;
using Nas.Systems.OneShot.Search;
using Nas.Systems.OneShot.Supernet;
using Nas.Systems.OneShot.Systems;
using Nas.Systems.Search;
using Nas.Torch;
using Nas.World;

namespace Nas.Systems.Methods;

public sealed class OneShotSession : ISearchSession
{
    public World.World World { get; }
    public Schedule Schedule { get; }
    public SearchConfig Config { get; }
    public Dataset Train { get; }

    private OneShotSession(World.World world, Schedule schedule, SearchConfig config, Dataset train)
    {
        World = world;
        Schedule = schedule;
        Config = config;
        Train = train;
    }

    public static OneShotNetwork NetworkOf(SearchConfig c, Dataset train) => NetworkOf(c, train.Channels, train.Height, train.Classes);

    /// <summary>
    /// The supernet a configuration builds for square inputs of <paramref name="inputChannels"/>×<paramref name="inputSize"/>² and
    /// <paramref name="classes"/> classes. The DARTS cell supernet takes `layers` cells of `nodes` nodes at `channels`; the other
    /// spaces record 0 for both (as their snapshots always have).
    /// </summary>
    public static OneShotNetwork NetworkOf(SearchConfig c, int inputChannels, int inputSize, int classes) =>
        new(c.OneShotSpace, inputChannels, inputSize, classes, c.Channels, c.CellsPerStage, c.Spring, c.UnbiasedBn,
            NonAffineBn: !c.BnAffine, NoIdentity: c.IdentityChoice == IdentityChoice.Off,
            Layers: c.OneShotSpace == OneShotSpaceKind.Darts ? c.Layers : 0, Nodes: c.OneShotSpace == OneShotSpaceKind.Darts ? c.Nodes : 0);

    /// <summary>A new world: the supernet (seeded from the torch generator), the "path" random stream, data streams, fixed scoring batches, clock.</summary>
    public static OneShotSession Create(SearchConfig config, Dataset train)
    {
        if (!OneShotMethod.IsOneShot(config.Method)) throw new ArgumentException($"'{config.Method}' is not a one-shot method");
        if (train.Height != train.Width) throw new ArgumentException($"{train.Name}: images must be square, got {train.Height}x{train.Width}");
        if (config.Spring && config.OneShotSpace != OneShotSpaceKind.Mobile) throw new ArgumentException("spring widths (BS-NAS) need the mobile space");
        CheckLimits(config, NetworkOf(config, train));
        var world = new World.World();
        try
        {
            var generator = SessionResources.Open(world, config.Seed);
            RandomStreams.Open(world, RandomStreams.Path, config.Seed);
            RandomStreams.Open(world, RandomStreams.Evolve, config.Seed);
            var supernet = SupernetSpawn.Spawn(world, new SupernetSpec(NetworkOf(config, train), config.BnOnly, config.BnScope), generator);
            if (config.Shrink && config.ShrinkCriterion == ShrinkCriterion.Angle) supernet.KeepInitialWeights(); // §4.4: the angle's reference
            if (config.Spring) world.SetResource(BsNasSpace.Tiny28(train.Classes, identity: config.IdentityChoice == IdentityChoice.Searchable).Active);
            OneShotMethod.SetSettings(world, config);
            var stream = SetDataResources(world, train, config, position: null);
            // The clock's epochs: the supernet's, then the evolution's (one step per generation; from step 0 when epochs is 0).
            SessionResources.Begin(world, config, new StreamPositions(stream.State, null),
                config.Epochs > 0 ? stream.StepsPerEpoch : config.Generations + 1, config.Epochs + 1);
            return new OneShotSession(world, OneShotMethod.Schedule(config), config, train);
        }
        catch
        {
            world.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Refuses a flops_limit or params_limit below the smallest architecture of the space the run would search (no genome
    /// could ever be legal), naming the key, the value and the smallest; a limit the preset chose for its default space says so.
    /// </summary>
    public static void CheckLimits(SearchConfig config, OneShotNetwork network)
    {
        if (config.FlopsLimit <= 0 && config.ParamsLimit <= 0) return;
        var (flops, parameters) = OneShotSupernet.ChoiceSpace(network, null).Smallest();
        var preset = Presets.For(config.Method);
        string Problem(string key, string flag, double limit, double smallest, string unit, bool fromPreset) =>
            $"{key} {limit.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} is below the smallest architecture of this {config.Method} space " +
            $"({smallest.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} {unit}), so no architecture could be chosen" +
            (fromPreset ? $" (the {config.Method} preset's {key} was chosen for its default space)" : "") + $": pass {flag} N with N >= the smallest, or 0 for none";
        if (config.FlopsLimit > 0 && config.FlopsLimit < flops)
            throw new ArgumentException(Problem("flops_limit", "--flops-limit", config.FlopsLimit, flops, "MACs", config.FlopsLimit == preset.FlopsLimit));
        if (config.ParamsLimit > 0 && config.ParamsLimit < parameters)
            throw new ArgumentException(Problem("params_limit", "--params-limit", config.ParamsLimit, parameters, "parameters", config.ParamsLimit == preset.ParamsLimit));
    }

    /// <summary>
    /// A session over a world loaded from a snapshot (SearchSnapshot.Read). Everything a one-shot run carries between
    /// steps is already in the world — supernet weights and momentum buffers, BN statistics, the "path" random stream
    /// (sampled paths, shrinking draws), the clock and metrics, <see cref="SampledPath"/>, <see cref="ActiveOptions"/>, the
    /// "evolve" stream, the evolution's <see cref="EvolutionState"/> (population, top-k, evaluated memo) with the
    /// <see cref="ArchCandidate"/> entities, and the BN score table or facet pool — so this only rebuilds what is
    /// runtime-only: the torch generator from <see cref="TorchRngState"/>, the training stream at
    /// <see cref="StreamPositions"/>, the fixed scoring batches (deterministic in the data and config), the step
    /// tensors, the settings resources and the <see cref="SupernetTensors"/> cache of the tensors by role.
    /// <paramref name="config"/> replaces the saved configuration (e.g. more steps). Takes ownership of
    /// <paramref name="world"/>; on failure the caller disposes it.
    /// </summary>
    public static OneShotSession Restore(World.World world, Dataset train, SearchConfig? config = null)
    {
        config ??= world.Resource<RunConfig>().Config;
        if (!OneShotMethod.IsOneShot(config.Method)) throw new ArgumentException($"'{config.Method}' is not a one-shot method");
        if (world.CountOf<OneShotNetwork>() != 1) throw new InvalidOperationException("the snapshot holds no one-shot network entity");
        if (!world.TryResource<StreamPositions>(out var positions)) throw new InvalidOperationException("the snapshot has no data-stream positions (nas.data.positions)");
        SessionResources.Resume(world, config, OneShotMethod.SetSettings);
        EvolveSystem.AdoptLegacy(world); // a snapshot older than the "evolve" stream goes on with the old evolution draws
        var tensors = SupernetLayout.Index(world); // runtime-only: rebuilt from the entities, the layout and the store
        world.SetResource(tensors);
        SupernetLayout.AttachGradients(world, tensors); // runtime-only too: snapshots leave them out
        SetDataResources(world, train, config, positions.Train);
        return new OneShotSession(world, OneShotMethod.Schedule(config), config, train);
    }

    /// <summary>
    /// The data side of a session, the same for a new run and a restored one: the training stream over the weight split
    /// (at <paramref name="position"/> when resuming), the fixed scoring batches and the step tensors. Returns the stream.
    /// </summary>
    private static BatchStream SetDataResources(World.World world, Dataset train, SearchConfig config, BatchStreamState? position)
    {
        var split = Split.Darts(train.Count, config.TrainPortion);
        var stream = new BatchStream(train, split.Weights, config.Batch, config.Seed, Augmentation.ForSearch(train.Height));
        if (position is { } state) stream.State = state;
        world.SetResource(new DataFeed(stream, null));
        world.SetResource(EvalBatches(train, split, config));
        SessionResources.StepScopes(world);
        return stream;
    }

    /// <summary>
    /// Puts runtime-only state into named resources before a snapshot: the torch generator's state and the stream
    /// position (the feed records it each training step; recorded here too so a snapshot never depends on that).
    /// </summary>
    public void CaptureRuntimeState()
    {
        World.SetResource(new TorchRngState(World.Resource<TorchRng>().Generator.GetState()));
        World.SetResource(new StreamPositions(World.Resource<DataFeed>().Train.State, null));
    }

    /// <summary>
    /// Recalibration batches from the weight split and evaluation batches from the held-out split, unaugmented, in order [I];
    /// with a zero-cost proxy as fitness, its <see cref="ProbeBatch"/> of the config's batch size too.
    /// </summary>
    public static EvalData EvalBatches(Dataset data, Split split, SearchConfig c)
    {
        var scope = new TensorScope();
        var recal = new BatchStream(data, split.Weights, c.Batch, 0, Augmentation.None, shuffle: false);
        var eval = new BatchStream(data, split.Arch, c.Batch, 0, Augmentation.None, shuffle: false);
        var r = Enumerable.Range(0, Math.Min(c.RecalibrationBatches, recal.StepsPerEpoch)).Select(_ => recal.Next(scope).Images).ToList();
        var v = Enumerable.Range(0, Math.Min(c.EvalBatches, eval.StepsPerEpoch)).Select(_ => { var b = eval.Next(scope); return (b.Images, b.Labels); }).ToList();
        var probe = OneShot.Proxies.ZeroCostProxies.OfFitness(c.Fitness) is null ? ((Tensor, Tensor)?)null : ProbeBatch(data, split, c.Batch, scope);
        return new EvalData(scope, r, v, probe);
    }

    /// <summary>
    /// The fixed batch zero-cost proxies read (NASWOT, snip, grad_norm): the first <paramref name="batch"/> images of the
    /// weight (training) split with their labels, unaugmented, in dataset order, normalised as in training; owned by <paramref name="scope"/>.
    /// The proxy fitness and the rank experiment take the same batch.
    /// </summary>
    public static (Tensor Images, Tensor Labels) ProbeBatch(Dataset data, Split split, int batch, TensorScope scope)
    {
        var b = new BatchStream(data, split.Weights, batch, 0, Augmentation.None, shuffle: false).Next(scope);
        return (b.Images, b.Labels);
    }

    /// <summary>This session as one rank of a data-parallel run: the training stream yields the rank's shard; see DataParallel.</summary>
    public ISearchSession InParallel(DataParallel parallel)
    {
        World.SetResource(parallel);
        World.Resource<DataFeed>().Train.Shard = new DataShard(parallel.Rank, parallel.WorldSize);
        return new OneShotSession(World, OneShotMethod.Schedule(Config, worldSize: parallel.WorldSize), Config, Train);
    }

    /// <summary>The supernet's trainable tensors: what every rank must hold alike (BN running statistics stay per rank).</summary>
    public IEnumerable<Tensor> AgreedTensors() => Agreed(World);

    public static IEnumerable<Tensor> Agreed(World.World world) => new OneShotSupernet(world).Trainable().Select(t => t.Tensor).ToArray();

    public SearchClock Clock => World.Resource<SearchClock>();
    public StepMetrics Metrics => World.Resource<StepMetrics>();
    public bool Finished => Clock.Finished || (Config.Steps > 0 && Clock.Step >= Config.Steps);
    public OneShotSupernet Supernet => new(World);

    public void Step() => Schedule.Run(World, Clock.Step);

    /// <summary>The best architecture evaluated so far (lowest fitness, ties in evaluation order), or null before the search.</summary>
    public ArchCandidate? Best() => BestOf(World);

    public static ArchCandidate? BestOf(World.World world)
    {
        ArchCandidate? best = null;
        foreach (var e in world.Query<ArchCandidate>())
        {
            var c = world.Read<ArchCandidate>(e);
            if (best is null || c.Fitness < best.Value.Fitness) best = c;
        }
        return best;
    }

    /// <summary>
    /// NB-201: the arch string; DARTS: the genotype literal (genotype.json in `nas train`'s form); mobile: one line per layer.
    /// The JSON carries genes, FLOPs, fitness (null when not finite: NASWOT's −∞ is fitness +∞) and the method.
    /// </summary>
    public (string Text, string Json) Result() => ResultOf(World, Config);

    /// <summary>The result of a one-shot world (e.g. one loaded from a snapshot for inspection, without its data).</summary>
    public static (string Text, string Json) ResultOf(World.World world, SearchConfig config)
    {
        if (BestOf(world) is not { } best)
            return ("(no architecture evaluated yet: the supernet is still training)\n",
                JsonSerializer.Serialize(new { method = config.Method, status = "supernet training", step = world.Resource<SearchClock>().Step }));
        var text = Describe(world, config, best.Genes);
        if (config.OneShotSpace == OneShotSpaceKind.Darts) return (text + "\n", DartsResultJson(world, config, best));
        var json = JsonSerializer.Serialize(new
        {
            method = config.Method, space = config.OneShotSpace.ToString().ToLowerInvariant(), genes = best.Genes,
            flops = best.Flops, fitness = double.IsFinite(best.Fitness) ? best.Fitness : (double?)null, fitness_kind = config.Fitness.ToString(), text,
            @params = ParamsOf(world, best.Genes), flops_limit = config.FlopsLimit, params_limit = config.ParamsLimit,
        });
        return (text + "\n", json);
    }

    /// <summary>
    /// A DARTS-space result is a genotype.json `nas train` takes (space "stacked", the DARTS lists) with the one-shot fields
    /// (method, genes, FLOPs, fitness, params and the limits) beside them.
    /// </summary>
    private static string DartsResultJson(World.World world, SearchConfig config, ArchCandidate best)
    {
        var genotype = OneShot.Darts.DartsSupernet.Space(OneShotSupernet.SpecOf(world)).Decode(best.Genes);
        var root = System.Text.Json.Nodes.JsonNode.Parse(genotype.ToJson(SearchSpace.Stacked))!.AsObject();
        root["method"] = config.Method;
        root["one_shot_space"] = "darts";
        root["genes"] = new System.Text.Json.Nodes.JsonArray(best.Genes.Select(g => (System.Text.Json.Nodes.JsonNode)g).ToArray());
        root["flops"] = best.Flops;
        root["fitness"] = best.Fitness;
        root["fitness_kind"] = config.Fitness.ToString();
        root["params"] = ParamsOf(world, best.Genes);
        root["flops_limit"] = config.FlopsLimit;
        root["params_limit"] = config.ParamsLimit;
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>The parameter count of a genome's network as retrained (affine BNs, classifier), from the space's counter.</summary>
    public static double ParamsOf(World.World world, int[] genes)
    {
        world.TryResource<ActiveOptions>(out var active);
        return OneShotSupernet.ChoiceSpace(OneShotSupernet.SpecOf(world), active).Params(genes);
    }

    /// <summary>
    /// The chosen architecture's FLOPs and params next to the run's limits, one line (the CLI's final report); null before
    /// the search has evaluated any architecture.
    /// </summary>
    public static string? CostLine(World.World world, SearchConfig config)
    {
        if (BestOf(world) is not { } best) return null;
        static string Limit(double v) => v > 0 ? v.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) : "none";
        return $"FLOPs {best.Flops.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} MACs (limit {Limit(config.FlopsLimit)}), " +
               $"params {ParamsOf(world, best.Genes).ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} (limit {Limit(config.ParamsLimit)})";
    }

    /// <summary>Supernet training steps, then the start of the evolution and one step per generation.</summary>
    public long TotalSteps => Clock.StepsPerEpoch * Config.Epochs + Config.Generations + 1;

    public string Describe(int[] genes) => Describe(World, Config, genes);

    public static string Describe(World.World world, SearchConfig config, int[] genes)
    {
        if (config.OneShotSpace == OneShotSpaceKind.Nb201) return Nb201Cell.Format(genes);
        if (config.OneShotSpace == OneShotSpaceKind.Darts) return OneShot.Darts.DartsSupernet.Space(OneShotSupernet.SpecOf(world)).Decode(genes).ToDartsString();
        var path = new OneShotSupernet(world).Path(genes);
        return string.Join("\n", path.Select((p, l) => p.Op == -1 ? $"layer {l}: identity"
            : $"layer {l}: mbconv k{OneShot.Mobile.MobileSpace.Ops[p.Op].Kernel} e{OneShot.Mobile.MobileSpace.Ops[p.Op].Expansion} width {p.Width}"));
    }

    public IReadOnlyDictionary<string, object> EpochReport()
    {
        var report = new Dictionary<string, object> { ["phase"] = Clock.Epoch <= Config.Epochs - 1 && !Finished ? "supernet" : "search" };
        if (World.TryResource<ActiveOptions>(out var a)) report["active_space_size"] = Shrinking.SpaceSize(a);
        report["candidate_ops"] = World.CountOf<ChoiceOp>();
        if (World.TryResource<EvolutionState>(out var s) && s.History.Length > 0)
        {
            report["generation"] = s.Generation;
            if (double.IsFinite(s.History[^1].Best)) report["best_fitness"] = s.History[^1].Best; // NASWOT's −∞ (a constant-output cell) is fitness +∞, which JSON has no number for
            report["evaluated"] = s.Evaluated.Length;
        }
        if (Best() is { } best)
        {
            report["genotype"] = Describe(best.Genes);
            report["flops"] = best.Flops;
            report["params"] = ParamsOf(World, best.Genes);
        }
        return report;
    }

    public void Dispose()
    {
        if (World.TryResource<StepTensors>(out var step)) step.Dispose();
        if (World.TryResource<PassTensors>(out var pass)) pass.Dispose();
        if (World.TryResource<EvalData>(out var data)) data.Dispose();
        if (World.TryResource<TorchRng>(out var rng)) rng.Generator.Dispose();
        World.Dispose();
    }
}
