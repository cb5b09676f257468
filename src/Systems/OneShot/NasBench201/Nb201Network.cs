// The NAS-Bench-201 macro skeleton (§5.2) as a layout, and its parameter and FLOP counts per cell.
using Nas.Systems.Spaces.Darts;

namespace Nas.Systems.OneShot.NasBench201;

/// <summary>One stage of the skeleton: <see cref="Cells"/> cells at <see cref="Channels"/> on a <see cref="Size"/>² map.</summary>
public readonly record struct Nb201Stage(int Channels, int Size, int Cells);

/// <summary>
/// Stem (3×3 conv, BN) → stage 0 → residual block C→2C stride 2 → stage 1 → residual 2C→4C → stage 2 → head
/// (BN, ReLU, global pool, linear). Every cell shares one genotype. Defaults are the benchmark's C = 16, N = 5.
/// </summary>
public sealed record Nb201Layout(int Channels = 16, int CellsPerStage = 5, int InputChannels = 3, int InputSize = 32, int Classes = 10)
{
    public static Nb201Layout Cifar => new();
    /// <summary>Fashion-MNIST input (1×28×28): 28 → 14 → 7.</summary>
    public static Nb201Layout FashionMnist => new(InputChannels: 1, InputSize: 28);

    public IReadOnlyList<Nb201Stage> Stages
    {
        get
        {
            var stride2 = new ConvShape(1, 1, 3, 2, 1);
            int s0 = InputSize, s1 = stride2.OutSize(s0), s2 = stride2.OutSize(s1);
            return [new(Channels, s0, CellsPerStage), new(2 * Channels, s1, CellsPerStage), new(4 * Channels, s2, CellsPerStage)];
        }
    }
}

/// <summary>
/// Counts in the benchmark's own convention (`xautodl/utils/flop_benchmark.py`): FLOPs sum only Conv2d and Linear
/// modules, each as multiply-accumulates per output position (+ one per output for a bias); pools, BN and ReLU
/// count 0. Params count every weight including BN affine pairs and the classifier bias.
/// </summary>
public static class Nb201Network
{
    /// <summary>
    /// Cost of one edge op on a C-channel, size×size map. <paramref name="bnOnEveryOp"/> is BNNAS++'s unbiased
    /// supernet (§3.2): skip and pool get an affine BN too (2C params, no FLOPs); none never does.
    /// </summary>
    public static Cost EdgeCost(Nb201Op op, int c, int size, bool bnOnEveryOp = false) => op switch
    {
        Nb201Op.None => Cost.Zero,
        Nb201Op.SkipConnect or Nb201Op.AvgPool3x3 => new(bnOnEveryOp ? 2L * c : 0, 0),
        Nb201Op.NorConv1x1 => Conv(new ConvShape(c, c, 1), size) + Bn(c),
        Nb201Op.NorConv3x3 => Conv(new ConvShape(c, c, 3, 1, 1), size) + Bn(c),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };

    public static Cost CellCost(ReadOnlySpan<int> ops, int c, int size, bool bnOnEveryOp = false)
    {
        var cost = Cost.Zero;
        Nb201Cell.Format(ops); // validates the genes
        foreach (var op in ops) cost += EdgeCost((Nb201Op)op, c, size, bnOnEveryOp);
        return cost;
    }

    /// <summary>ReLU–Conv3×3(s2)–BN, ReLU–Conv3×3–BN, shortcut AvgPool2×2(s2) then 1×1 conv (no BN).</summary>
    public static Cost ResidualCost(int cin, int cout, int size)
    {
        var a = new ConvShape(cin, cout, 3, 2, 1);
        int half = a.OutSize(size);
        return Conv(a, size) + Bn(cout) + Conv(new ConvShape(cout, cout, 3, 1, 1), half) + Bn(cout)
             + Conv(new ConvShape(cin, cout, 1), half);
    }

    /// <summary>Everything but the cells: stem, the two residual blocks, head BN and the linear classifier.</summary>
    public static Cost FixedCost(Nb201Layout layout)
    {
        var st = layout.Stages;
        var cost = Conv(new ConvShape(layout.InputChannels, layout.Channels, 3, 1, 1), layout.InputSize) + Bn(layout.Channels);
        cost += ResidualCost(st[0].Channels, st[1].Channels, st[0].Size);
        cost += ResidualCost(st[1].Channels, st[2].Channels, st[1].Size);
        int last = st[2].Channels;
        return cost + Bn(last) + new Cost((long)last * layout.Classes + layout.Classes, (long)last * layout.Classes + layout.Classes);
    }

    public static Cost NetworkCost(ReadOnlySpan<int> ops, Nb201Layout layout, bool bnOnEveryOp = false)
    {
        var cost = FixedCost(layout);
        foreach (var stage in layout.Stages)
        {
            var cell = CellCost(ops, stage.Channels, stage.Size, bnOnEveryOp);
            cost += new Cost(cell.Params * stage.Cells, cell.Macs * stage.Cells);
        }
        return cost;
    }

    private static Cost Conv(ConvShape conv, int size) => new(conv.Params, conv.Macs(size, size));
    private static Cost Bn(int c) => new(2L * c, 0);
}
