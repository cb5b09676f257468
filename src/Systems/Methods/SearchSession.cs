// A running search: its world and schedule, created from a config and a data set (or restored), stepped one step at a time.
using Nas.Components;
using Nas.Systems.Data;
using Nas.Systems.Genotypes;
using Nas.Systems.Search;
using Nas.Systems.Spaces.Broad;
using Nas.Systems.Spaces.Darts;
using Nas.Torch;
using Nas.World;

namespace Nas.Systems.Methods;

public sealed class SearchSession : ISearchSession
{
    public World.World World { get; }
    public Schedule Schedule { get; }
    public SearchConfig Config { get; }
    public Dataset Train { get; }

    private SearchSession(World.World world, Schedule schedule, SearchConfig config, Dataset train)
    {
        World = world;
        Schedule = schedule;
        Config = config;
        Train = train;
    }

    /// <summary>The candidate ops of an edge: DARTS's order, or DropNAS's (its own order, or the 1-skip / 3-skip variant of §5.2).</summary>
    public static IReadOnlyList<OpKind> OpsFor(SearchConfig c) => c.Method != "dropnas" ? OpKinds.DartsOrder : c.DropnasSpace switch
    {
        DropNasSpace.OneSkip => Techniques.DropNasSpaces.OneSkip,
        DropNasSpace.ThreeSkip => Techniques.DropNasSpaces.ThreeSkip,
        _ => OpKinds.DropNasOrder,
    };

    /// <summary>A new world: supernet entities with seeded weights, data streams, clock and counters.</summary>
    public static SearchSession Create(SearchConfig config, Dataset train)
    {
        if (train.Height != train.Width) throw new ArgumentException($"{train.Name}: images must be square, got {train.Height}x{train.Width}");
        var world = new World.World();
        try
        {
            var generator = SessionResources.Open(world, config.Seed);
            var runtime = config.Space == SearchSpace.Broad
                ? BroadSpace.Spawn(world, BroadLayout(config, train), OpsFor(config), config.PartialChannels, config.EdgeNormalization, generator)
                : StackedSpace.Spawn(world, new StackedLayout(config.Layers, config.Channels, train.Channels, train.Height, train.Classes, Nodes: config.Nodes),
                    OpsFor(config), config.PartialChannels, config.EdgeNormalization, generator);
            world.SetResource(runtime);
            if (config.DropRate > 0) RandomStreams.Open(world, RandomStreams.Drop, config.Seed);
            DifferentiableMethod.SetSettings(world, config);
            SessionResources.StepScopes(world);
            var feed = Feed(config, train, null);
            world.SetResource(feed);
            SessionResources.Begin(world, config, new StreamPositions(feed.Train.State, feed.Val?.State), feed.Train.StepsPerEpoch, config.Epochs);
            return new SearchSession(world, DifferentiableMethod.Schedule(config), config, train);
        }
        catch
        {
            world.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A session over a world loaded from a snapshot (SearchSnapshot.Read): recreates the runtime-only resources — the torch
    /// generator from <see cref="TorchRngState"/>, the data streams at <see cref="StreamPositions"/>, the step tensors, the
    /// supernet runtime (StackedSpace.Resolve). <paramref name="config"/> replaces the saved configuration (e.g. more steps).
    /// Takes ownership of <paramref name="world"/>.
    /// </summary>
    public static SearchSession Restore(World.World world, Dataset train, SearchConfig? config = null)
    {
        config ??= world.Resource<RunConfig>().Config;
        SessionResources.Resume(world, config, DifferentiableMethod.SetSettings);
        SessionResources.StepScopes(world);
        world.SetResource(config.Space == SearchSpace.Broad ? BroadSpace.Resolve(world) : StackedSpace.Resolve(world));
        world.SetResource(Feed(config, train, world.Resource<StreamPositions>()));
        return new SearchSession(world, DifferentiableMethod.Schedule(config), config, train);
    }

    /// <summary>Puts runtime-only state that a resume needs into named resources (the torch generator's state), before a snapshot.</summary>
    public void CaptureRuntimeState() => World.SetResource(new TorchRngState(World.Resource<TorchRng>().Generator.GetState()));
    /// <summary>The broad search layout of a config (§4.2): C, conv blocks L, enhancement cells E; `layers` does not apply.</summary>
    public static BroadSearchLayout BroadLayout(SearchConfig config, Dataset train) =>
        new(config.Channels, config.ConvBlocks, config.EnhancementCells, train.Channels, train.Height, train.Classes, Nodes: config.Nodes);

    /// <summary>The weight and architecture streams over the DARTS split (§2.2), or the whole set for one-level methods.</summary>
    public static DataFeed Feed(SearchConfig config, Dataset train, StreamPositions? positions)
    {
        var aug = Augmentation.ForSearch(train.Height);
        if (config.OneLevel)
        {
            var all = new IndexRange(0, train.Count);
            var s = new BatchStream(train, all, config.Batch, config.Seed, aug);
            if (positions is not null) s.State = positions.Train;
            return new DataFeed(s, null);
        }
        var split = Split.Darts(train.Count, config.TrainPortion);
        var trainStream = new BatchStream(train, split.Weights, config.Batch, config.Seed, aug);
        var valStream = new BatchStream(train, split.Arch, config.Batch, config.Seed + 1, aug);
        if (positions is not null)
        {
            trainStream.State = positions.Train;
            if (positions.Val is { } v) valStream.State = v;
        }
        return new DataFeed(trainStream, valStream);
    }

    /// <summary>
    /// This session as one rank of a data-parallel run: the streams yield the rank's shard of each global batch, and the
    /// schedule all-reduces gradients and checks agreement. Returns the session to use (same world); this one is spent.
    /// </summary>
    public ISearchSession InParallel(DataParallel parallel)
    {
        World.SetResource(parallel);
        var feed = World.Resource<DataFeed>();
        var shard = new DataShard(parallel.Rank, parallel.WorldSize);
        feed.Train.Shard = shard;
        if (feed.Val is { } val) val.Shard = shard;
        return new SearchSession(World, DifferentiableMethod.Schedule(Config, parallel.WorldSize), Config, Train);
    }

    /// <summary>What must be bit-identical on every rank: the network weights, then alpha and beta.</summary>
    public IEnumerable<Tensor> AgreedTensors() => [.. Runtime.Weights(World), .. Runtime.Arch(World)];

    public SearchClock Clock => World.Resource<SearchClock>();
    public StepMetrics Metrics => World.Resource<StepMetrics>();
    public bool Finished => Clock.Finished || (Config.Steps > 0 && Clock.Step >= Config.Steps);

    public void Step() => Schedule.Run(World, Clock.Step);

    public SupernetRuntime Runtime => World.Resource<SupernetRuntime>();

    /// <summary>Per-edge op probabilities of one cell type: softmax(alpha), times the normalised edge weight when beta exists.</summary>
    public float[][] EdgeWeights(CellType type, bool withBeta = true) => EdgeWeights(World, Runtime, Config, type, withBeta);

    public static float[][] EdgeWeights(World.World world, SupernetRuntime runtime, SearchConfig config, CellType type, bool withBeta = true)
    {
        return Derivation.Scores(runtime.Alpha(world, type), withBeta ? runtime.Beta(world, type) : null, config.Nodes);
    }

    public float[][] Alpha(CellType type) => Alpha(World, Runtime, type);

    public static float[][] Alpha(World.World world, SupernetRuntime runtime, CellType type)
    {
        return Derivation.Rows(runtime.Alpha(world, type));
    }

    /// <summary>The genotype now by the composition's <see cref="DerivationSettings"/>: softmax(alpha)·b per edge for DARTS and PC-DARTS (§2.5, §3.2), raw alpha for DropNAS (§5.6).</summary>
    public Genotype Genotype() => GenotypeOf(World, Runtime, Config.Nodes, World.ReadResource<DerivationSettings>().Rule);

    /// <summary>The genotype of a search world (e.g. one loaded from a snapshot for inspection, without its data).</summary>
    public static Genotype GenotypeOf(World.World world, SupernetRuntime runtime, int nodes, DerivationRule rule) =>
        Derivation.Of(runtime.Alpha(world, CellType.Normal), runtime.Beta(world, CellType.Normal),
            runtime.Alpha(world, CellType.Reduce), runtime.Beta(world, CellType.Reduce), runtime.Ops, nodes, rawAlpha: rule == DerivationRule.RawAlpha);

    /// <summary>Loss and accuracy over a data range in eval mode (running BN statistics), without gradients.</summary>
    public (double Loss, double Accuracy) Evaluate(Dataset data, IndexRange range, int batch)
    {
        var stream = new BatchStream(data, range, batch, 0, Augmentation.None, shuffle: false);
        double loss = 0, correct = 0;
        var seen = 0;
        using var _ = NoGrad.Enter();
        for (var i = 0; i < stream.StepsPerEpoch; i++)
        {
            using var scope = new TensorScope();
            var b = stream.Next(scope);
            var runtime = Runtime;
            var (normal, reduce) = SearchForward.CellWeightsOf(World, runtime, masks: null, scope);
            var logits = SearchForward.Run(World, runtime, b.Images, normal, reduce, training: false, scope);
            loss += scope.Own(logits.CrossEntropy(b.Labels)).Item() * b.Size;
            correct += ForwardLossSystem.Accuracy(logits, b.Labels, scope) * b.Size;
            seen += b.Size;
        }
        return (loss / seen, correct / seen);
    }

    public (string Text, string Json) Result()
    {
        var g = Genotype();
        return (g.ToDartsString(), g.ToJson(Config.Space));
    }

    /// <summary>Validation loss and accuracy on the architecture split in eval mode (§2.3, logging only), softmax(alpha) per edge, the genotype.</summary>
    public IReadOnlyDictionary<string, object> EpochReport()
    {
        var report = new Dictionary<string, object>();
        var feed = World.Resource<DataFeed>();
        if (feed.Val is not null)
        {
            var (loss, acc) = Evaluate(Train, Split.Darts(Train.Count, Config.TrainPortion).Arch, Config.Batch); // the architecture stream's range
            report["val_loss"] = loss;
            report["val_accuracy"] = acc;
        }
        var names = Runtime.Ops.Select(o => o.Name()).ToArray();
        foreach (var type in new[] { CellType.Normal, CellType.Reduce })
        {
            var probs = EdgeWeights(type, withBeta: false);
            report[$"alpha_softmax_{type.ToString().ToLowerInvariant()}"] = probs.Select(row => names.Zip(row).ToDictionary(p => p.First, p => (double)p.Second)).ToArray();
        }
        var g = Genotype();
        report["genotype"] = g.ToDartsString();
        report["parameter_free_normal"] = g.Normal.Count(e => e.Op.IsParameterFree());
        return report;
    }


    public void Dispose()
    {
        if (World.TryResource<PassTensors>(out var pass)) pass.Dispose();
        if (World.TryResource<StepTensors>(out var step)) step.Dispose();
        if (World.TryResource<TorchRng>(out var rng)) rng.Generator.Dispose();
        World.Dispose();
    }
}
