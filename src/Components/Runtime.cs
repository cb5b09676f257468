// Runtime-only resources of a run (never snapshotted, rebuilt on create and resume): the data streams, the torch generator, the step's batches.
using Nas.Torch;

namespace Nas.Components;

/// <summary>One batch: images float32 N×C×H×W (normalised, augmented), labels int64 N.</summary>
public readonly record struct Batch(Tensor Images, Tensor Labels, int Epoch, int Size);

/// <summary>Which part of each global batch a stream yields: rank <see cref="Rank"/> of <see cref="Count"/> (data parallelism).</summary>
public readonly record struct DataShard(int Rank, int Count);

/// <summary>A seeded, resumable stream of batches (implemented by Nas.Systems.Data.BatchStream): what the feed systems draw from.</summary>
public interface IBatchStream
{
    /// <summary>The next batch, its tensors owned by <paramref name="scope"/>; advances <see cref="State"/>.</summary>
    Batch Next(TensorScope scope);

    /// <summary>The position of the next batch; setting it (from a snapshot) makes the stream continue from there.</summary>
    BatchStreamState State { get; set; }

    int StepsPerEpoch { get; }

    /// <summary>Data parallelism: the part of each global batch this stream yields.</summary>
    DataShard Shard { get; set; }

    /// <summary>The size of the global batch of the last draw (this rank's share is the batch's size).</summary>
    int LastGlobalSize { get; }
}

/// <summary>The batch streams: weights split, and the architecture split for bilevel methods.</summary>
public sealed record DataFeed(IBatchStream Train, IBatchStream? Val);

/// <summary>The torch generator of the run (dropout masks, weight init); its state is snapshotted through <see cref="TorchRngState"/>.</summary>
public sealed record TorchRng(Generator Generator);

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
