// The eight DARTS candidate operations (methods.md part 1 §1.2) and their names as the papers print them.
namespace Nas.Components;

public enum OpKind
{
    None,
    MaxPool3x3,
    AvgPool3x3,
    SkipConnect,
    SepConv3x3,
    SepConv5x5,
    DilConv3x3,
    DilConv5x5,
}

public static class OpKinds
{
    /// <summary>The DARTS / PC-DARTS / BNAS-v2 order, which fixes the column layout of alpha and the tie-break order.</summary>
    public static readonly IReadOnlyList<OpKind> DartsOrder =
    [
        OpKind.None, OpKind.MaxPool3x3, OpKind.AvgPool3x3, OpKind.SkipConnect,
        OpKind.SepConv3x3, OpKind.SepConv5x5, OpKind.DilConv3x3, OpKind.DilConv5x5,
    ];

    /// <summary>
    /// <see cref="DartsOrder"/> without `none`: the ops a derived genotype (and so an evaluation cell) can hold; the genes of
    /// the one-shot DARTS cell space and the random genotypes of the found-vs-random experiment index into it.
    /// </summary>
    public static readonly IReadOnlyList<OpKind> GenotypeOps = DartsOrder.Where(o => o != OpKind.None).ToArray();

    /// <summary>The DropNAS order (§5.2): parameterised group first, then pools, skip and none.</summary>
    public static readonly IReadOnlyList<OpKind> DropNasOrder =
    [
        OpKind.SepConv3x3, OpKind.SepConv5x5, OpKind.DilConv3x3, OpKind.DilConv5x5,
        OpKind.MaxPool3x3, OpKind.AvgPool3x3, OpKind.SkipConnect, OpKind.None,
    ];

    public static string Name(this OpKind kind) => kind switch
    {
        OpKind.None => "none",
        OpKind.MaxPool3x3 => "max_pool_3x3",
        OpKind.AvgPool3x3 => "avg_pool_3x3",
        OpKind.SkipConnect => "skip_connect",
        OpKind.SepConv3x3 => "sep_conv_3x3",
        OpKind.SepConv5x5 => "sep_conv_5x5",
        OpKind.DilConv3x3 => "dil_conv_3x3",
        OpKind.DilConv5x5 => "dil_conv_5x5",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static OpKind Parse(string name)
    {
        foreach (var k in DartsOrder)
            if (k.Name() == name) return k;
        throw new FormatException($"unknown operation '{name}' (expected one of {string.Join(", ", DartsOrder.Select(k => k.Name()))})");
    }

    /// <summary>True for the operations without weights (none, pools, skip); a stride-2 skip is a FactorizedReduce but still counts as parameter-free in the papers' collapse statistics.</summary>
    public static bool IsParameterFree(this OpKind kind) => kind is OpKind.None or OpKind.MaxPool3x3 or OpKind.AvgPool3x3 or OpKind.SkipConnect;
}
