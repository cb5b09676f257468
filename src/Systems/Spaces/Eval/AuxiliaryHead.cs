// The auxiliary classifier of the evaluation network (§1.7): ReLU, avg-pool to 2×2, 1×1 conv 128 + BN + ReLU, 2×2 conv 768 + BN + ReLU, linear.
using Nas.Systems.Spaces.Darts;
using Nas.Torch;

namespace Nas.Systems.Spaces.Eval;

/// <summary>
/// How the head pools its input map to 2×2. DARTS's CIFAR head uses avg-pool 5×5 stride 3 on an 8×8 map; pt.darts
/// (DropNAS) sets the stride to map − 5 so any map above 5 gives 2×2 (7×7 for 28×28 inputs: stride 2). Maps of 2..5
/// pool adaptively to 2×2 (our choice, §1.7 allows it); a map below 2 has no head.
/// </summary>
public readonly record struct AuxPool(bool Adaptive, int Stride)
{
    public static AuxPool? For(int mapSize) =>
        mapSize > 5 ? new AuxPool(false, mapSize - 5) : mapSize >= 2 ? new AuxPool(true, 0) : null;
}

public sealed class AuxiliaryHead
{
    public const int Hidden = 128;
    public const int Features = 768;

    public AuxPool Pool { get; }
    public Tensor Conv1 { get; }
    public BatchNormTensors Bn1 { get; }
    public Tensor Conv2 { get; }
    public BatchNormTensors Bn2 { get; }
    public Tensor Weight { get; }
    public Tensor Bias { get; }

    private AuxiliaryHead(AuxPool pool, Tensor conv1, BatchNormTensors bn1, Tensor conv2, BatchNormTensors bn2, Tensor weight, Tensor bias)
    {
        (Pool, Conv1, Bn1, Conv2, Bn2, Weight, Bias) = (pool, conv1, bn1, conv2, bn2, weight, bias);
    }

    /// <summary>The head's parameters on a <paramref name="channels"/>-channel map: 1×1 conv + BN, 2×2 conv + BN, Linear (the same for every pool).</summary>
    public static long ParameterCount(int channels, int classes) =>
        (long)channels * Hidden + 2 * Hidden + (long)Hidden * Features * 4 + 2 * Features + (long)Features * classes + classes;

    public static AuxiliaryHead Create(int channels, AuxPool pool, int classes, Generator g)
    {
        var conv1 = ParamInit.Conv(new ConvShape(channels, Hidden, 1), g);
        var bn1 = ParamInit.BatchNorm(Hidden, affine: true);
        var conv2 = ParamInit.Conv(new ConvShape(Hidden, Features, 2), g);
        var bn2 = ParamInit.BatchNorm(Features, affine: true);
        var weight = ParamInit.Uniform([classes, Features], Features, g);
        var bias = ParamInit.Uniform([classes], Features, g);
        return new AuxiliaryHead(pool, conv1, bn1, conv2, bn2, weight, bias);
    }

    public Tensor Forward(Tensor x, bool training, TensorScope scope)
    {
        var h = scope.Own(x.Relu());
        h = Pool.Adaptive ? scope.Own(h.AdaptiveAvgPool2d(2, 2)) : scope.Own(h.AvgPool2d(5, Pool.Stride, 0, countIncludePad: false));
        h = scope.Own(h.Conv2d(Conv1));
        h = OpForward.Bn(h, Bn1, training, scope);
        h = scope.Own(h.Relu());
        h = scope.Own(h.Conv2d(Conv2));
        h = OpForward.Bn(h, Bn2, training, scope);
        h = scope.Own(h.Relu());
        var flat = scope.Own(h.Flatten(1));
        return scope.Own(flat.Linear(Weight, Bias));
    }

    public IEnumerable<(string Name, Tensor Tensor)> Named()
    {
        yield return ("aux.conv1", Conv1);
        foreach (var t in ParamInit.Named("aux.bn1", Bn1)) yield return t;
        yield return ("aux.conv2", Conv2);
        foreach (var t in ParamInit.Named("aux.bn2", Bn2)) yield return t;
        yield return ("aux.fc.weight", Weight);
        yield return ("aux.fc.bias", Bias);
    }
}
