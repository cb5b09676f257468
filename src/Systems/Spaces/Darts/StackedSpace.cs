// Spawns the stacked supernet as entities (network, cells, edges, candidate ops, architectures) and resolves it back from a world.
using Nas.Components;
using Nas.Torch;
using Nas.World;

namespace Nas.Systems.Spaces.Darts;

public static class StackedSpace
{
    public static SupernetRuntime Spawn(World.World world, StackedLayout layout, IReadOnlyList<OpKind> ops, int partialK, bool edgeNormalization, Generator g)
    {
        var plan = SupernetBuilder.Create(layout, ops, partialK, g);
        var network = world.Create(new Network(layout.Layers, layout.Channels, layout.InputChannels, layout.InputSize, layout.Classes, layout.Nodes, partialK));
        SupernetRoles.Own(world, network, [("stem.conv", plan.StemConv), .. ParamInit.Named("stem.bn", plan.StemBn),
            ("classifier.weight", plan.ClassifierWeight), ("classifier.bias", plan.ClassifierBias)]);
        foreach (var cellPlan in plan.Cells)
        {
            var l = cellPlan.Layout;
            var cell = world.Create(new Cell(l.Index, l.Reduction, l.ReductionPrev));
            SupernetRoles.Own(world, cell, PreprocessingTensors(cellPlan));
            SpawnEdges(world, cell, cellPlan);
        }
        SpawnArchitectures(world, layout.Nodes, ops.Count, edgeNormalization, g);
        SupernetRoles.AddOptimizerState(world);
        return Resolve(world);
    }

    /// <summary>A cell's preprocessing tensors with their store names ("pre0.conv0", "pre1.bn0.mean", ...).</summary>
    public static IEnumerable<(string Name, Tensor Tensor)> PreprocessingTensors(CellPlan cell) =>
        ParamInit.Named(cell.Pre0).Select(x => ("pre0." + x.Name, x.Tensor)).Concat(ParamInit.Named(cell.Pre1).Select(x => ("pre1." + x.Name, x.Tensor)));

    public static Tensor ScaledRandn(long[] shape, Generator g)
    {
        using var r = Tensor.Randn(shape, g);
        return r.Mul(1e-3).SetRequiresGrad();
    }

    /// <summary>Rebuilds the runtime view from entities and stored tensors (after spawning, loading a snapshot, or shrinking).</summary>
    public static SupernetRuntime Resolve(World.World world)
    {
        SupernetRoles.DeriveLegacy(world);
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

    /// <summary>The runtime around a resolved plan: the tensors of every role in the stable order, from the role components.</summary>
    public static SupernetRuntime Runtime(World.World world, SupernetPlan plan, IReadOnlyList<OpKind> ops, Broad.BroadPlan? broad = null) =>
        SupernetRoles.Runtime(world, plan, ops, broad);

    /// <summary>The two architecture entities (normal, then reduce) with alpha ~ 1e-3·N(0,1) (§1.4) and, with edge normalisation, beta likewise (§3.1b).</summary>
    public static void SpawnArchitectures(World.World world, int nodes, int opCount, bool edgeNormalization, Generator g)
    {
        var edges = Genotypes.Derivation.EdgeCount(nodes);
        foreach (var type in new[] { CellType.Normal, CellType.Reduce })
        {
            var arch = world.Create(new Architecture(type, edges, opCount));
            world.Tensors.Add(arch, "alpha", ScaledRandn([edges, opCount], g));
            world.Add(arch, new Alpha("alpha"));
            if (!edgeNormalization) continue;
            world.Tensors.Add(arch, "beta", ScaledRandn([edges], g));
            world.Add(arch, new Beta("beta"));
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
                SupernetRoles.Own(world, op, ParamInit.Named(opPlan.Tensors));
            }
        }
    }

    private static OpTensors Restore(Func<string, Tensor?> find, OpKind kind, int stride)
    {
        // The layer lists that built the op say how many convs and BatchNorms it has (any even width gives the same counts;
        // search cells put a BN after each pool, §1.1).
        var convs = OpLayers.Convs(kind, 2, stride).Length;
        var norms = OpLayers.BatchNorms(kind, 2, stride, bnAfterPool: true).Length;
        return ParamInit.FromNamed(find, convs, norms);
    }
}
