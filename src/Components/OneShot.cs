// Components of the one-shot family: the single-path supernet, its candidate ops, the architectures the evolution evaluates, the enums its settings name, and the supernet's tensors by role.
using Nas.Torch;
using Nas.World;

namespace Nas.Components;

/// <summary>
/// The one-shot search space: the MobileNet-like layers, NAS-Bench-201 cells, or the DARTS cell space (issue 15 item 6:
/// Nas.Systems.OneShot.Darts.DartsCellSpace's genomes over the DartsSupernet's per (cell, edge, op) weights).
/// </summary>
public enum OneShotSpaceKind { Mobile = 0, Nb201 = 1, Darts = 2 }

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

/// <summary>How one-shot training clips gradients: by global L2 norm, or each element to [−v, v] (torch's clip_grad_value_, BN-NAS's code §2.3).</summary>
public enum GradClipMode { Norm, Value }

/// <summary>Which trained tensors get weight decay: all, or conv and linear weights only (BN γ/β and biases none; BN-NAS's code §2.3).</summary>
public enum WeightDecayScope { All, Weights }

/// <summary>
/// Whether the mobile space's identity ("skip") is a searchable choice where stride is 1 and widths match, or off: every
/// layer is an MBConv (fixed depth). BN-NAS's code never searches identity (§2.5: its indicator scores identity 0).
/// </summary>
public enum IdentityChoice { Searchable, Off }

/// <summary>
/// How the evolution scores a candidate: SPOS accuracy after BN recalibration, BN-NAS's γ indicator, BNNAS++'s facets, or
/// one zero-cost proxy of the NB-201 cell at initialisation (Nas.Systems.OneShot.Proxies.ZeroCostProxies, docs/proxies.md).
/// Snapshots store the number: values are appended, never renumbered.
/// </summary>
public enum OneShotFitness { Accuracy = 0, BnIndicator = 1, Composite = 2, Naswot = 3, Synflow = 4, Snip = 5, GradNorm = 6, Params = 7, Flops = 8 }

/// <summary>
/// The one-shot network entity; it owns the fixed tensors (stem, residual blocks, head, classifier).
/// <see cref="Spring"/>: mobile weights are stored at the widest spring width (BS-NAS); <see cref="Unbiased"/>: every
/// non-zero op ends in an output BN (BNNAS++ §3.2); <see cref="NonAffineBn"/>: every BN without γ and β (SPOS's supernet,
/// §1.2); <see cref="NoIdentity"/>: the mobile space has no identity choice. The last two are absent from older snapshots,
/// which read them as false: affine BN and identity searchable, what those runs had. <see cref="Layers"/> and
/// <see cref="Nodes"/> size the DARTS cell supernet (cells, intermediate nodes per cell); 0 in the other spaces and in older snapshots.
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
    [SnapshotKey("Unbiased")] bool Unbiased,
    [SnapshotKey("NonAffineBn")] bool NonAffineBn = false,
    [SnapshotKey("NoIdentity")] bool NoIdentity = false,
    [SnapshotKey("Layers")] int Layers = 0,
    [SnapshotKey("Nodes")] int Nodes = 0);

/// <summary>
/// A candidate op: choice <see cref="Choice"/> (gene; −1 = identity) of layer <see cref="Layer"/> (mobile layer, NB-201
/// edge, or DARTS edge with the op an index into DartsCellSpace.Ops); <see cref="Cell"/> is the NB-201 or DARTS cell instance (0 for mobile). It owns its weights; its last
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

/// <summary>What a supernet tensor is, declared with it where the supernet's layout lays it out (never read off its name).</summary>
public enum TensorRole { ConvWeight, LinearWeight, LinearBias, BnWeight, BnBias, BnMean, BnVar }

/// <summary>
/// A parameter of the one-shot supernet (a conv or linear weight, a linear bias, a BN's γ or β) and its SGD momentum
/// buffer: null until the parameter's first gradient (SPOS skips a parameter without one, §1.3), then owned by the
/// tensor store under <see cref="MomentumKey"/>, so snapshots keep it and destroying the owner frees it.
/// </summary>
public sealed class SupernetParameter(Entity owner, string name, TensorRole role, Tensor value, string momentumKey)
{
    public Entity Owner { get; } = owner;
    public string Name { get; } = name;
    public TensorRole Role { get; } = role;
    public Tensor Value { get; } = value;
    public string MomentumKey { get; } = momentumKey;
    public Tensor? Momentum { get; set; }
}

/// <summary>The tensors of one BatchNorm layer: γ and β (null when it has none), running mean and variance.</summary>
public sealed record BnLayer(Tensor? Weight, Tensor? Bias, Tensor Mean, Tensor Var);

/// <summary>
/// The one-shot supernet's tensors by role: a runtime-only cache (never snapshotted) derived from the entities, the
/// supernet's layout (which declares each tensor with its role) and the tensor store; rebuilt when the supernet is
/// spawned, on resume and after ops are destroyed. The store stays the owner of every tensor.
/// </summary>
public sealed class SupernetTensors(
    TensorStore store,
    SupernetParameter[] parameters,
    IReadOnlyDictionary<(Entity Owner, string Layer), BnLayer> batchNorms,
    IReadOnlyDictionary<Entity, BnLayer> outputBns,
    IReadOnlyDictionary<(Entity Owner, string Weight), Tensor> initialCopies)
{
    // Every getter validates a read of the roles it hands out against the running system's Access (checked mode; outside a
    // system, or unchecked, it costs a null test). A system that changes them in place also declares the write: Use<TRole>(true).
    private readonly SupernetParameter[] _parameters = parameters;
    private readonly SupernetParameter[] _trainable = parameters.Where(p => p.Value.RequiresGrad).ToArray();

    /// <summary>Every parameter (a <see cref="Components.Weights"/> read), owners by creation, then by store key (ordinal): the order gradients are clipped and stepped in.</summary>
    public SupernetParameter[] Parameters { get { store.Use<Weights>(write: false); return _parameters; } }

    /// <summary>The parameters that train (BN-only training freezes the rest at spawn, §2.3), in <see cref="Parameters"/> order.</summary>
    public SupernetParameter[] Trainable { get { store.Use<Weights>(write: false); return _trainable; } }

    /// <summary>Every BatchNorm layer by owner and layer name: γ, β (<see cref="Components.Weights"/>) and running statistics.</summary>
    public IReadOnlyDictionary<(Entity Owner, string Layer), BnLayer> BatchNorms { get { UseBn(); return batchNorms; } }

    /// <summary>Each op's output BatchNorm (the BN-NAS indicator BN, §2.2), where the op has one.</summary>
    public IReadOnlyDictionary<Entity, BnLayer> OutputBns { get { UseBn(); return outputBns; } }

    /// <summary>The frozen copies at initialisation of the weights the angle criterion reads (BS-NAS §4.4), by owner and weight name.</summary>
    public IReadOnlyDictionary<(Entity Owner, string Weight), Tensor> InitialCopies { get { store.Use<InitialWeights>(write: false); return initialCopies; } }

    private void UseBn()
    {
        store.Use<Weights>(write: false);
        store.Use<RunningStats>(write: false);
    }
}
