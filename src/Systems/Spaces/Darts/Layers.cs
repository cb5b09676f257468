// Shapes of the layers an op is made of, shared by the network builder and the analytic parameter/MAC counter.
using Nas.Components;
namespace Nas.Systems.Spaces.Darts;

/// <summary>A bias-free 2-D convolution (§1.1: no convolution has a bias).</summary>
public readonly record struct ConvShape(int In, int Out, int Kernel, int Stride = 1, int Padding = 0, int Dilation = 1, int Groups = 1)
{
    public long Params => (long)Out * (In / Groups) * Kernel * Kernel;

    public int OutSize(int size) => (size + 2 * Padding - Dilation * (Kernel - 1) - 1) / Stride + 1;

    public long Macs(int h, int w) => (long)OutSize(h) * OutSize(w) * Params;

    public long[] WeightShape => [Out, In / Groups, Kernel, Kernel];
}

/// <summary>What an op costs: parameters (conv weights plus affine BN) and forward multiply-accumulates for one image.</summary>
public readonly record struct Cost(long Params, long Macs)
{
    public static Cost operator +(Cost a, Cost b) => new(a.Params + b.Params, a.Macs + b.Macs);
    public static readonly Cost Zero = new(0, 0);
}

/// <summary>The convolutions and BatchNorms of each candidate op (§1.2), FactorizedReduce and ReLUConvBN.</summary>
public static class OpLayers
{
    public static ConvShape[] Convs(OpKind kind, int c, int stride) => kind switch
    {
        OpKind.None or OpKind.MaxPool3x3 or OpKind.AvgPool3x3 => [],
        OpKind.SkipConnect => stride == 1 ? [] : FactorizedReduce(c, c),
        OpKind.SepConv3x3 => SepConv(c, 3, stride, 1),
        OpKind.SepConv5x5 => SepConv(c, 5, stride, 2),
        OpKind.DilConv3x3 => [new(c, c, 3, stride, 2, 2, c), new(c, c, 1)],
        OpKind.DilConv5x5 => [new(c, c, 5, stride, 4, 2, c), new(c, c, 1)],
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Channel counts of the op's BatchNorms, in forward order (search pools carry one, §1.2).</summary>
    public static int[] BatchNorms(OpKind kind, int c, int stride, bool bnAfterPool) => kind switch
    {
        OpKind.None => [],
        OpKind.MaxPool3x3 or OpKind.AvgPool3x3 => bnAfterPool ? [c] : [],
        OpKind.SkipConnect => stride == 1 ? [] : [c],
        OpKind.SepConv3x3 or OpKind.SepConv5x5 => [c, c],
        OpKind.DilConv3x3 or OpKind.DilConv5x5 => [c],
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static ConvShape[] SepConv(int c, int k, int stride, int pad) =>
        [new(c, c, k, stride, pad, 1, c), new(c, c, 1), new(c, c, k, 1, pad, 1, c), new(c, c, 1)];

    public static ConvShape[] FactorizedReduce(int cin, int cout)
    {
        if (cout % 2 != 0) throw new ArgumentException($"FactorizedReduce needs an even output channel count, got {cout}");
        return [new(cin, cout / 2, 1, 2), new(cin, cout / 2, 1, 2)];
    }

    public static ConvShape[] ReluConvBn(int cin, int cout) => [new(cin, cout, 1)];

    /// <summary>Cost of a conv sequence applied to an h×w input, following the spatial size through strides.</summary>
    public static Cost CostOf(IEnumerable<ConvShape> convs, int h, int w, bool parallel = false)
    {
        var cost = Cost.Zero;
        int ch = h, cw = w;
        foreach (var conv in convs)
        {
            cost += new Cost(conv.Params, conv.Macs(ch, cw));
            if (!parallel) { ch = conv.OutSize(ch); cw = conv.OutSize(cw); }
        }
        return cost;
    }

    public static long BnParams(IEnumerable<int> channels, bool affine) => affine ? channels.Sum(c => 2L * c) : 0;

    public static Cost OpCost(OpKind kind, int c, int stride, int h, int w, bool affine, bool bnAfterPool)
    {
        var convs = Convs(kind, c, stride);
        // FactorizedReduce's two 1x1 paths run side by side on the same input.
        var cost = CostOf(convs, h, w, parallel: kind == OpKind.SkipConnect);
        return cost + new Cost(BnParams(BatchNorms(kind, c, stride, bnAfterPool), affine), 0);
    }
}
