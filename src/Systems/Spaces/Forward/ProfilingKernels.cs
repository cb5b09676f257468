// A kernel set that times another one per kind of primitive (`nas bench --profile`): profiling wraps the math instead of living in it.
using Nas.Components;
using Nas.Systems.Spaces.Darts;
using Nas.Systems.Spaces.Eval;
using Nas.Torch;

namespace Nas.Systems.Spaces.Forward;

/// <summary>
/// Forwards every call to <paramref name="inner"/> and adds its wall time to <paramref name="profile"/> under the call's
/// <see cref="ProfileKind"/>. libtorch on CPU runs each call synchronously, so a call's wall time is its cost.
/// </summary>
public sealed class ProfilingKernels(IKernels inner, ForwardProfile profile) : IKernels
{
    private T Time<T>(ProfileKind kind, Func<T> call)
    {
        var start = ForwardProfile.Now(profile);
        var result = call();
        profile.Add(kind, start);
        return result;
    }

    public bool SkipsZeroWeights => inner.SkipsZeroWeights;
    public bool Fuses(BatchNormTensors bn, bool training) => inner.Fuses(bn, training);
    public CellMix Mix(CellWeights weights) => inner.Mix(weights);
    public Tensor Input(Tensor x) => Time(ProfileKind.Layout, () => inner.Input(x));
    public Tensor Stem(Tensor x, Tensor conv, BatchNormTensors bn, bool training) => Time(ProfileKind.Stem, () => inner.Stem(x, conv, bn, training));
    public Tensor Relu(Tensor x) => Time(ProfileKind.Relu, () => inner.Relu(x));
    public Tensor Relu6(Tensor x) => Time(ProfileKind.Relu, () => inner.Relu6(x));
    public Tensor Lead(Tensor t, int dim, long n) => Time(ProfileKind.ChannelOps, () => inner.Lead(t, dim, n));

    public Tensor Conv(Tensor x, Tensor w, int stride, int pad, int dilation, int groups) =>
        Time(groups > 1 ? ProfileKind.DepthwiseConv : ProfileKind.PointwiseConv, () => inner.Conv(x, w, stride, pad, dilation, groups));

    public Tensor Bn(Tensor x, BatchNormTensors bn, bool training, bool relu = false, double momentum = OpForward.BnMomentum) =>
        Time(ProfileKind.BatchNorm, () => inner.Bn(x, bn, training, relu, momentum));
    public Tensor AvgPool2(Tensor x) => Time(ProfileKind.Pool, () => inner.AvgPool2(x));
    public Tensor ZerosLike(Tensor x) => Time(ProfileKind.ChannelOps, () => inner.ZerosLike(x));
    public Tensor Pool(Tensor x, bool max, int stride) => Time(ProfileKind.Pool, () => inner.Pool(x, max, stride));
    public Tensor Bypass(Tensor x) => Time(ProfileKind.Pool, () => inner.Bypass(x));
    public (Tensor Even, Tensor Odd)? EvenOddPixels(Tensor x) => Time(ProfileKind.ChannelOps, () => inner.EvenOddPixels(x));
    public Tensor ShiftPixels(Tensor x) => Time(ProfileKind.ChannelOps, () => inner.ShiftPixels(x));
    public Tensor Cat(Tensor[] xs) => Time(ProfileKind.ChannelOps, () => inner.Cat(xs));
    public (Tensor Mixed, Tensor Others) Split(Tensor x, int k) => Time(ProfileKind.ChannelOps, () => inner.Split(x, k));
    public Tensor ShuffleJoin(Tensor mixed, Tensor others, int k) => Time(ProfileKind.ChannelOps, () => inner.ShuffleJoin(mixed, others, k));
    public Tensor MixedSum(List<OpOutput> outputs) => Time(ProfileKind.WeightedSum, () => inner.MixedSum(outputs));
    public Tensor Zeros(Tensor x, int stride) => Time(ProfileKind.ChannelOps, () => inner.Zeros(x, stride));
    public Tensor Add(Tensor a, Tensor b, bool temporaries) => Time(ProfileKind.WeightedSum, () => inner.Add(a, b, temporaries));
    public Tensor WeightedSum(List<Tensor> ys, List<Tensor> betas) => Time(ProfileKind.WeightedSum, () => inner.WeightedSum(ys, betas));
    public Tensor DropPath(Tensor y, double p, Generator g) => Time(ProfileKind.ChannelOps, () => inner.DropPath(y, p, g));
    public Tensor Auxiliary(AuxiliaryHead head, Tensor x, bool training) => Time(ProfileKind.Classifier, () => inner.Auxiliary(head, x, training));
    public Tensor Classifier(Tensor[] inputs, Tensor weight, Tensor bias) => Time(ProfileKind.Classifier, () => inner.Classifier(inputs, weight, bias));
}

/// <summary>Picks the kernel set of a <see cref="ForwardMode"/>, wrapped in <see cref="ProfilingKernels"/> when a profile is given.</summary>
public static class Kernels
{
    public static IKernels For(ForwardMode mode, TensorScope scope, ForwardProfile? profile = null)
    {
        IKernels set = mode switch
        {
            ForwardMode.Batched => new FastKernels(scope),
            ForwardMode.Reference => new ReferenceKernels(scope),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown forward mode"),
        };
        return profile is null ? set : new ProfilingKernels(set, profile);
    }
}
