// The run's configuration split by concern: each system reads the one resource of its concern, never the whole config. Derived from the run config on create and resume (the config itself is what a snapshot keeps).
namespace Nas.Components;

/// <summary>The weight optimizer: SGD with momentum and a cosine lr schedule per epoch, gradients clipped by norm.</summary>
public sealed record WeightOptimizerSettings(double Lr, double LrMin, double Momentum, double WeightDecay, double GradClip);

/// <summary>The architecture optimizer: Adam with coupled L2; alpha and beta stay frozen for the first <see cref="WarmupEpochs"/> epochs.</summary>
public sealed record ArchOptimizerSettings(double Lr, double Beta1, double Beta2, double WeightDecay, int WarmupEpochs);

/// <summary>
/// How BNAS-v2's confidence c(e) = ((e+1)/E)^p acts (methods.md §4.4): <see cref="Lr"/> scales the architecture lr (the first-order
/// code, and what we recommend); <see cref="Loss"/> scales the architecture loss, as the authors' second-order code does (by linearity,
/// applied to the architecture gradient; Adam is nearly invariant to that scale, so it mostly shifts the balance against the coupled
/// weight decay and eps: the pitfall methods.md names).
/// </summary>
public enum ConfidentLrMode { Lr, Loss }

/// <summary>BNAS-v2's confident learning rate: c(e) = ((e+1)/E)^Power, on the arch lr or on the arch loss.</summary>
public sealed record ConfidentLrSettings(double Power, ConfidentLrMode Mode = ConfidentLrMode.Lr);

/// <summary>
/// DropNAS: the drop rates r_p of the parameterised group and r_np of the parameter-free group (each op of group G dropped with
/// probability r_G^(1/|G|)); the paper's default is 3e-5 for both, its README ablates each over {1e-5, 3e-5, 1e-4}.
/// </summary>
public sealed record DropNasSettings(double RateParameterised, double RateParameterFree);

/// <summary>DropNAS's search-space variants (methods.md §5.2): its own op order, "1-skip" (no pools), "3-skip" (the pools replaced by two more skips).</summary>
public enum DropNasSpace { Original, OneSkip, ThreeSkip }

/// <summary>
/// How the supernet forward runs: <see cref="Reference"/> is the plain per-op forward the PyTorch oracle checks;
/// <see cref="Batched"/> is the fast path (channels-last, native kernels, fused sums), tested against the reference.
/// </summary>
public enum ForwardMode { Reference, Batched }

/// <summary>
/// How a differentiable search reads its genotype off the architecture (methods.md): <see cref="Softmax"/> ranks edges by
/// softmax(α) (times the node-normalised β when present), as DARTS §2.5, PC-DARTS §3.2 and BNAS do; <see cref="RawAlpha"/>
/// ranks them by raw α, as pt.darts's parser that DropNAS inherits does (§5.6).
/// </summary>
public enum DerivationRule { Softmax, RawAlpha }

/// <summary>The genotype derivation rule the method composition chose.</summary>
public sealed record DerivationSettings(DerivationRule Rule);

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

/// <summary>The evolutionary search (SPOS §1.5): population, generations (one per step), FLOPs and params caps (0 = none), the run's seed, NB-201 duplicate rule.</summary>
public sealed record EvolutionSettings(int Population, int Generations, double FlopsLimit, ulong Seed, Nb201Dedupe Dedupe, double ParamsLimit = 0);

/// <summary>One-shot training's clipping and decay rules (BN-NAS's code clips by value and decays only conv and linear weights, §2.3).</summary>
public sealed record OneShotOptimizerRules(GradClipMode Clip, WeightDecayScope Decay);

/// <summary>BNNAS++'s facets (§3.3): which of e, t, u combine, the reference pool size, probe images, BN-statistics draws, and the run's seed.</summary>
public sealed record FacetSettings(string Facets, int Pool, int Probe, int Draws, ulong Seed);
