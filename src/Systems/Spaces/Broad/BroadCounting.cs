// Analytic parameter and MAC counts of the BCNN search and evaluation networks, by the §1.8 rules (same conventions as Darts/Counting.cs).
using Nas.Components;
using Nas.Systems.Genotypes;
using Nas.Systems.Spaces.Darts;

namespace Nas.Systems.Spaces.Broad;

public static class BroadCounting
{
    /// <summary>The search supernet: every op on every edge (on C/K channels with partial channels), BN non-affine inside cells, taps affine.</summary>
    public static Cost SearchNetwork(BroadSearchLayout layout, IReadOnlyList<OpKind> ops, int partialK = 1)
    {
        var steps = layout.Steps();
        BroadSteps.Validate(steps);
        return Count(steps, cell =>
        {
            var cost = Preprocess(cell.Layout, affine: false);
            var edgeC = cell.Layout.C / partialK;
            for (var node = 0; node < layout.Nodes; node++)
                for (var input = 0; input < 2 + node; input++)
                {
                    var (stride, size) = EdgeInput(cell.Layout, input);
                    foreach (var op in ops)
                        cost += OpLayers.OpCost(op, edgeC, stride, size, size, affine: false, bnAfterPool: true);
                }
            return cost;
        });
    }

    /// <summary>The evaluation network of a genotype: deep cells take its normal list, enhancement cells its reduce list; affine BN, no BN after pools.</summary>
    public static Cost EvalNetwork(BroadEvalLayout layout, Genotype genotype)
    {
        if (genotype.NormalConcat.Count != layout.Multiplier || genotype.ReduceConcat.Count != layout.Multiplier)
            throw new ArgumentException($"the layout assumes {layout.Multiplier} concatenated nodes per cell, the genotype concatenates {genotype.NormalConcat.Count} / {genotype.ReduceConcat.Count}");
        var steps = layout.Steps();
        BroadSteps.Validate(steps);
        return Count(steps, cell =>
        {
            var cost = Preprocess(cell.Layout, affine: true);
            foreach (var pair in cell.UsesNormalGenotype ? genotype.Normal : genotype.Reduce)
            {
                var (stride, size) = EdgeInput(cell.Layout, pair.Input);
                cost += OpLayers.OpCost(pair.Op, cell.Layout.C, stride, size, size, affine: true, bnAfterPool: false);
            }
            return cost;
        });
    }

    /// <summary>Sums a program's steps; cells are priced by <paramref name="cellCost"/>. Stem, taps and tap reductions always have affine BN.</summary>
    public static Cost Count(IReadOnlyList<BroadStep> steps, Func<CellStep, Cost> cellCost)
    {
        var total = Cost.Zero;
        foreach (var step in steps)
            total += step switch
            {
                StemStep s => Conv(new ConvShape(s.InChannels, s.Channels, 3, 1, 1), s.Size, s.Channels),
                CellStep c => cellCost(c),
                TapStep t => OpLayers.CostOf(OpLayers.ReluConvBn(t.InChannels, t.Channels), t.Size, t.Size) + new Cost(2L * t.Channels, 0),
                TapReduceStep r => OpLayers.CostOf(OpLayers.FactorizedReduce(r.Channels, r.Channels), r.InputSize, r.InputSize, parallel: true) + new Cost(2L * r.Channels, 0),
                ClassifierStep k => new Cost((long)k.InChannels * k.Classes + k.Classes, (long)k.InChannels * k.Classes),
                _ => throw new InvalidOperationException($"unknown step {step.GetType().Name}"),
            };
        return total;
    }

    /// <summary>An edge from a cell input (0, 1) sees the input resolution and strides 2 in a reduction cell; an edge from an intermediate node already sees the output resolution.</summary>
    public static (int Stride, int Size) EdgeInput(CellLayout cell, int input) =>
        input < 2 ? (cell.Reduction ? 2 : 1, cell.InputSize) : (1, cell.OutputSize);

    private static Cost Conv(ConvShape conv, int size, int bnChannels) => new(conv.Params + 2L * bnChannels, conv.Macs(size, size));

    /// <summary>preprocess0 (FactorizedReduce after a reduction, else ReLUConvBN) and preprocess1, as in §1.3.</summary>
    private static Cost Preprocess(CellLayout cell, bool affine)
    {
        var s0Size = cell.ReductionPrev ? cell.InputSize * 2 : cell.InputSize;
        var pre0 = cell.ReductionPrev
            ? OpLayers.CostOf(OpLayers.FactorizedReduce(cell.CPrevPrev, cell.C), s0Size, s0Size, parallel: true)
            : OpLayers.CostOf(OpLayers.ReluConvBn(cell.CPrevPrev, cell.C), s0Size, s0Size);
        var pre1 = OpLayers.CostOf(OpLayers.ReluConvBn(cell.CPrev, cell.C), cell.InputSize, cell.InputSize);
        return pre0 + pre1 + new Cost(affine ? 4L * cell.C : 0, 0);
    }
}
