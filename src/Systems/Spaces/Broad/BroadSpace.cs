// Spawns the BCNN search supernet (§4.2) as entities (network, cells, edges, ops, taps, architectures) and resolves it back from a world.
using Nas.Components;
using Nas.Systems.Spaces.Darts;
using Nas.Torch;
using Nas.World;

namespace Nas.Systems.Spaces.Broad;

/// <summary>
/// The broad network's wiring and tap tensors, beside the <see cref="SupernetPlan"/> that holds its stem, cells (ordered by cell index)
/// and classifier. <see cref="Cells"/> and <see cref="Taps"/> are keyed by step id in <see cref="Steps"/>.
/// </summary>
public sealed record BroadPlan(BroadSearchLayout Layout, IReadOnlyList<BroadStep> Steps,
    IReadOnlyDictionary<int, CellPlan> Cells, IReadOnlyDictionary<int, OpTensors> Taps);

public static class BroadSpace
{
    /// <summary>
    /// Creates every tensor in forward-program order from <paramref name="g"/>: stem, then per step its cell (search BN non-affine, §1.1),
    /// tap (affine ReLUConvBN 1×1) or tap reduction (affine FactorizedReduce), then the classifier; then alpha (and beta).
    /// Convolution cells use alpha_normal, enhancement cells alpha_reduce (§4.9 pitfall 1).
    /// </summary>
    public static SupernetRuntime Spawn(World.World world, BroadSearchLayout layout, IReadOnlyList<OpKind> ops, int partialK, bool edgeNormalization, Generator g)
    {
        var steps = layout.Steps();
        BroadSteps.Validate(steps);
        var network = world.Create(new Network(layout.ConvBlocks, layout.Channels, layout.InputChannels, layout.InputSize, layout.Classes, layout.Nodes, partialK));
        world.Add(network, new BroadNetwork(layout.ConvBlocks, layout.EnhancementCells));
        foreach (var step in steps)
        {
            switch (step)
            {
                case StemStep s:
                    SupernetRoles.Own(world, network, [("stem.conv", ParamInit.Conv(new ConvShape(s.InChannels, s.Channels, 3, 1, 1), g)),
                        .. ParamInit.Named("stem.bn", ParamInit.BatchNorm(s.Channels, affine: true))]);
                    break;
                case CellStep c:
                {
                    PartialChannelsFit(c.Layout, partialK);
                    var plan = SupernetBuilder.Cell(c.Layout, ops, partialK, layout.Nodes, g);
                    var cell = world.Create(new Cell(c.Layout.Index, c.Layout.Reduction, c.Layout.ReductionPrev),
                        new CellArchitecture(c.UsesNormalGenotype ? CellType.Normal : CellType.Reduce));
                    SupernetRoles.Own(world, cell, StackedSpace.PreprocessingTensors(plan));
                    StackedSpace.SpawnEdges(world, cell, plan);
                    break;
                }
                case TapStep t:
                    AddTap(world, t.Id, new OpTensors([ParamInit.Conv(OpLayers.ReluConvBn(t.InChannels, t.Channels)[0], g)], [ParamInit.BatchNorm(t.Channels, true)]));
                    break;
                case TapReduceStep r:
                    AddTap(world, r.Id, new OpTensors(OpLayers.FactorizedReduce(r.Channels, r.Channels).Select(s => ParamInit.Conv(s, g)).ToArray(), [ParamInit.BatchNorm(r.Channels, true)]));
                    break;
                case ClassifierStep k:
                    // Two statements: the weight is drawn from the generator before the bias.
                    var weight = ParamInit.Uniform([k.Classes, k.InChannels], k.InChannels, g);
                    SupernetRoles.Own(world, network, [("classifier.weight", weight), ("classifier.bias", ParamInit.Uniform([k.Classes], k.InChannels, g))]);
                    break;
                default:
                    throw new InvalidOperationException($"unknown step {step.GetType().Name}");
            }
        }
        StackedSpace.SpawnArchitectures(world, layout.Nodes, ops.Count, edgeNormalization, g);
        SupernetRoles.AddOptimizerState(world);
        return Resolve(world);
    }

    private static void AddTap(World.World world, int step, OpTensors tensors)
    {
        var tap = world.Create(new Tap(step));
        SupernetRoles.Own(world, tap, ParamInit.Named(tensors));
    }

    private static void PartialChannelsFit(CellLayout cell, int k)
    {
        if (k > 1) Techniques.PartialChannels.Validate(cell.C, k, $"broad cell {cell.Index}");
    }

    /// <summary>Rebuilds the runtime from entities and stored tensors; the layout follows from the network's components.</summary>
    public static SupernetRuntime Resolve(World.World world)
    {
        SupernetRoles.DeriveLegacy(world);
        var (networkEntity, net) = StackedSpace.NetworkOf(world);
        var broad = world.Read<BroadNetwork>(networkEntity);
        var layout = new BroadSearchLayout(net.Channels, broad.ConvBlocks, broad.EnhancementCells, net.InputChannels, net.InputSize, net.Classes, Nodes: net.Nodes);
        var steps = layout.Steps();
        var cellSteps = steps.OfType<CellStep>().ToDictionary(c => c.Layout.Index);
        var (cells, ops) = StackedSpace.ResolveCells(world, index => cellSteps[index].Layout);
        var cellsByStep = cells.ToDictionary(c => cellSteps[c.Layout.Index].Id);
        var taps = new Dictionary<int, OpTensors>();
        foreach (var e in world.Query<Tap>())
        {
            var step = world.Read<Tap>(e).Step;
            Tensor? Find(string name) => world.Tensors.TryGet(e, name, out var t) ? t : null;
            taps[step] = ParamInit.FromNamed(Find, steps[step] is TapReduceStep ? 2 : 1, 1);
        }
        Tensor? FindNet(string name) => world.Tensors.TryGet(networkEntity, name, out var t) ? t : null;
        // The shared plan's layout only carries sizes and nodes; the broad program is in BroadPlan.
        var shared = new SupernetPlan(new StackedLayout(cells.Length, net.Channels, net.InputChannels, net.InputSize, net.Classes, Nodes: net.Nodes),
            world.Tensors.Get(networkEntity, "stem.conv"), ParamInit.BatchNormFromNamed(FindNet, "stem.bn"), cells,
            world.Tensors.Get(networkEntity, "classifier.weight"), world.Tensors.Get(networkEntity, "classifier.bias"), net.PartialChannels);
        return StackedSpace.Runtime(world, shared, ops, new BroadPlan(layout, steps, cellsByStep, taps));
    }
}
