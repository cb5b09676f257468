// Components and resources of the one-shot family: the single-path supernet, its candidate ops, the architectures the evolution evaluates, BS-NAS's active options and the evolution's state.
using Nas.World;

namespace Nas.Components;

public enum OneShotSpaceKind { Mobile = 0, Nb201 = 1 }

/// <summary>Which equivalence an evolution on the NB-201 space uses to skip duplicates (Nas.Systems.OneShot.NasBench201.Nb201Isomorphism).</summary>
public enum Nb201Dedupe { None, Isomorphic, Benchmark, Function }

/// <summary>
/// How a shrink stage scores options (§4.4): the mean BN-recalibrated accuracy of sampled subnets using the option,
/// z-scored within its group [I]; or ABS's angle [C]: the mean angle between the subnets' current and initial weights,
/// ranked raw across all groups as ABS does (`megvii-model/AngleNAS:SPOS/shrinking`).
/// </summary>
public enum ShrinkCriterion { Accuracy, Angle }

/// <summary>Which BatchNorm parameters BN-only training updates (§2.3); everything else is frozen.</summary>
public enum BnScope { LastBnPerOp, AllBn, AllBnPlusClassifier }

/// <summary>How the evolution scores a candidate: SPOS accuracy after BN recalibration, BN-NAS's γ indicator, or BNNAS++'s facets.</summary>
public enum OneShotFitness { Accuracy, BnIndicator, Composite }

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

/// <summary>Which ops (genes −1..5) and width indices of every layer are still switched on (§4.4).</summary>
[Resource("nas.oneshot.active", 1)]
public sealed record ActiveOptions([SnapshotKey("Ops")] int[][] Ops, [SnapshotKey("Widths")] int[][] Widths);

/// <summary>An evaluated genome. Fitness is lower-is-better, as in SPOS (top-1 error; BN-NAS passes −S(a)).</summary>
public sealed record Candidate([SnapshotKey("Genes")] int[] Genes, [SnapshotKey("Flops")] double Flops, [SnapshotKey("Fitness")] double Fitness);

/// <summary>Per generation: the best fitness ever seen (top-k head), the population's mean, and evaluations so far.</summary>
public sealed record GenerationStats(
    [SnapshotKey("Generation")] int Generation,
    [SnapshotKey("Best")] double Best,
    [SnapshotKey("Mean")] double Mean,
    [SnapshotKey("Evaluated")] int Evaluated);

/// <summary>
/// Everything the search needs to continue: plain arrays and numbers, no delegates, so it can be written to a
/// snapshot and read back (the step function is Nas.Systems.OneShot.Search.Evolution). <see cref="Evaluated"/> is the
/// memo of §1.5 in evaluation order: a genome in it is never evaluated again. Resuming happens at a generation boundary.
/// </summary>
[Resource("nas.oneshot.evolution", 1)]
public sealed record EvolutionState(
    [SnapshotKey("Generation")] int Generation,
    [SnapshotKey("RngState")] ulong RngState,
    [SnapshotKey("Population")] Candidate[] Population,
    [SnapshotKey("TopK")] Candidate[] TopK,
    [SnapshotKey("Evaluated")] Candidate[] Evaluated,
    [SnapshotKey("History")] GenerationStats[] History);
