// What `nas train` builds for a genotype and `nas info --genotype` counts: the stacked (§1.7) or broad (§4.3) evaluation network at given sizes.
using Nas.Components;
using Nas.Systems.Genotypes;
using Nas.Systems.Spaces.Broad;
using Nas.Systems.Spaces.Darts;
using Nas.Torch;

namespace Nas.Systems.Spaces.Eval;

/// <summary>
/// The space picks the macro: stacked (L cells, reductions at ⌊L/3⌋ and ⌊2L/3⌋, the genotype's reduce list in the reduction cells)
/// or broad (the BCNN: <paramref name="Layers"/> deep cells with 2 reductions, all taking the normal list, then
/// <paramref name="EnhancementCells"/> enhancement cells taking the reduce list). <paramref name="EnhancementCells"/> is read by the broad space only.
/// </summary>
public sealed record EvalNetworkSpec(SearchSpace Space, int Layers, int Channels, int EnhancementCells, int InputChannels, int InputSize, int Classes)
{
    /// <summary>
    /// Refuses a genotype this network cannot take, with the reason: the zero op (an evaluation cell has no mixed edge to hide it in),
    /// cell widths the macro cannot join, sizes whose halvings meet an odd map.
    /// </summary>
    public void Check(Genotype genotype)
    {
        foreach (var (list, pairs) in new[] { ("normal", genotype.Normal), ("reduce", genotype.Reduce) })
            for (var i = 0; i < pairs.Count; i++)
                if (pairs[i].Op == OpKind.None)
                    throw new ArgumentException($"the genotype's {list} pair {i} is 'none': an evaluation cell cannot use the zero op");
        _ = Space == SearchSpace.Broad ? (object)BroadLayout(genotype) : StackedLayout(genotype);
    }

    public StackedLayout StackedLayout(Genotype genotype) =>
        EvalNetwork.LayoutFor(genotype, Layers, Channels, InputChannels, InputSize, Classes);

    public BroadEvalLayout BroadLayout(Genotype genotype) =>
        BroadEvalNetwork.LayoutFor(genotype, Layers, Channels, EnhancementCells, InputChannels, InputSize, Classes);

    /// <summary>Parameters and forward MACs per image from the analytic counters (§1.8 rules; the auxiliary head excluded).</summary>
    public Cost Cost(Genotype genotype)
    {
        Check(genotype);
        return Space == SearchSpace.Broad
            ? BroadCounting.EvalNetwork(BroadLayout(genotype), genotype)
            : Counting.EvalNetwork(StackedLayout(genotype), genotype);
    }

    /// <summary>
    /// Builds the network, drawing its initial weights from <paramref name="g"/>. The stacked network gets the auxiliary head when
    /// <paramref name="auxiliary"/> and its map allows one; the BCNN has none (§4.3), so asking for one is refused.
    /// </summary>
    public IEvalNetwork Create(Genotype genotype, Generator g, bool auxiliary)
    {
        Check(genotype);
        if (Space == SearchSpace.Stacked) return EvalNetwork.Create(StackedLayout(genotype), genotype, g, auxiliary);
        if (auxiliary) throw new ArgumentException("the BCNN evaluation network has no auxiliary head (methods.md §4.3): set the auxiliary weight to 0");
        return BroadEvalNetwork.Create(BroadLayout(genotype), genotype, g);
    }

    /// <summary>The auxiliary head's parameters in training (not counted by §1.8) and the cell it follows, or null when the network has none.</summary>
    public (long Parameters, int Cell)? AuxiliaryHead(Genotype genotype)
    {
        if (Space == SearchSpace.Broad) return null;
        var layout = StackedLayout(genotype);
        var cell = layout.Cells()[2 * layout.Layers / 3];
        return AuxPool.For(cell.OutputSize) is null ? null : (Eval.AuxiliaryHead.ParameterCount(layout.Multiplier * cell.C, Classes), cell.Index);
    }

    /// <summary>One line: "8 cells (reductions at 2, 5), C=16" or "6 deep cells (reductions at 2, 5) + 2 enhancement cells, C=16".</summary>
    public string Describe() => Space == SearchSpace.Broad
        ? $"{Layers} deep cells (reductions at {string.Join(", ", new BroadEvalLayout(Channels, Layers, BroadEvalLayout.DefaultPoolTimes, EnhancementCells, InputChannels, InputSize, Classes).ReductionCells)}) + {EnhancementCells} enhancement cell{(EnhancementCells == 1 ? "" : "s")}, C={Channels}"
        : $"{Layers} cells (reductions at {string.Join(", ", Enumerable.Range(0, Layers).Where(i => Darts.StackedLayout.IsReduction(i, Layers)))}), C={Channels}";
}
