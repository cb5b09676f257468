// The resource set-up both session types share: a new run's generator, clock and metrics; a resumed run's config, settings, streams and generator.
using Nas.Components;
using Nas.Systems.Search;
using Nas.Torch;
using Nas.World;

namespace Nas.Systems.Methods;

public static class SessionResources
{
    /// <summary>A new run: registers the engine's named types and sets the run's torch generator, seeded with <paramref name="seed"/>, which it returns.</summary>
    public static Generator Open(World.World world, ulong seed)
    {
        SearchSnapshot.RegisterTypes(world.Types);
        var generator = new Generator(seed);
        world.SetResource(new TorchRng(generator));
        return generator;
    }

    /// <summary>
    /// A new run's position and figures: the streams' start positions, the clock at step 0 of <paramref name="epochs"/>
    /// epochs of <paramref name="stepsPerEpoch"/> steps, and metrics that are NaN until the first step; plus the config.
    /// </summary>
    public static void Begin(World.World world, SearchConfig config, StreamPositions positions, long stepsPerEpoch, int epochs)
    {
        world.SetResource(new RunConfig(config));
        world.SetResource(positions);
        world.SetResource(new SearchClock(0, 0, 0, stepsPerEpoch, epochs));
        world.SetResource(new StepMetrics(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN));
    }

    /// <summary>
    /// A resumed run: <paramref name="config"/> replaces the saved one, the settings of its concerns are set again
    /// (<paramref name="setSettings"/>: the method family's), generator resources of old snapshots become named streams, and
    /// the torch generator continues from its saved state.
    /// </summary>
    public static void Resume(World.World world, SearchConfig config, Action<World.World, SearchConfig> setSettings)
    {
        world.SetResource(new RunConfig(config));
        setSettings(world, config);
        RandomStreams.AdoptLegacy(world);
        RestoreGenerator(world, config.Seed);
    }

    /// <summary>Sets a fresh generator seeded with <paramref name="seed"/> on <paramref name="world"/>, at the saved <see cref="TorchRngState"/> when the world has one.</summary>
    public static void RestoreGenerator(World.World world, ulong seed)
    {
        var generator = new Generator(seed);
        try
        {
            if (world.TryResource<TorchRngState>(out var state)) generator.SetState(state.State);
        }
        catch
        {
            generator.Dispose();
            throw;
        }
        world.SetResource(new TorchRng(generator));
    }

    /// <summary>The per-step tensor owners every session has, fresh: the batches' and the passes'.</summary>
    public static void StepScopes(World.World world)
    {
        world.SetResource(new StepTensors());
        world.SetResource(new PassTensors());
    }
}
