// Runtime-only resources of a run (never snapshotted, rebuilt on create and resume): the torch generator and the step's batches.
using Nas.Torch;

namespace Nas.Components;

/// <summary>One batch: images float32 N×C×H×W (normalised, augmented), labels int64 N.</summary>
public readonly record struct Batch(Tensor Images, Tensor Labels, int Epoch, int Size);

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
