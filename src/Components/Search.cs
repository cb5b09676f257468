// Resources of a running search: where it is, what it measured, the optimizer counters that are not tensors, the data streams' positions and the torch generator's state.
using Nas.World;

namespace Nas.Components;

/// <summary>Position of the search: steps done in total and in the current epoch.</summary>
[Resource("nas.search.clock", 1)]
public record struct SearchClock(
    [SnapshotKey("Step")] long Step,
    [SnapshotKey("Epoch")] int Epoch,
    [SnapshotKey("StepInEpoch")] long StepInEpoch,
    [SnapshotKey("StepsPerEpoch")] long StepsPerEpoch,
    [SnapshotKey("Epochs")] int Epochs)
{
    public readonly bool Finished => Epoch >= Epochs;
}

/// <summary>Figures of the last step, for logs and metrics (NaN where the method has none).</summary>
[Resource("nas.search.metrics", 1)]
public record struct StepMetrics(
    [SnapshotKey("TrainLoss")] double TrainLoss,
    [SnapshotKey("TrainAccuracy")] double TrainAccuracy,
    [SnapshotKey("ValLoss")] double ValLoss,
    [SnapshotKey("ValAccuracy")] double ValAccuracy,
    [SnapshotKey("Lr")] double Lr,
    [SnapshotKey("ArchLr")] double ArchLr,
    [SnapshotKey("GradNorm")] double GradNorm);

/// <summary>
/// The optimizer counters kept beside the state tensors: per weight whether its SGD momentum buffer started,
/// per architecture tensor Adam's step count (torch's state['step']). Orders match <c>SearchParameters</c>.
/// </summary>
[Resource("nas.search.optimizer", 1)]
public sealed record OptimizerCounters([SnapshotKey("MomentumStarted")] bool[] MomentumStarted, [SnapshotKey("ArchSteps")] long[] ArchSteps);

/// <summary>
/// Where a <c>BatchStream</c> is: the next batch starts at <see cref="Position"/> (images already
/// taken in <see cref="Epoch"/>) of epoch <see cref="Epoch"/>'s permutation. Plain numbers: snapshot these
/// three and a restored stream yields exactly the batches the original would have.
/// </summary>
public readonly record struct BatchStreamState(
    [SnapshotKey("Seed")] ulong Seed,
    [SnapshotKey("Epoch")] int Epoch,
    [SnapshotKey("Position")] int Position);

/// <summary>The batch streams' positions after this step's draw: part of every snapshot, so a resumed run sees the same batches.</summary>
[Resource("nas.data.positions", 1)]
public sealed record StreamPositions([SnapshotKey("Train")] BatchStreamState Train, [SnapshotKey("Val")] BatchStreamState? Val);

/// <summary>The torch generator's state bytes (libtorch's CPUGeneratorImplState), captured just before a snapshot.</summary>
[Resource("nas.torch.rng", 1)]
public sealed record TorchRngState([SnapshotKey("State")] byte[] State);
