// The forward computation of each candidate op (§1.2), FactorizedReduce and ReLUConvBN, over tensors the caller passes in.
using Nas.Components;
using Nas.Torch;

namespace Nas.Systems.Spaces.Darts;

/// <summary>One BatchNorm's tensors: running statistics always, weight and bias only when affine.</summary>
public sealed record BatchNormTensors(Tensor RunningMean, Tensor RunningVar, Tensor? Weight = null, Tensor? Bias = null);

/// <summary>The tensors of one op, in the order <see cref="OpLayers.Convs"/> and <see cref="OpLayers.BatchNorms"/> list them.</summary>
public sealed record OpTensors(Tensor[] Convs, BatchNormTensors[] Norms)
{
    public static readonly OpTensors Empty = new([], []);
}

public static class OpForward
{
    public const double BnMomentum = 0.1;
    public const double BnEps = 1e-5;

    /// <summary>
    /// Runs one op on <paramref name="x"/>. Every new tensor goes into <paramref name="scope"/>; an identity op returns
    /// <paramref name="x"/> itself. `none` returns null: its output is zero, so callers skip it (exact, and saves the work).
    /// </summary>
    public static Tensor? Run(OpKind kind, Tensor x, int stride, OpTensors t, bool training, TensorScope scope)
    {
        switch (kind)
        {
            case OpKind.None:
                return null;
            case OpKind.MaxPool3x3:
                return Norms(scope.Own(x.MaxPool2d(3, stride, 1)), t, training, scope);
            case OpKind.AvgPool3x3:
                return Norms(scope.Own(x.AvgPool2d(3, stride, 1, countIncludePad: false)), t, training, scope);
            case OpKind.SkipConnect:
                return stride == 1 ? x : FactorizedReduce(x, t.Convs[0], t.Convs[1], t.Norms[0], training, scope);
            case OpKind.SepConv3x3:
            case OpKind.SepConv5x5:
            {
                var pad = kind == OpKind.SepConv3x3 ? 1 : 2;
                var c = (int)x.Size(1);
                var h = scope.Own(x.Relu());
                h = scope.Own(h.Conv2d(t.Convs[0], null, stride, pad, 1, c));
                h = scope.Own(h.Conv2d(t.Convs[1]));
                h = Bn(h, t.Norms[0], training, scope);
                h = scope.Own(h.Relu());
                h = scope.Own(h.Conv2d(t.Convs[2], null, 1, pad, 1, c));
                h = scope.Own(h.Conv2d(t.Convs[3]));
                return Bn(h, t.Norms[1], training, scope);
            }
            case OpKind.DilConv3x3:
            case OpKind.DilConv5x5:
            {
                var pad = kind == OpKind.DilConv3x3 ? 2 : 4;
                var c = (int)x.Size(1);
                var h = scope.Own(x.Relu());
                h = scope.Own(h.Conv2d(t.Convs[0], null, stride, pad, 2, c));
                h = scope.Own(h.Conv2d(t.Convs[1]));
                return Bn(h, t.Norms[0], training, scope);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    /// <summary>ReLU, two 1x1 stride-2 convs (the second on x shifted by one pixel), concatenated, BN (§1.2).</summary>
    public static Tensor FactorizedReduce(Tensor x, Tensor convA, Tensor convB, BatchNormTensors bn, bool training, TensorScope scope)
    {
        var h = scope.Own(x.Relu());
        var a = scope.Own(h.Conv2d(convA, null, 2));
        var shifted = scope.Own(scope.Own(h.Slice(2, 1, h.Size(2))).Slice(3, 1, h.Size(3)));
        var b = scope.Own(shifted.Conv2d(convB, null, 2));
        var cat = scope.Own(Tensor.Cat([a, b], 1));
        return Bn(cat, bn, training, scope);
    }

    /// <summary>ReLU, 1x1 conv, BN: the preprocessing op of a cell input (§1.3).</summary>
    public static Tensor ReluConvBn(Tensor x, Tensor conv, BatchNormTensors bn, bool training, TensorScope scope)
    {
        var h = scope.Own(x.Relu());
        h = scope.Own(h.Conv2d(conv));
        return Bn(h, bn, training, scope);
    }

    public static Tensor Bn(Tensor x, BatchNormTensors bn, bool training, TensorScope scope) =>
        scope.Own(x.BatchNorm(bn.Weight, bn.Bias, bn.RunningMean, bn.RunningVar, training, BnMomentum, BnEps));

    private static Tensor Norms(Tensor x, OpTensors t, bool training, TensorScope scope) =>
        t.Norms.Length == 0 ? x : Bn(x, t.Norms[0], training, scope);
}
