// Components of the one-shot family: the single-path supernet, its candidate ops, and the architectures the evolution evaluates.
using Nas.World;

namespace Nas.Components;

public enum OneShotSpaceKind { Mobile = 0, Nb201 = 1 }

/// <summary>
/// The one-shot network entity; it owns the fixed tensors (stem, residual blocks, head, classifier).
/// <see cref="Spring"/>: mobile weights are stored at the widest spring width (BS-NAS); <see cref="Unbiased"/>: every
/// non-zero op ends in an output BN (BNNAS++ §3.2).
/// </summary>
[Component("nas.oneshot.network", 1)]
public readonly record struct OneShotNetwork(
    [SnapshotKey("Space")] OneShotSpaceKind Space,
    [SnapshotKey("InputChannels")] int InputChannels,
    [SnapshotKey("InputSize")] int InputSize,
    [SnapshotKey("Classes")] int Classes,
    [SnapshotKey("Channels")] int Channels,
    [SnapshotKey("CellsPerStage")] int CellsPerStage,
    [SnapshotKey("Spring")] bool Spring,
    [SnapshotKey("Unbiased")] bool Unbiased);

/// <summary>
/// A candidate op: choice <see cref="Choice"/> (gene; −1 = identity) of layer <see cref="Layer"/> (mobile layer or
/// NB-201 edge); <see cref="Cell"/> is the NB-201 cell instance (0 for mobile). It owns its weights; its last
/// BatchNorm is named "out.*" (the BN-NAS indicator BN).
/// </summary>
[Component("nas.oneshot.choice", 1)]
public readonly record struct ChoiceOp([SnapshotKey("Layer")] int Layer, [SnapshotKey("Choice")] int Choice, [SnapshotKey("Cell")] int Cell);

/// <summary>An architecture the evolutionary search evaluated: its genome, FLOPs, fitness (lower is better) and generation.</summary>
[Component("nas.oneshot.candidate", 1)]
public readonly record struct ArchCandidate(
    [SnapshotKey("Genes")] int[] Genes,
    [SnapshotKey("Flops")] double Flops,
    [SnapshotKey("Fitness")] double Fitness,
    [SnapshotKey("Generation")] int Generation);
