// The tensors of an op and of a BatchNorm, and BatchNorm's constants; the ops themselves are composed by Forward.ForwardInterpreter.
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

/// <summary>BatchNorm as every network here runs it (PyTorch's defaults: momentum 0.1, eps 1e-5).</summary>
public static class OpForward
{
    public const double BnMomentum = 0.1;
    public const double BnEps = 1e-5;

    public static Tensor Bn(Tensor x, BatchNormTensors bn, bool training, TensorScope scope) =>
        scope.Own(x.BatchNorm(bn.Weight, bn.Bias, bn.RunningMean, bn.RunningVar, training, BnMomentum, BnEps));
}
