// Resources of a search: runtime-only ones rebuilt on resume (data streams, torch generator, step tensors) and the named state they resume from.
using Nas.Components;
using Nas.Systems.Data;
using Nas.Systems.Methods;
using Nas.Torch;
using Nas.World;

namespace Nas.Systems.Search;

/// <summary>The batch streams: weights split, and the architecture split for bilevel methods.</summary>
public sealed record DataFeed(BatchStream Train, BatchStream? Val);

/// <summary>The torch generator of the run (dropout masks, weight init); its state is snapshotted through <see cref="TorchRngState"/>.</summary>
public sealed record TorchRng(Generator Generator)
{
    /// <summary>Sets a fresh generator seeded with <paramref name="seed"/> on <paramref name="world"/>, at the saved <see cref="TorchRngState"/> when the world has one.</summary>
    public static void Restore(World.World world, ulong seed)
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
}

/// <summary>The current step's batches, owned by <see cref="Scope"/>, which the feed system renews every step.</summary>
public sealed class StepTensors : IDisposable
{
    public TensorScope Scope { get; private set; } = new();
    public Batch Train { get; set; }
    public Batch? Val { get; set; }

    /// <summary>Disposes the previous step's tensors and starts a fresh scope.</summary>
    public void Renew()
    {
        Scope.Dispose();
        Scope = new TensorScope();
    }

    public void Dispose() => Scope.Dispose();
}


