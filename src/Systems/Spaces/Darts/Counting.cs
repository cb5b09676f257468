// Analytic parameter and MAC counts (§1.8 rules: conv weights + affine BN + classifier; running stats, alpha/beta and the auxiliary head excluded).
using Nas.Components;
using Nas.Systems.Genotypes;

namespace Nas.Systems.Spaces.Darts;

public static class Counting
{
    /// <summary>The search supernet: every op on every edge, BN non-affine inside cells (§1.1), edges on C/K channels with partial channels.</summary>
    public static Cost SearchNetwork(StackedLayout layout, IReadOnlyList<OpKind> ops, int partialK = 1)
    {
        var cost = StemAndHead(layout);
        foreach (var cell in layout.Cells())
        {
            cost += Preprocess(cell, affine: false);
            var edgeC = cell.C / partialK;
            for (var node = 0; node < layout.Nodes; node++)
                for (var input = 0; input < 2 + node; input++)
                {
                    // Edges from intermediate nodes of a reduction cell already run at the output resolution.
                    var (stride, size) = input < 2 ? (cell.Reduction ? 2 : 1, cell.InputSize) : (1, cell.OutputSize);
                    foreach (var op in ops)
                        cost += OpLayers.OpCost(op, edgeC, stride, size, size, affine: false, bnAfterPool: true);
                }
        }
        return cost;
    }

    /// <summary>The evaluation network of a genotype (§1.7): affine BN, no BN after pools unless asked (DropNAS keeps one).</summary>
    public static Cost EvalNetwork(StackedLayout layout, Genotype genotype, bool bnAfterPool = false)
    {
        var cost = StemAndHead(layout);
        foreach (var cell in layout.Cells())
        {
            cost += Preprocess(cell, affine: true);
            var pairs = cell.Reduction ? genotype.Reduce : genotype.Normal;
            foreach (var pair in pairs)
            {
                var (stride, size) = pair.Input < 2 ? (cell.Reduction ? 2 : 1, cell.InputSize) : (1, cell.OutputSize);
                cost += OpLayers.OpCost(pair.Op, cell.C, stride, size, size, affine: true, bnAfterPool);
            }
        }
        return cost;
    }

    private static Cost StemAndHead(StackedLayout layout)
    {
        var stem = layout.Stem;
        var cost = new Cost(stem.Params + 2L * layout.StemChannels, stem.Macs(layout.InputSize, layout.InputSize));
        long fc = (long)layout.ClassifierInputs * layout.Classes;
        return cost + new Cost(fc + layout.Classes, fc);
    }

    private static Cost Preprocess(CellLayout cell, bool affine)
    {
        // s0 comes from two cells back: before the previous reduction it was twice as large.
        var s0Size = cell.ReductionPrev ? cell.InputSize * 2 : cell.InputSize;
        var pre0 = cell.ReductionPrev
            ? OpLayers.CostOf(OpLayers.FactorizedReduce(cell.CPrevPrev, cell.C), s0Size, s0Size, parallel: true)
            : OpLayers.CostOf(OpLayers.ReluConvBn(cell.CPrevPrev, cell.C), s0Size, s0Size);
        var pre1 = OpLayers.CostOf(OpLayers.ReluConvBn(cell.CPrev, cell.C), cell.InputSize, cell.InputSize);
        return pre0 + pre1 + new Cost(affine ? 4L * cell.C : 0, 0);
    }
}
