// The DARTS cell supernet (issue 15 item 6): its layout (per cell, edge and op that op's weights), its forward program and BN-NAS's table on it.
using Nas.Components;
using Nas.Systems.OneShot.Indicators;
using Nas.Systems.OneShot.Supernet;
using Nas.Systems.Spaces.Darts;
using Nas.Systems.Spaces.Eval;
using Nas.Systems.Spaces.Forward;
using Nas.World;

namespace Nas.Systems.OneShot.Darts;

/// <summary>
/// The stacked DARTS macro (§1.5: stem, <see cref="OneShotNetwork.Layers"/> cells with reductions at L/3 and 2L/3, classifier)
/// where every cell holds, for each of its edges and each op of <see cref="DartsCellSpace.Ops"/>, that op's own weights (a
/// <see cref="ChoiceOp"/>(edge, op, cell) entity), plus its preprocessing (on the network entity). A genome of
/// <see cref="DartsCellSpace"/> picks per cell type and node two inputs and their ops: the single path is the genotype's
/// cells run on those weights (<see cref="ProgramStep.DartsPathCell"/>). BatchNorms follow the one-shot conventions: affine
/// unless the supernet is non-affine (SPOS), an op's last BN marked as its output BN (BN-NAS's indicator BN), and with
/// <see cref="OneShotNetwork.Unbiased"/> an output BN on the parameter-free ops too (pools, the stride-1 skip; BNNAS++ §3.2).
/// </summary>
public static class DartsSupernet
{
    /// <summary>The stacked layout of the supernet: all nodes concatenated, as every genotype of the space does. An input the macro cannot reduce is refused naming why.</summary>
    public static StackedLayout LayoutOf(OneShotNetwork n)
    {
        if (n.Layers < 1 || n.Nodes < 1) throw new ArgumentException($"the DARTS cell supernet needs at least one cell and one node, got layers {n.Layers}, nodes {n.Nodes}");
        var layout = new StackedLayout(n.Layers, n.Channels, n.InputChannels, n.InputSize, n.Classes, Nodes: n.Nodes, Multiplier: n.Nodes);
        layout.Validate();
        return layout;
    }

    /// <summary>The evaluation network the space's FLOPs and params are counted on: the stacked network at the supernet's size.</summary>
    public static EvalNetworkSpec EvalSpec(OneShotNetwork n) =>
        new(SearchSpace.Stacked, n.Layers, n.Channels, EnhancementCells: 0, n.InputChannels, n.InputSize, n.Classes);

    public static DartsCellSpace Space(OneShotNetwork n) => new(EvalSpec(n), n.Nodes);

    /// <summary>Edges per cell: node j has j + 2 inputs.</summary>
    public static int EdgeCount(int nodes) => nodes * (nodes + 3) / 2;

    /// <summary>An op's convolutions and BatchNorm widths on an edge of stride <paramref name="stride"/>, as the supernet lays them out.</summary>
    public static (ConvShape[] Convs, int[] Norms) OpShape(OpKind kind, int c, int stride, bool unbiased)
    {
        var convs = OpLayers.Convs(kind, c, stride);
        var norms = OpLayers.BatchNorms(kind, c, stride, bnAfterPool: unbiased);
        if (unbiased && kind == OpKind.SkipConnect && stride == 1) norms = [c]; // §3.2: the identity gets a BN too
        return (convs, norms);
    }

    /// <summary>Every layer in spawn order (see <see cref="SupernetLayout.Of"/>): stem, then per cell its preprocessing and each edge's ops, classifier.</summary>
    public static IEnumerable<(ChoiceOp? Op, LayerDecl? Layer)> Layout(OneShotNetwork n)
    {
        var layout = LayoutOf(n);
        yield return (null, Conv("stem", layout.Stem));
        yield return (null, new BnDecl("stem_bn", layout.StemChannels));
        foreach (var cell in layout.Cells())
        {
            var p = $"cell{cell.Index}.";
            var pre0 = cell.ReductionPrev ? OpLayers.FactorizedReduce(cell.CPrevPrev, cell.C) : OpLayers.ReluConvBn(cell.CPrevPrev, cell.C);
            for (var i = 0; i < pre0.Length; i++) yield return (null, Conv($"{p}pre0.conv{i}", pre0[i]));
            yield return (null, new BnDecl(p + "pre0.bn0", cell.C));
            yield return (null, Conv(p + "pre1.conv0", OpLayers.ReluConvBn(cell.CPrev, cell.C)[0]));
            yield return (null, new BnDecl(p + "pre1.bn0", cell.C));
            for (var node = 0; node < n.Nodes; node++)
                for (var input = 0; input < node + 2; input++)
                    for (var o = 0; o < DartsCellSpace.Ops.Count; o++)
                    {
                        var op = new ChoiceOp(ForwardInterpreter.DartsEdge(node, input), o, cell.Index);
                        var (convs, norms) = OpShape(DartsCellSpace.Ops[o], cell.C, Stride(cell, input), n.Unbiased);
                        if (convs.Length == 0 && norms.Length == 0) yield return (op, null);
                        for (var i = 0; i < convs.Length; i++) yield return (op, Conv($"conv{i}", convs[i]));
                        for (var i = 0; i < norms.Length; i++) yield return (op, new BnDecl($"bn{i}", norms[i], Output: i == norms.Length - 1));
                    }
        }
        yield return (null, new LinearDecl("fc_w", "fc_b", n.Classes, layout.ClassifierInputs));
    }

    private static int Stride(CellLayout cell, int input) => cell.Reduction && input < 2 ? 2 : 1;

    private static ConvDecl Conv(string name, ConvShape s) => new(name, s.Out, s.In / s.Groups, s.Kernel);

    /// <summary>Stem conv + BN (no activation, as DARTS's stem); one <see cref="ProgramStep.DartsPathCell"/> per cell; classifier.</summary>
    public static ForwardProgram Program(OneShotSupernet net)
    {
        var spec = net.Spec;
        var n = net.Network;
        var steps = new List<ProgramStep> { new ProgramStep.ConvBnAct(0, ProgramStep.Image, net.Store.Get(n, "stem"), 1, 1, Bn(net, n, "stem_bn"), Activation.None) };
        int s0 = 0, s1 = 0;
        foreach (var cell in LayoutOf(spec).Cells())
        {
            var p = $"cell{cell.Index}.";
            var pre0 = new OpTensors(Enumerable.Range(0, cell.ReductionPrev ? 2 : 1).Select(i => net.Store.Get(n, $"{p}pre0.conv{i}")).ToArray(), [Bn(net, n, p + "pre0.bn0")]);
            var pre1 = new OpTensors([net.Store.Get(n, p + "pre1.conv0")], [Bn(net, n, p + "pre1.bn0")]);
            var ops = new OpTensors?[EdgeCount(spec.Nodes)][];
            for (var node = 0; node < spec.Nodes; node++)
                for (var input = 0; input < node + 2; input++)
                {
                    var edge = ForwardInterpreter.DartsEdge(node, input);
                    ops[edge] = new OpTensors?[DartsCellSpace.Ops.Count];
                    for (var o = 0; o < DartsCellSpace.Ops.Count; o++)
                    {
                        if (!net.TryOp(edge, o, cell.Index, out var e)) continue;
                        var (convs, norms) = OpShape(DartsCellSpace.Ops[o], cell.C, Stride(cell, input), spec.Unbiased);
                        ops[edge][o] = new OpTensors(Enumerable.Range(0, convs.Length).Select(i => net.Store.Get(e, $"conv{i}")).ToArray(),
                            Enumerable.Range(0, norms.Length).Select(i => Bn(net, e, $"bn{i}")).ToArray());
                    }
                }
            var id = steps.Count;
            steps.Add(new ProgramStep.DartsPathCell(id, s0, s1, cell, spec.Nodes, pre0, pre1, ops, DartsCellSpace.Ops));
            (s0, s1) = (s1, id);
        }
        steps.Add(new ProgramStep.Classifier(steps.Count, [s1], net.Store.Get(n, "fc_w"), net.Store.Get(n, "fc_b")));
        return new ForwardProgram(steps, PartialChannels: 1);
    }

    private static BatchNormTensors Bn(OneShotSupernet net, Entity owner, string layer)
    {
        var bn = net.Tensors.BatchNorms[(owner, layer)];
        return new BatchNormTensors(bn.Mean, bn.Var, bn.Weight, bn.Bias);
    }

    /// <summary>The (edge, op) pairs a genome's path runs in cells of type <paramref name="reduction"/>: two per node.</summary>
    public static IEnumerable<(int Edge, int Op)> PathEdges(ReadOnlySpan<int> genome, int nodes, bool reduction)
    {
        var list = new List<(int, int)>(2 * nodes);
        var type = reduction ? 1 : 0;
        for (var node = 0; node < nodes; node++)
        {
            var at = (type * nodes + node) * DartsCellSpace.GenesPerNode;
            var (first, second) = ForwardInterpreter.DartsInputPair(node, genome[at]);
            list.Add((ForwardInterpreter.DartsEdge(node, first), genome[at + 1]));
            list.Add((ForwardInterpreter.DartsEdge(node, second), genome[at + 2]));
        }
        return list;
    }

    /// <summary>The op entities a genome's path reads, cell by cell.</summary>
    public static IEnumerable<Entity> PathOps(OneShotSupernet net, ReadOnlySpan<int> genome)
    {
        var list = new List<Entity>();
        foreach (var cell in LayoutOf(net.Spec).Cells())
            foreach (var (edge, op) in PathEdges(genome, net.Spec.Nodes, cell.Reduction))
                if (net.TryOp(edge, op, cell.Index, out var e)) list.Add(e);
        return list;
    }

    /// <summary>
    /// BN-NAS's table on the DARTS supernet (§2.2): row t·E + edge (t = 0 normal, 1 reduce; E edges per cell), column the op,
    /// the mean |γ| of the op's output BN averaged over the cells of that type [I] (as NB-201 averages over its cells); 0 for an
    /// op without one (pools, the stride-1 skip, unless the supernet is unbiased).
    /// </summary>
    public static double[][] BnTable(OneShotSupernet net)
    {
        var edges = EdgeCount(net.Spec.Nodes);
        var sums = Enumerable.Range(0, 2 * edges).Select(_ => new double[DartsCellSpace.Ops.Count]).ToArray();
        var counts = new int[2];
        foreach (var cell in LayoutOf(net.Spec).Cells())
        {
            var type = cell.Reduction ? 1 : 0;
            counts[type]++;
            for (var edge = 0; edge < edges; edge++)
                for (var o = 0; o < DartsCellSpace.Ops.Count; o++)
                    if (net.TryOp(edge, o, cell.Index, out var e) && net.Tensors.OutputBns.TryGetValue(e, out var bn) && bn.Weight is { } gamma)
                        sums[type * edges + edge][o] += BnIndicator.OpScore(gamma.ToFloatArray());
        }
        for (var row = 0; row < sums.Length; row++)
            for (var o = 0; o < sums[row].Length; o++)
                sums[row][o] /= Math.Max(1, counts[row / edges]);
        return sums;
    }

    /// <summary>S(a) on that table: the sum over both cell types' nodes of the two chosen (edge, op) scores. Higher is better.</summary>
    public static double BnScore(double[][] table, ReadOnlySpan<int> genome, int nodes)
    {
        var edges = EdgeCount(nodes);
        if (table.Length != 2 * edges) throw new ArgumentException($"a DARTS BN table has {2 * edges} rows for {nodes} nodes, got {table.Length}");
        double s = 0;
        for (var t = 0; t < 2; t++)
            foreach (var (edge, op) in PathEdges(genome, nodes, reduction: t == 1))
                s += table[t * edges + edge][op];
        return s;
    }
}
