// The BCNN evaluation network (methods.md §4.3, BNASv2 `model_b.py`): D deep cells with P reductions, E enhancement cells, GAP over all taps.
using Nas.Systems.Spaces.Darts;

namespace Nas.Systems.Spaces.Broad;

/// <summary>
/// Channels C, deep cells D (`layers`), reductions P (`pool_time`), enhancement cells E (`en_layers`).
/// BNAS-v2 CIFAR defaults: C = 48, D = 6, P = 2, E = 2 (classifier input 48 + 96 + 192 + 768 = 1104).
/// </summary>
public sealed record BroadEvalLayout(int Channels, int DeepCells, int PoolTimes, int EnhancementCells, int InputChannels, int InputSize, int Classes,
    int StemMultiplier = 3, int Nodes = 4, int Multiplier = 4)
{
    /// <summary>BNAS-v2's `pool_time`: two reductions, so enhancement cell 0 has its two taps e_0 and e_1.</summary>
    public const int DefaultPoolTimes = 2;

    public int StemChannels => StemMultiplier * Channels;

    /// <summary>Reduction cells r_k = (k+1)·⌊D/P⌋ − 1 (cells 2 and 5 for D = 6, P = 2).</summary>
    public IReadOnlyList<int> ReductionCells => Enumerable.Range(0, PoolTimes).Select(k => (k + 1) * (DeepCells / PoolTimes) - 1).ToList();

    /// <summary>
    /// The forward program, in the reference's forward order. After deep cell i: a gap tap (4·C → C) when cell i+1 reduces, halving the
    /// earlier gap taps; an enhancement tap when cell i reduces (C, the last 4·C), halving the earlier ones, and after the last reduction
    /// every gap tap once more. Then the enhancement cells as in the search network.
    /// </summary>
    public IReadOnlyList<BroadStep> Steps()
    {
        if (PoolTimes < 2) throw new ArgumentException($"the BCNN needs at least 2 reductions: enhancement cell 0 reads taps e_0 and e_1 (got pool_time {PoolTimes})");
        if (DeepCells < PoolTimes) throw new ArgumentException($"{DeepCells} deep cells cannot hold {PoolTimes} reductions");
        if (EnhancementCells < 1) throw new ArgumentException($"the BCNN needs at least 1 enhancement cell, got {EnhancementCells}");
        if (Channels < 1) throw new ArgumentException($"channels must be at least 1, got {Channels}");
        var reductions = ReductionCells;
        var b = new StepList();
        var stem = b.Add(id => new StemStep(id, InputChannels, StemChannels, InputSize));
        int s0 = stem, s1 = stem, c = Channels;
        var reductionPrev = false;
        var gap = new List<int>();
        var en = new List<int>();
        for (var i = 0; i < DeepCells; i++)
        {
            var reduction = reductions.Contains(i);
            if (reduction) c *= 2;
            var layout = new CellLayout(i, reduction, reductionPrev, b[s0].Channels, b[s1].Channels, c, b[s1].Size);
            var index = i;
            var cell = b.Add(id => new CellStep(id, BroadCellKind.Convolution, index, s0, s1, layout, Multiplier * c));
            (s0, s1, reductionPrev) = (s1, cell, reduction);

            if (reductions.Contains(i + 1))
            {
                gap.Add(b.Tap(TapKind.Gap, gap.Count, s1, c));
                b.ReduceTaps(TapKind.Gap, gap, gap.Count - 1);
            }
            if (reduction)
            {
                var last = i == reductions[^1];
                en.Add(b.Tap(TapKind.Enhancement, en.Count, s1, last ? Multiplier * c : c));
                b.ReduceTaps(TapKind.Enhancement, en, en.Count - 1);
                if (last) b.ReduceTaps(TapKind.Gap, gap, gap.Count);
            }
        }
        var outputs = BroadSearchLayout.EnhancementBlock(b, ref s0, ref s1, en, c, DeepCells, EnhancementCells, Multiplier);
        b.Add(id => new ClassifierStep(id, [.. gap, .. outputs], gap.Concat(outputs).Sum(v => b[v].Channels), Classes));
        return b.Steps;
    }
}
