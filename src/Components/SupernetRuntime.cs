// The differentiable supernet's runtime cache (a resource): each tensor role's tensors in their stable order, derived from the role components, never snapshotted.
using Nas.Torch;
using Nas.World;

namespace Nas.Components;

/// <summary>
/// The network's structure as the systems that build it see it (implemented by Nas.Systems.Spaces.Darts.SupernetShape:
/// the tensor plan, broad wiring and forward program). Declared here so that the resource holding it needs no Systems type.
/// </summary>
public interface ISupernetShape;

/// <summary>
/// What the step systems use every step, derived from the world (never snapshotted, never the source of truth): the
/// network's shape, and each role's tensors in their stable order, resolved once from the role components
/// (Nas.Systems.Spaces.Darts.SupernetRoles.Runtime) and rebuilt on resume and after shrinking. Every accessor that hands
/// out tensors validates the role it stands for against the running system's Access in checked mode
/// (<see cref="TensorStore.Use{TRole}"/>).
/// </summary>
public sealed class SupernetRuntime
{
    private readonly Tensor[] _weights, _momentum, _arch, _archExpAvg, _archExpAvgSq, _runningStats;
    private readonly Tensor _alphaNormal, _alphaReduce;
    private readonly Tensor? _betaNormal, _betaReduce;

    public SupernetRuntime(ISupernetShape shape, IReadOnlyList<OpKind> ops, Entity normalArch, Entity reduceArch,
        Entity[] weightOwners, Tensor[] weights, Tensor[] momentum, Tensor[] arch, Tensor[] archExpAvg, Tensor[] archExpAvgSq, Tensor[] runningStats,
        Tensor alphaNormal, Tensor alphaReduce, Tensor? betaNormal, Tensor? betaReduce)
    {
        Shape = shape;
        Ops = ops;
        NormalArch = normalArch;
        ReduceArch = reduceArch;
        WeightOwners = weightOwners;
        (_weights, _momentum, _arch, _archExpAvg, _archExpAvgSq, _runningStats) = (weights, momentum, arch, archExpAvg, archExpAvgSq, runningStats);
        (_alphaNormal, _alphaReduce, _betaNormal, _betaReduce) = (alphaNormal, alphaReduce, betaNormal, betaReduce);
    }

    /// <summary>The network's structure (layout, cells, edges, ops, program). Step systems reach its tensors only through the accessors below.</summary>
    public ISupernetShape Shape { get; }
    public IReadOnlyList<OpKind> Ops { get; }
    public Entity NormalArch { get; }
    public Entity ReduceArch { get; }
    /// <summary>The entity owning each weight of <see cref="Weights"/> (same index).</summary>
    public IReadOnlyList<Entity> WeightOwners { get; }
    public int WeightCount => _weights.Length;
    /// <summary>Alpha and beta of both architectures: how many tensors Adam steps.</summary>
    public int ArchCount => _arch.Length;
    public bool HasBeta => _betaNormal is not null;

    /// <summary>The trainable network weights, owners by creation order and each owner's in its <see cref="Components.Weights"/> order.</summary>
    public Tensor[] Weights(World.World world, bool write = false)
    {
        world.Tensors.Use<Weights>(write);
        return _weights;
    }

    /// <summary>SGD momentum buffers, one per weight (empty before the optimizer state exists).</summary>
    public Tensor[] Momentum(World.World world, bool write = false)
    {
        world.Tensors.Use<Momentum>(write);
        return _momentum;
    }

    /// <summary>What Adam steps: per architecture (normal, then reduce) its alpha, then its beta when there is one.</summary>
    public Tensor[] Arch(World.World world, bool write = false)
    {
        world.Tensors.Use<Alpha>(write);
        if (HasBeta) world.Tensors.Use<Beta>(write);
        return _arch;
    }

    /// <summary>Adam's moments of <see cref="Arch"/>, same order: (exp_avg, exp_avg_sq).</summary>
    public (Tensor[] ExpAvg, Tensor[] ExpAvgSq) ArchMoments(World.World world, bool write = false)
    {
        world.Tensors.Use<AlphaMoments>(write);
        if (HasBeta) world.Tensors.Use<BetaMoments>(write);
        return (_archExpAvg, _archExpAvgSq);
    }

    public Tensor Alpha(World.World world, CellType type, bool write = false)
    {
        world.Tensors.Use<Alpha>(write);
        return type == CellType.Normal ? _alphaNormal : _alphaReduce;
    }

    /// <summary>The beta of <paramref name="type"/>, or null without edge normalisation (then nothing is read).</summary>
    public Tensor? Beta(World.World world, CellType type)
    {
        if (!HasBeta) return null;
        world.Tensors.Use<Beta>(write: false);
        return type == CellType.Normal ? _betaNormal : _betaReduce;
    }

    /// <summary>Every BatchNorm running mean and variance of the network.</summary>
    public Tensor[] RunningStats(World.World world, bool write = false)
    {
        world.Tensors.Use<RunningStats>(write);
        return _runningStats;
    }
}
