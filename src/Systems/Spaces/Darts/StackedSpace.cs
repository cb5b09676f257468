// Spawns the stacked supernet as entities (network, cells, edges, candidate ops, architectures) and resolves it back from a world.
using Nas.Components;
using Nas.Torch;
using Nas.World;

namespace Nas.Systems.Spaces.Darts;

/// <summary>
/// What the step systems use every step, derived from the world (never snapshotted): the tensor plan, and the trainable
/// tensors in their stable order with their optimizer state tensors.
/// </summary>
public sealed record SupernetRuntime(
    SupernetPlan Plan,
    Tensor[] Weights, Tensor[] Momentum,
    Tensor[] Arch, Tensor[] ArchExpAvg, Tensor[] ArchExpAvgSq,
    Entity NormalArch, Entity ReduceArch,
    IReadOnlyList<OpKind> Ops,
    Broad.BroadPlan? Broad = null) // set for the broad (BCNN) space: Plan then holds its stem, cells and classifier, Broad the taps and wiring
{
    /// <summary>The forward program of the plan (and broad wiring), built once with the runtime.</summary>
    public Forward.ForwardProgram Program { get; } = Forward.ForwardProgram.Of(Plan, Broad);
}

public static class StackedSpace
{
    public static SupernetRuntime Spawn(World.World world, StackedLayout layout, IReadOnlyList<OpKind> ops, int partialK, bool edgeNormalization, Generator g)
    {
        var plan = SupernetBuilder.Create(layout, ops, partialK, g);
        var store = world.Tensors;
        var network = world.Create(new Network(layout.Layers, layout.Channels, layout.InputChannels, layout.InputSize, layout.Classes, layout.Nodes, partialK));
        store.Add(network, "stem.conv", plan.StemConv);
        foreach (var (n, t) in ParamInit.Named("stem.bn", plan.StemBn)) store.Add(network, n, t);
        store.Add(network, "classifier.weight", plan.ClassifierWeight);
        store.Add(network, "classifier.bias", plan.ClassifierBias);
        foreach (var cellPlan in plan.Cells)
        {
            var l = cellPlan.Layout;
            var cell = world.Create(new Cell(l.Index, l.Reduction, l.ReductionPrev));
            foreach (var (n, t) in ParamInit.Named(cellPlan.Pre0)) store.Add(cell, "pre0." + n, t);
            foreach (var (n, t) in ParamInit.Named(cellPlan.Pre1)) store.Add(cell, "pre1." + n, t);
            SpawnEdges(world, cell, cellPlan);
        }
        SpawnArchitectures(world, layout.Nodes, ops.Count, edgeNormalization, g);
        var runtime = Resolve(world);
        AddOptimizerState(world, runtime);
        return Resolve(world);
    }

    public static Tensor ScaledRandn(long[] shape, Generator g)
    {
        using var r = Tensor.Randn(shape, g);
        return r.Mul(1e-3).SetRequiresGrad();
    }

    /// <summary>Zero momentum buffers and Adam moments beside every trainable tensor, and the counters resource.</summary>
    public static void AddOptimizerState(World.World world, SupernetRuntime runtime)
    {
        foreach (var (owner, name, t) in TrainableTensors(world).ToList())
        {
            if (world.Has<Architecture>(owner))
            {
                world.Tensors.Add(owner, name + ".exp_avg", t.ZerosLike());
                world.Tensors.Add(owner, name + ".exp_avg_sq", t.ZerosLike());
            }
            else
            {
                world.Tensors.Add(owner, name + ".momentum", t.ZerosLike());
            }
        }
        world.SetResource(new OptimizerCounters(new bool[runtime.Weights.Length], new long[runtime.Arch.Length]));
    }

    /// <summary>Trainable tensors in the stable order: owners by creation sequence, names in the order they were added.</summary>
    public static IEnumerable<(Entity Owner, string Name, Tensor Tensor)> TrainableTensors(World.World world) =>
        world.Tensors.All().Where(x => x.Tensor.RequiresGrad).OrderBy(x => world.SequenceOf(x.Owner));

    /// <summary>Rebuilds the runtime view from entities and stored tensors (after spawning, loading a snapshot, or shrinking).</summary>
    public static SupernetRuntime Resolve(World.World world)
    {
        var (networkEntity, net) = NetworkOf(world);
        if (world.Has<BroadNetwork>(networkEntity)) return Broad.BroadSpace.Resolve(world);
        var layout = new StackedLayout(net.Layers, net.Channels, net.InputChannels, net.InputSize, net.Classes, Nodes: net.Nodes);
        var layouts = layout.Cells();
        var (cells, ops) = ResolveCells(world, index => layouts[index]);
        Tensor? Find(string name) => world.Tensors.TryGet(networkEntity, name, out var t) ? t : null;
        var plan = new SupernetPlan(layout, world.Tensors.Get(networkEntity, "stem.conv"), ParamInit.BatchNormFromNamed(Find, "stem.bn"),
            cells, world.Tensors.Get(networkEntity, "classifier.weight"), world.Tensors.Get(networkEntity, "classifier.bias"), net.PartialChannels);
        return Runtime(world, plan, ops);
    }

    public static (Entity Entity, Network Network) NetworkOf(World.World world)
    {
        foreach (var e in world.Query<Network>()) return (e, world.Read<Network>(e));
        throw new InvalidOperationException("the world has no network entity");
    }

    /// <summary>Which architecture (alpha row set) a cell entity uses: its <see cref="CellArchitecture"/>, else reduction cells reduce and the rest are normal.</summary>
    public static CellType TypeOf(World.World world, Entity cell) =>
        world.TryGet<CellArchitecture>(cell, out var a) ? a.Type : world.Read<Cell>(cell).Reduction ? CellType.Reduce : CellType.Normal;

    /// <summary>The cell plans (ordered by cell index) from cell, edge and op entities, and the op order by alpha column.</summary>
    public static (CellPlan[] Cells, IReadOnlyList<OpKind> Ops) ResolveCells(World.World world, Func<int, CellLayout> layoutOf)
    {
        var store = world.Tensors;
        Tensor? Find(Entity owner, string name) => store.TryGet(owner, name, out var t) ? t : null;
        var ops = new SortedDictionary<int, OpKind>();
        var opsByEdge = new Dictionary<Entity, List<(CandidateOp Op, Entity Entity)>>();
        foreach (var e in world.Query<CandidateOp>().Without<Pruned>())
        {
            var op = world.Read<CandidateOp>(e);
            ops[op.Column] = op.Kind;
            if (!opsByEdge.TryGetValue(op.Edge, out var list)) opsByEdge[op.Edge] = list = [];
            list.Add((op, e));
        }
        var edgesByCell = new Dictionary<Entity, List<EdgePlan>>();
        foreach (var e in world.Query<Edge>())
        {
            var edge = world.Read<Edge>(e);
            var opPlans = (opsByEdge.TryGetValue(e, out var list) ? list : []).Select(o =>
                new OpPlan(o.Op.Kind, o.Op.Column, Restore(name => Find(o.Entity, name), o.Op.Kind, edge.Stride))).ToArray();
            if (!edgesByCell.TryGetValue(edge.Cell, out var edges)) edgesByCell[edge.Cell] = edges = [];
            edges.Add(new EdgePlan(edge.Node, edge.Input, edge.Row, edge.Stride, opPlans));
        }
        var cells = new List<CellPlan>();
        foreach (var e in world.Query<Cell>())
        {
            var c = world.Read<Cell>(e);
            var pre0Convs = c.ReductionPrev ? 2 : 1;
            cells.Add(new CellPlan(layoutOf(c.Index),
                ParamInit.FromNamed(n => Find(e, "pre0." + n), pre0Convs, 1),
                ParamInit.FromNamed(n => Find(e, "pre1." + n), 1, 1),
                edgesByCell[e].OrderBy(x => x.Row).ToArray()));
        }
        return (cells.OrderBy(c => c.Layout.Index).ToArray(), ops.Values.ToList());
    }

    /// <summary>The runtime around a resolved plan: trainable tensors in the stable order with their optimizer state, and the architecture entities.</summary>
    public static SupernetRuntime Runtime(World.World world, SupernetPlan plan, IReadOnlyList<OpKind> ops, Broad.BroadPlan? broad = null)
    {
        Tensor? Find(Entity owner, string name) => world.Tensors.TryGet(owner, name, out var t) ? t : null;
        var trainable = TrainableTensors(world).ToList();
        var weights = trainable.Where(x => !world.Has<Architecture>(x.Owner)).ToList();
        var arch = trainable.Where(x => world.Has<Architecture>(x.Owner)).ToList();
        Tensor[] State(IEnumerable<(Entity Owner, string Name, Tensor Tensor)> list, string suffix) =>
            list.Select(x => Find(x.Owner, x.Name + suffix)).Where(t => t is not null).Select(t => t!).ToArray();
        Entity normal = Entity.Null, reduce = Entity.Null;
        foreach (var e in world.Query<Architecture>())
            if (world.Read<Architecture>(e).Type == CellType.Normal) normal = e; else reduce = e;
        return new SupernetRuntime(plan,
            weights.Select(x => x.Tensor).ToArray(), State(weights, ".momentum"),
            arch.Select(x => x.Tensor).ToArray(), State(arch, ".exp_avg"), State(arch, ".exp_avg_sq"),
            normal, reduce, ops, broad);
    }

    /// <summary>The two architecture entities (normal, then reduce) with alpha ~ 1e-3·N(0,1) (§1.4) and, with edge normalisation, beta likewise (§3.1b).</summary>
    public static void SpawnArchitectures(World.World world, int nodes, int opCount, bool edgeNormalization, Generator g)
    {
        var edges = Genotypes.Derivation.EdgeCount(nodes);
        foreach (var type in new[] { CellType.Normal, CellType.Reduce })
        {
            var arch = world.Create(new Architecture(type, edges, opCount));
            world.Tensors.Add(arch, "alpha", ScaledRandn([edges, opCount], g));
            if (edgeNormalization) world.Tensors.Add(arch, "beta", ScaledRandn([edges], g));
        }
    }

    /// <summary>Edge and op entities of one cell, owning the op tensors of <paramref name="cellPlan"/>.</summary>
    public static void SpawnEdges(World.World world, Entity cell, CellPlan cellPlan)
    {
        foreach (var edgePlan in cellPlan.Edges)
        {
            var edge = world.Create(new Edge(cell, edgePlan.Node, edgePlan.Input, edgePlan.Row, edgePlan.Stride));
            foreach (var opPlan in edgePlan.Ops)
            {
                var op = world.Create(new CandidateOp(edge, opPlan.Kind, opPlan.Column));
                foreach (var (n, t) in ParamInit.Named(opPlan.Tensors)) world.Tensors.Add(op, n, t);
            }
        }
    }

    private static OpTensors Restore(Func<string, Tensor?> find, OpKind kind, int stride)
    {
        // The layer list that built the op says how many convs it has (any even width gives the same count).
        var convs = OpLayers.Convs(kind, 2, stride).Length;
        var norms = 0;
        while (find($"bn{norms}.mean") is not null) norms++;
        return ParamInit.FromNamed(find, convs, norms);
    }
}
