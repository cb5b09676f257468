// World state of a one-shot run besides its entities: the sampled path, the active options, the evolution, the scoring tables (snapshotted), and the runtime-only scoring batches.
using Nas.Torch;
using Nas.World;

namespace Nas.Components;

/// <summary>How the evolution scores a candidate: SPOS accuracy after BN recalibration, BN-NAS's γ indicator, or BNNAS++'s facets.</summary>
public enum OneShotFitness { Accuracy, BnIndicator, Composite }

/// <summary>Which BatchNorm parameters BN-only training updates (§2.3); everything else is frozen.</summary>
public enum BnScope { LastBnPerOp, AllBn, AllBnPlusClassifier }

/// <summary>
/// How a shrink stage scores options (§4.4): the mean BN-recalibrated accuracy of sampled subnets using the option,
/// z-scored within its group [I]; or ABS's angle [C]: the mean angle between the subnets' current and initial weights,
/// ranked raw across all groups as ABS does (`megvii-model/AngleNAS:SPOS/shrinking`).
/// </summary>
public enum ShrinkCriterion { Accuracy, Angle }

/// <summary>Which equivalence an evolution on the NB-201 space uses to skip duplicates (<c>Nb201Isomorphism</c>).</summary>
public enum Nb201Dedupe { None, Isomorphic, Benchmark, Function }

/// <summary>This step's single path (one gene per layer), drawn from the world's RNG.</summary>
[Resource("nas.oneshot.path", 1)]
public sealed record SampledPath(int[] Genes);

/// <summary>Which ops (genes −1..5) and width indices of every layer are still switched on (BS-NAS §4.4).</summary>
[Resource("nas.oneshot.active", 1)]
public sealed record ActiveOptions(int[][] Ops, int[][] Widths);

/// <summary>BN-NAS's L × |O| table of mean |γ| (§2.8: built once after training, snapshotted with the supernet).</summary>
[Resource("nas.oneshot.bn_table", 1)]
public sealed record BnScoreTable(double[][] Table);

/// <summary>BNNAS++'s reference pool (§3.3): E, T, U of uniformly drawn genomes, fixed so fitness is stable across generations.</summary>
[Resource("nas.oneshot.facet_pool", 1)]
public sealed record FacetPoolState(double[] E, double[] T, double[] U);

/// <summary>An evaluated genome. Fitness is lower-is-better, as in SPOS (top-1 error; BN-NAS passes −S(a)).</summary>
public sealed record Candidate(int[] Genes, double Flops, double Fitness);

/// <summary>Per generation: the best fitness ever seen (top-k head), the population's mean, and evaluations so far.</summary>
public sealed record GenerationStats(int Generation, double Best, double Mean, int Evaluated);

/// <summary>
/// Everything the evolution (SPOS §1.5) needs to continue: plain arrays and numbers, no delegates, so it can be written
/// to a snapshot and read back. <see cref="Evaluated"/> is the memo of §1.5 in evaluation order: a genome in it is
/// never evaluated again. Resuming always happens at a generation boundary.
/// </summary>
[Resource("nas.oneshot.evolution", 1)]
public sealed record EvolutionState(
    int Generation,
    ulong RngState,
    Candidate[] Population,
    Candidate[] TopK,
    Candidate[] Evaluated,
    GenerationStats[] History);

/// <summary>
/// Fixed batches for scoring (never snapshotted; rebuilt from the data): recalibration images from the training split,
/// labelled evaluation batches from the held-out split, both unaugmented and in dataset order.
/// </summary>
public sealed class EvalData(TensorScope scope, IReadOnlyList<Tensor> recalibration, IReadOnlyList<(Tensor Images, Tensor Labels)> eval) : IDisposable
{
    public IReadOnlyList<Tensor> Recalibration { get; } = recalibration;
    public IReadOnlyList<(Tensor Images, Tensor Labels)> Eval { get; } = eval;
    public void Dispose() => scope.Dispose();
}
