// Snapshots of a search (any method): the world plus run facts in the header; reading one back and resuming it over its (reloaded) data set.
using Nas.Components;
using Nas.Systems.Data;
using Nas.Systems.Genotypes;
using Nas.Systems.OneShot;
using Nas.Systems.OneShot.Systems;
using Nas.Systems.Search;
using Nas.Systems.Spaces.Darts;
using Nas.World;
using Nas.World.Snapshots;

namespace Nas.Systems.Methods;

public static class SearchSnapshot
{
    /// <summary>The component and resource types of a search world (Nas.Components and Nas.Systems).</summary>
    public static void RegisterTypes(TypeRegistry types)
    {
        types.RegisterAssembly(typeof(Network).Assembly);
        types.RegisterAssembly(typeof(SearchSnapshot).Assembly);
    }

    /// <summary>
    /// Captures runtime-only state into named resources and writes the world into <paramref name="store"/> as the snapshot
    /// of the current step. Header fields besides "step": "method", "epoch", "genotype" (the session's result text now:
    /// the DARTS literal, a NAS-Bench-201 string, or the one-shot mobile path, one line per layer). Returns the path.
    /// </summary>
    public static string Save(ISearchSession session, SnapshotStore store)
    {
        session.CaptureRuntimeState();
        var clock = session.Clock;
        var header = new List<KeyValuePair<string, object?>>
        {
            new("method", session.Config.Method),
            new("epoch", (long)clock.Epoch),
            new("genotype", session.Result().Text.TrimEnd('\n')),
        };
        return WorldSnapshot.Save(store, session.World, clock.Step, header);
    }

    /// <summary>
    /// Reads a search snapshot into a new world (types registered, and those of <paramref name="registerMore"/>: a user's own
    /// systems' named components and resources); raises SnapshotException naming the file.
    /// </summary>
    public static LoadedSnapshot<World.World> Read(string path, Action<TypeRegistry>? registerMore = null) =>
        WorldSnapshot.Read(path, Register(registerMore));

    /// <summary>The newest valid snapshot of <paramref name="store"/>; newer damaged ones are listed in <paramref name="skipped"/>.</summary>
    public static LoadedSnapshot<World.World>? LoadNewestValid(SnapshotStore store, out IReadOnlyList<SnapshotException> skipped,
        Action<TypeRegistry>? registerMore = null) =>
        WorldSnapshot.LoadNewestValid(store, Register(registerMore), out skipped);

    private static Action<TypeRegistry> Register(Action<TypeRegistry>? more) => more is null ? RegisterTypes : types =>
    {
        RegisterTypes(types);
        more(types);
    };

    public static SearchConfig ConfigOf(World.World world) =>
        world.TryResource<RunConfig>(out var run) ? run.Config : throw new InvalidOperationException("the snapshot has no run configuration (nas.search.config)");

    public static bool IsOneShot(World.World world) => OneShotMethod.IsOneShot(ConfigOf(world).Method);

    /// <summary>
    /// A session resumed from a loaded world: the configuration saved in it (with <paramref name="adjust"/> applied, e.g. more
    /// steps) says which data set to load through <paramref name="loadTrain"/> and which session type continues it
    /// (<see cref="OneShotSession"/> for the one-shot methods, <see cref="SearchSession"/> otherwise). Takes ownership of the world.
    /// </summary>
    public static ISearchSession Resume(World.World world, Func<SearchConfig, Dataset> loadTrain, Func<SearchConfig, SearchConfig>? adjust = null)
    {
        try
        {
            var config = ConfigOf(world);
            if (adjust is not null) config = adjust(config);
            var train = loadTrain(config);
            return OneShotMethod.IsOneShot(config.Method)
                ? OneShotSession.Restore(world, train, config)
                : SearchSession.Restore(world, train, config);
        }
        catch
        {
            DisposeRuntime(world);
            throw;
        }
    }

    /// <summary>The genotype of a loaded differentiable search world, derived from its alpha (and beta) tensors, without data.</summary>
    public static Genotype Genotype(World.World world)
    {
        var config = ConfigOf(world);
        return SearchSession.GenotypeOf(world, StackedSpace.Resolve(world), config.Nodes, DifferentiableMethod.DerivationOf(config));
    }

    /// <summary>
    /// The result text of a loaded world of any method, without data: the DARTS genotype derived from alpha (and beta),
    /// or a one-shot run's best evaluated architecture (a note while its supernet is still training).
    /// </summary>
    public static string ResultText(World.World world) =>
        IsOneShot(world) ? OneShotSession.ResultOf(world, ConfigOf(world)).Text.TrimEnd('\n') : Genotype(world).ToDartsString();

    /// <summary>Frees a loaded world that will not be resumed (e.g. one only read for its header resources).</summary>
    public static void DisposeWorld(World.World world) => DisposeRuntime(world);

    private static void DisposeRuntime(World.World world)
    {
        if (world.TryResource<StepTensors>(out var step)) step.Dispose();
        if (world.TryResource<EvalData>(out var data)) data.Dispose();
        if (world.TryResource<TorchRng>(out var rng)) rng.Generator.Dispose();
        world.Dispose();
    }
}
