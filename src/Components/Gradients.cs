// This pass's gradients as runtime-only components on the entities whose tensors they belong to: written by the backward systems, read and changed by clip, confident loss, all-reduce and the optimizers.
using Nas.Torch;
using Nas.World;

namespace Nas.Components;

/// <summary>
/// The gradients of the entity's trainable tensors this pass, one per tensor, null where a tensor got none (or after the
/// optimizer consumed them). On a differentiable supernet: on every entity with a <see cref="Weights"/> role, in the
/// role's order. On a one-shot supernet: on every owner of a trainable tensor of the <see cref="SupernetTensors"/>
/// cache (the network entity and the <see cref="ChoiceOp"/> entities), in the cache's order (store name, ordinal).
/// Owners in creation order, each owner's in this order: the flat order the gradient-norm clip and SGD use. The array
/// is allocated once with the component; each pass overwrites its entries. The tensors are owned by the pass's scope.
/// </summary>
[RuntimeComponent]
public readonly record struct WeightGrads(Tensor?[] Values);

/// <summary>The gradient of the <see cref="Architecture"/> entity's <see cref="Alpha"/> this pass (null when none); owned by the pass's scope.</summary>
[RuntimeComponent]
public record struct AlphaGrad(Tensor? Value);

/// <summary>The gradient of the <see cref="Architecture"/> entity's <see cref="Beta"/> this pass (null when none); only where the entity has a beta.</summary>
[RuntimeComponent]
public record struct BetaGrad(Tensor? Value);
