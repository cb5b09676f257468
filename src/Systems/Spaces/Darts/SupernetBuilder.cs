// Allocates a stacked supernet's tensors (§1.5) with PyTorch's default initialisation, in a fixed order so a seed gives the same weights.
using Nas.Components;
using Nas.Torch;

namespace Nas.Systems.Spaces.Darts;

public static class SupernetBuilder
{
    /// <summary>Search-time BN inside cells is non-affine (§1.1); the stem BN is affine.</summary>
    public static SupernetPlan Create(StackedLayout layout, IReadOnlyList<OpKind> ops, int partialK, Generator g)
    {
        layout.Validate();
        var stemConv = ParamInit.Conv(layout.Stem, g);
        var stemBn = ParamInit.BatchNorm(layout.StemChannels, affine: true);
        var cells = layout.Cells().Select(c => Cell(c, ops, partialK, layout.Nodes, g)).ToArray();
        var fcIn = layout.ClassifierInputs;
        var fcW = ParamInit.Uniform([layout.Classes, fcIn], fcIn, g);
        var fcB = ParamInit.Uniform([layout.Classes], fcIn, g);
        return new SupernetPlan(layout, stemConv, stemBn, cells, fcW, fcB, partialK);
    }

    public static CellPlan Cell(CellLayout cell, IReadOnlyList<OpKind> ops, int partialK, int nodes, Generator g)
    {
        var pre0 = cell.ReductionPrev
            ? new OpTensors(OpLayers.FactorizedReduce(cell.CPrevPrev, cell.C).Select(s => ParamInit.Conv(s, g)).ToArray(), [ParamInit.BatchNorm(cell.C, false)])
            : new OpTensors([ParamInit.Conv(OpLayers.ReluConvBn(cell.CPrevPrev, cell.C)[0], g)], [ParamInit.BatchNorm(cell.C, false)]);
        var pre1 = new OpTensors([ParamInit.Conv(OpLayers.ReluConvBn(cell.CPrev, cell.C)[0], g)], [ParamInit.BatchNorm(cell.C, false)]);
        var edges = new List<EdgePlan>();
        var edgeC = cell.C / partialK;
        for (var node = 0; node < nodes; node++)
            for (var input = 0; input < 2 + node; input++)
            {
                var stride = cell.Reduction && input < 2 ? 2 : 1;
                var opPlans = ops.Select((kind, col) => new OpPlan(kind, col, ParamInit.Op(kind, edgeC, stride, affine: false, bnAfterPool: true, g))).ToArray();
                edges.Add(new EdgePlan(node, input, edges.Count, stride, opPlans));
            }
        return new CellPlan(cell, pre0, pre1, edges.ToArray());
    }

    /// <summary>Every tensor of the plan with a stable path name, in creation order.</summary>
    public static IEnumerable<(string Name, Tensor Tensor)> Tensors(SupernetPlan net)
    {
        yield return ("stem.conv", net.StemConv);
        foreach (var t in ParamInit.Named("stem.bn", net.StemBn)) yield return t;
        foreach (var cell in net.Cells)
        {
            var prefix = $"cells.{cell.Layout.Index}";
            foreach (var (n, t) in ParamInit.Named(cell.Pre0)) yield return ($"{prefix}.pre0.{n}", t);
            foreach (var (n, t) in ParamInit.Named(cell.Pre1)) yield return ($"{prefix}.pre1.{n}", t);
            foreach (var edge in cell.Edges)
                foreach (var op in edge.Ops)
                    foreach (var (n, t) in ParamInit.Named(op.Tensors))
                        yield return ($"{prefix}.edges.{edge.Row}.{op.Kind.Name()}.{n}", t);
        }
        yield return ("classifier.weight", net.ClassifierWeight);
        yield return ("classifier.bias", net.ClassifierBias);
    }

    /// <summary>The trainable weights (requires_grad), in the stable order optimizers and snapshots use.</summary>
    public static Tensor[] Weights(SupernetPlan net) => Tensors(net).Select(t => t.Tensor).Where(t => t.RequiresGrad).ToArray();
}
