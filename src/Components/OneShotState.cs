// World state of a one-shot run besides its entities: the sampled path, the active options, the evolution, the scoring tables (snapshotted), and the runtime-only scoring batches.
using Nas.Torch;
using Nas.World;

namespace Nas.Components;

/// <summary>This step's single path (one gene per layer), drawn from the world's RNG.</summary>
[Resource("nas.oneshot.path", 1)]
public sealed record SampledPath([SnapshotKey("Genes")] int[] Genes);

/// <summary>Which ops (genes −1..5) and width indices of every layer are still switched on (BS-NAS §4.4).</summary>
[Resource("nas.oneshot.active", 1)]
public sealed record ActiveOptions([SnapshotKey("Ops")] int[][] Ops, [SnapshotKey("Widths")] int[][] Widths);

/// <summary>BN-NAS's L × |O| table of mean |γ| (§2.8: built once after training, snapshotted with the supernet).</summary>
[Resource("nas.oneshot.bn_table", 1)]
public sealed record BnScoreTable([SnapshotKey("Table")] double[][] Table);

/// <summary>BNNAS++'s reference pool (§3.3): E, T, U of uniformly drawn genomes, fixed so fitness is stable across generations.</summary>
[Resource("nas.oneshot.facet_pool", 1)]
public sealed record FacetPoolState([SnapshotKey("E")] double[] E, [SnapshotKey("T")] double[] T, [SnapshotKey("U")] double[] U);

/// <summary>An evaluated genome. Fitness is lower-is-better, as in SPOS (top-1 error; BN-NAS passes −S(a)).</summary>
public sealed record Candidate([SnapshotKey("Genes")] int[] Genes, [SnapshotKey("Flops")] double Flops, [SnapshotKey("Fitness")] double Fitness);

/// <summary>Per generation: the best fitness ever seen (top-k head), the population's mean, and evaluations so far.</summary>
public sealed record GenerationStats(
    [SnapshotKey("Generation")] int Generation,
    [SnapshotKey("Best")] double Best,
    [SnapshotKey("Mean")] double Mean,
    [SnapshotKey("Evaluated")] int Evaluated);

/// <summary>
/// Everything the evolution (SPOS §1.5) needs to continue: plain arrays and numbers, no delegates, so it can be written
/// to a snapshot and read back. <see cref="Evaluated"/> is the memo of §1.5 in evaluation order: a genome in it is
/// never evaluated again. Resuming always happens at a generation boundary. Its draws come from the world's
/// <see cref="RandomStreams.Evolve"/> stream (snapshotted with the other streams), so the state holds no generator.
/// v2 under a new name: v1 (<see cref="LegacyEvolutionState"/>, "nas.oneshot.evolution") also held the evolution's own
/// SplitMix64 word; a snapshot names one or the other.
/// </summary>
[Resource("nas.oneshot.evolution.v2", 2)]
public sealed record EvolutionState(
    [SnapshotKey("Generation")] int Generation,
    [SnapshotKey("Population")] Candidate[] Population,
    [SnapshotKey("TopK")] Candidate[] TopK,
    [SnapshotKey("Evaluated")] Candidate[] Evaluated,
    [SnapshotKey("History")] GenerationStats[] History);

/// <summary>
/// Read only: the evolution state of snapshots made before the "evolve" stream, with the evolution's own SplitMix64 word
/// (<see cref="RngState"/>). A resumed world turns it into <see cref="EvolutionState"/> and <see cref="LegacyEvolutionRng"/>.
/// </summary>
[Resource("nas.oneshot.evolution", 1)]
public sealed record LegacyEvolutionState(
    [SnapshotKey("Generation")] int Generation,
    [SnapshotKey("RngState")] ulong RngState,
    [SnapshotKey("Population")] Candidate[] Population,
    [SnapshotKey("TopK")] Candidate[] TopK,
    [SnapshotKey("Evaluated")] Candidate[] Evaluated,
    [SnapshotKey("History")] GenerationStats[] History);

/// <summary>
/// Only in a world resumed from a snapshot made before the "evolve" stream: the SplitMix64 word the old evolution (and
/// BNNAS++'s pool draw) would have drawn from next, so such a run goes on with exactly the old draws. A new run never
/// has it; it draws from <see cref="RandomStreams.Evolve"/>.
/// </summary>
[Resource("nas.oneshot.evolution.legacy_rng", 1)]
public sealed record LegacyEvolutionRng([SnapshotKey("State")] ulong State);

/// <summary>
/// Fixed batches for scoring (never snapshotted; rebuilt from the data): recalibration images from the training split,
/// labelled evaluation batches from the held-out split, both unaugmented and in dataset order; and, when the fitness is
/// a zero-cost proxy, its probe: the first batch of the training split with its labels (null otherwise).
/// </summary>
public sealed class EvalData(TensorScope scope, IReadOnlyList<Tensor> recalibration, IReadOnlyList<(Tensor Images, Tensor Labels)> eval,
    (Tensor Images, Tensor Labels)? probe = null) : IDisposable
{
    public IReadOnlyList<Tensor> Recalibration { get; } = recalibration;
    public IReadOnlyList<(Tensor Images, Tensor Labels)> Eval { get; } = eval;
    public (Tensor Images, Tensor Labels)? Probe { get; } = probe;
    public void Dispose() => scope.Dispose();
}
