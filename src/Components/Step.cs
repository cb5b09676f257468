// What the systems of one differentiable search step hand each other: learning rates, DropNAS masks, mixing weights, loss (the gradients are components: Gradients.cs). Runtime only, never snapshotted: every step recomputes it.
using Nas.Torch;

namespace Nas.Components;

/// <summary>
/// The architecture weights one forward uses for one cell type: per-edge op weights (rows = edges, columns = ops),
/// optional per-edge weights from beta, and which ops are kept this step (null = all).
/// </summary>
public sealed record CellWeights(Tensor OpWeights, Tensor? EdgeWeights = null, bool[][]? Kept = null);

/// <summary>This step's weight learning rate (the cosine schedule's value for the epoch).</summary>
public readonly record struct WeightLr(double Value);

/// <summary>This step's architecture learning rate: the optimizer's base rate, times c(e) when the confident-lr system runs.</summary>
public readonly record struct ArchLr(double Value);

/// <summary>
/// The tensors of the current pass (the architecture step or the weight step): the mixing-weights system, the first of a
/// pass, renews the scope, so a pass's mixing weights, logits and gradients live until the next pass starts. Backward
/// frees the saved activations, so what a pass leaves behind is small.
/// </summary>
public sealed class PassTensors : IDisposable
{
    public TensorScope Scope { get; private set; } = new();

    public void Renew()
    {
        Scope.Dispose();
        Scope = new TensorScope();
    }

    public void Dispose() => Scope.Dispose();
}

/// <summary>The mixing weights of this pass per cell type: softmax(alpha) (masked under DropNAS), and softmax of beta per node's edges.</summary>
public sealed record MixingWeights(CellWeights Normal, CellWeights Reduce);

/// <summary>This pass's forward: logits and cross-entropy loss of the batch (owned by <see cref="PassTensors"/>).</summary>
public sealed record PassLoss(Tensor Logits, Tensor Loss);

/// <summary>DropNAS: ln(ρ/(1−ρ)) of each edge's kept mass before this step's update (NaN where nothing is dropped), per cell type (§5.3 rule 5).</summary>
public sealed record KeptLogOdds(double[] Normal, double[] Reduce);

/// <summary>This step's DropNAS masks per cell type (rows = edges, columns = ops; true = kept). Absent when nothing is dropped.</summary>
public sealed record DropMasks(bool[][] Normal, bool[][] Reduce);
