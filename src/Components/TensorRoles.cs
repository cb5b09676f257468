// The roles of a supernet's stored tensors as components: which tensors of an entity are alpha, beta, trainable weights, BN running statistics, momentum buffers and Adam moments.
using Nas.World;

namespace Nas.Components;

/// <summary>On an <see cref="Architecture"/> entity: its alpha (edges × ops), the architecture logits.</summary>
[Component("nas.role.alpha", 1)]
public readonly record struct Alpha([SnapshotKey("tensor")] string Tensor) : ITensorRole
{
    public IReadOnlyList<string> Tensors => [Tensor];
}

/// <summary>On an <see cref="Architecture"/> entity with edge normalisation: its beta (one per edge, §3.1b).</summary>
[Component("nas.role.beta", 1)]
public readonly record struct Beta([SnapshotKey("tensor")] string Tensor) : ITensorRole
{
    public IReadOnlyList<string> Tensors => [Tensor];
}

/// <summary>Adam's first and second moments of the entity's <see cref="Alpha"/>.</summary>
[Component("nas.role.alpha_moments", 1)]
public readonly record struct AlphaMoments([SnapshotKey("exp_avg")] string ExpAvg, [SnapshotKey("exp_avg_sq")] string ExpAvgSq) : ITensorRole
{
    public IReadOnlyList<string> Tensors => [ExpAvg, ExpAvgSq];
}

/// <summary>Adam's first and second moments of the entity's <see cref="Beta"/>.</summary>
[Component("nas.role.beta_moments", 1)]
public readonly record struct BetaMoments([SnapshotKey("exp_avg")] string ExpAvg, [SnapshotKey("exp_avg_sq")] string ExpAvgSq) : ITensorRole
{
    public IReadOnlyList<string> Tensors => [ExpAvg, ExpAvgSq];
}

/// <summary>
/// The trainable network weights the entity owns (convolutions, the classifier, affine BN scale and shift): what SGD
/// updates. Ordered by store name (ordinal), the order optimizer counters and snapshots have always used.
/// </summary>
[Component("nas.role.weights", 1)]
public readonly record struct Weights([SnapshotKey("tensors")] string[] Names) : ITensorRole
{
    public IReadOnlyList<string> Tensors => Names;
}

/// <summary>SGD momentum buffers of the entity's <see cref="Weights"/>, one per weight in the same order.</summary>
[Component("nas.role.momentum", 1)]
public readonly record struct Momentum([SnapshotKey("tensors")] string[] Names) : ITensorRole
{
    public IReadOnlyList<string> Tensors => Names;
}

/// <summary>BatchNorm running means and variances the entity owns (moved by every training-mode forward).</summary>
[Component("nas.role.running_stats", 1)]
public readonly record struct RunningStats([SnapshotKey("tensors")] string[] Names) : ITensorRole
{
    public IReadOnlyList<string> Tensors => Names;
}

/// <summary>
/// The frozen copies at initialisation of a one-shot supernet's conv and linear weights (BS-NAS's angle criterion, §4.4).
/// A role for access checks over the one-shot cache (SupernetTensors): the one-shot layout declares each tensor's role,
/// so no entity carries this component and it has no snapshot name.
/// </summary>
public readonly record struct InitialWeights(string[] Names) : ITensorRole
{
    public IReadOnlyList<string> Tensors => Names;
}
