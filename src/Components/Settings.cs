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
