// The run's configuration split by concern: each system reads the one resource of its concern, never the whole config. Derived from the run config on create and resume (the config itself is what a snapshot keeps).
namespace Nas.Components;

/// <summary>The weight optimizer: SGD with momentum and a cosine lr schedule per epoch, gradients clipped by norm.</summary>
public sealed record WeightOptimizerSettings(double Lr, double LrMin, double Momentum, double WeightDecay, double GradClip);

/// <summary>The architecture optimizer: Adam with coupled L2; alpha and beta stay frozen for the first <see cref="WarmupEpochs"/> epochs.</summary>
public sealed record ArchOptimizerSettings(double Lr, double Beta1, double Beta2, double WeightDecay, int WarmupEpochs);

/// <summary>BNAS-v2's confident learning rate: the arch lr times ((e+1)/E)^Power.</summary>
public sealed record ConfidentLrSettings(double Power);

/// <summary>DropNAS: the drop rate r (each op dropped with probability r^(1/|group|)).</summary>
public sealed record DropNasSettings(double Rate);

/// <summary>
/// How the supernet forward runs: <see cref="Reference"/> is the plain per-op forward the PyTorch oracle checks;
/// <see cref="Batched"/> is the fast path (channels-last, native kernels, fused sums), tested against the reference.
/// </summary>
public enum ForwardMode { Reference, Batched }

/// <summary>The forward the search systems run.</summary>
public sealed record ForwardSettings(ForwardMode Mode);

/// <summary>
/// One-shot supernet training (SPOS §1.3, BN-NAS §2.3): <see cref="Epochs"/> epochs of single-path steps before the
/// evolution, the loss's label smoothing. The optimizer is <see cref="WeightOptimizerSettings"/> with a linear lr decay per step.
/// </summary>
public sealed record SupernetTrainingSettings(int Epochs, double LabelSmoothing);

/// <summary>SPOS's training-time FLOPs window (§1.3): a bin of <see cref="Bin"/> MACs in [<see cref="Min"/>, <see cref="Max"/>] uniformly, then paths drawn until one lands in it.</summary>
public sealed record FlopsWindowSettings(double Min, double Max, double Bin);

/// <summary>BS-NAS shrinking (§4.4): stage lengths in epochs, options removed per stage, subnets per ranking, the space size to stop at, and the criterion.</summary>
public sealed record ShrinkSettings(int FirstStage, int LaterStage, int Remove, int Subnets, double StopAtSize, ShrinkCriterion Criterion);

/// <summary>The evolutionary search (SPOS §1.5): population, generations (one per step), FLOPs cap (0 = none), the run's seed, NB-201 duplicate rule.</summary>
public sealed record EvolutionSettings(int Population, int Generations, double FlopsLimit, ulong Seed, Nb201Dedupe Dedupe);

/// <summary>BNNAS++'s facets (§3.3): which of e, t, u combine, the reference pool size, probe images, BN-statistics draws, and the run's seed.</summary>
public sealed record FacetSettings(string Facets, int Pool, int Probe, int Draws, ulong Seed);
