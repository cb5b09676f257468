// The BCNN search supernet (methods.md §4.2, BNASv2 `model_search_b.py`): stem, L convolution blocks of one reduction cell each, E enhancement cells.
using Nas.Systems.Spaces.Darts;

namespace Nas.Systems.Spaces.Broad;

/// <summary>
/// Channels C, convolution blocks L (each one reduction cell with per-node channels 2^(b+1)·C), enhancement cells E.
/// Defaults of BNAS-D / BNAS-v2: C = 16, L = 2, E = 1.
/// </summary>
public sealed record BroadSearchLayout(int Channels, int ConvBlocks, int EnhancementCells, int InputChannels, int InputSize, int Classes,
    int StemMultiplier = 3, int Nodes = 4, int Multiplier = 4)
{
    public int StemChannels => StemMultiplier * Channels;

    /// <summary>
    /// The forward program. Per block b: gap tap g_b on the block input, earlier gap taps halved (and after the last block every gap
    /// tap once more), the reduction cell, enhancement tap e_b on its output (C_b channels, the last keeps 4·C_b), earlier e taps halved.
    /// Enhancement cell 0 reads (e_0, e_1); later ones the usual (s0, s1). Each enhancement cell gets an output tap (C, the last 4·C).
    /// Taps e_2 and later are built and computed but never read, as in the reference.
    /// </summary>
    public IReadOnlyList<BroadStep> Steps()
    {
        if (ConvBlocks < 2) throw new ArgumentException($"the BCNN needs at least 2 convolution blocks: enhancement cell 0 reads taps e_0 and e_1 (got {ConvBlocks})");
        if (EnhancementCells < 1) throw new ArgumentException($"the BCNN needs at least 1 enhancement cell, got {EnhancementCells}");
        if (Channels < 1) throw new ArgumentException($"channels must be at least 1, got {Channels}");
        var b = new StepList();
        var stem = b.Add(id => new StemStep(id, InputChannels, StemChannels, InputSize));
        int s0 = stem, s1 = stem, c = Channels, cells = 0;
        var reductionPrev = false;
        var gap = new List<int>();
        var en = new List<int>();
        for (var block = 0; block < ConvBlocks; block++)
        {
            // Block 0's tap maps the stem's 3C to C; later taps map 4·C_{b-1} to C_{b-1}.
            gap.Add(b.Tap(TapKind.Gap, gap.Count, s1, block == 0 ? Channels : c));
            b.ReduceTaps(TapKind.Gap, gap, gap.Count - 1);
            if (block == ConvBlocks - 1) b.ReduceTaps(TapKind.Gap, gap, gap.Count);

            c *= 2;
            var layout = new CellLayout(cells++, Reduction: true, reductionPrev, b[s0].Channels, b[s1].Channels, c, b[s1].Size);
            var cell = b.Add(id => new CellStep(id, BroadCellKind.Convolution, block, s0, s1, layout, Multiplier * c));
            (s0, s1, reductionPrev) = (s1, cell, true);

            en.Add(b.Tap(TapKind.Enhancement, en.Count, s1, block == ConvBlocks - 1 ? Multiplier * c : c));
            b.ReduceTaps(TapKind.Enhancement, en, en.Count - 1);
        }
        var outputs = EnhancementBlock(b, ref s0, ref s1, en, c, cells, EnhancementCells, Multiplier);
        b.Add(id => new ClassifierStep(id, [.. gap, .. outputs], gap.Concat(outputs).Sum(v => b[v].Channels), Classes));
        return b.Steps;
    }

    /// <summary>E stride-1 cells with per-node channels c (§4.2 step 3, shared with the evaluation network); returns the output taps.</summary>
    internal static List<int> EnhancementBlock(StepList b, ref int s0, ref int s1, List<int> en, int c, int cells, int count, int multiplier)
    {
        var outputs = new List<int>();
        for (var j = 0; j < count; j++)
        {
            // Cell 0 reads the two enhancement taps (the code's channel bookkeeping for them agrees with the taps only for L = 2 in the
            // CLR folder; we take the taps' real channel counts, as the PC folder does).
            var (in0, in1) = j == 0 ? (en[0], en[1]) : (s0, s1);
            var layout = new CellLayout(cells++, Reduction: false, ReductionPrev: false, b[in0].Channels, b[in1].Channels, c, b[in1].Size);
            var kindIndex = j;
            var cell = b.Add(id => new CellStep(id, BroadCellKind.Enhancement, kindIndex, in0, in1, layout, multiplier * c));
            (s0, s1) = (s1, cell);
            outputs.Add(b.Tap(TapKind.Output, j, s1, j == count - 1 ? multiplier * c : c));
        }
        return outputs;
    }
}
