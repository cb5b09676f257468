// Creates the tensors of layers with PyTorch's default initialisation, from the world's seeded generator.
using Nas.Components;
using Nas.Torch;

namespace Nas.Systems.Spaces.Darts;

public static class ParamInit
{
    /// <summary>U(-1/√fan_in, 1/√fan_in): PyTorch's default for Conv2d and Linear (kaiming_uniform with a=√5).</summary>
    public static Tensor Uniform(ReadOnlySpan<long> shape, long fanIn, Generator g)
    {
        var bound = 1.0 / Math.Sqrt(fanIn);
        using var u = Tensor.Rand(shape, g);
        using var scaled = u.Mul(2 * bound);
        var w = scaled.Sub(bound);
        w.SetRequiresGrad();
        return w;
    }

    public static Tensor Conv(ConvShape s, Generator g) => Uniform(s.WeightShape, (long)(s.In / s.Groups) * s.Kernel * s.Kernel, g);

    /// <summary>BatchNorm with running mean 0 and variance 1; affine weight 1 and bias 0 (trainable) when asked.</summary>
    public static BatchNormTensors BatchNorm(int channels, bool affine)
    {
        var mean = Tensor.Zeros([channels]);
        var var = Tensor.Ones([channels]);
        if (!affine) return new BatchNormTensors(mean, var);
        var w = Tensor.Ones([channels]).SetRequiresGrad();
        var b = Tensor.Zeros([channels]).SetRequiresGrad();
        return new BatchNormTensors(mean, var, w, b);
    }

    public static OpTensors Op(OpKind kind, int c, int stride, bool affine, bool bnAfterPool, Generator g) =>
        new(OpLayers.Convs(kind, c, stride).Select(s => Conv(s, g)).ToArray(),
            OpLayers.BatchNorms(kind, c, stride, bnAfterPool).Select(n => BatchNorm(n, affine)).ToArray());

    /// <summary>Stable names for an op's tensors, as the tensor store and snapshots key them.</summary>
    public static IEnumerable<(string Name, Tensor Tensor)> Named(OpTensors t)
    {
        for (var i = 0; i < t.Convs.Length; i++) yield return ($"conv{i}", t.Convs[i]);
        for (var i = 0; i < t.Norms.Length; i++)
            foreach (var item in Named($"bn{i}", t.Norms[i])) yield return item;
    }

    public static IEnumerable<(string Name, Tensor Tensor)> Named(string prefix, BatchNormTensors bn)
    {
        yield return ($"{prefix}.mean", bn.RunningMean);
        yield return ($"{prefix}.var", bn.RunningVar);
        if (bn.Weight is not null) yield return ($"{prefix}.weight", bn.Weight);
        if (bn.Bias is not null) yield return ($"{prefix}.bias", bn.Bias);
    }

    /// <summary>Rebuilds an op's tensor record from named tensors (the inverse of <see cref="Named(OpTensors)"/>).</summary>
    public static OpTensors FromNamed(Func<string, Tensor?> lookup, int convs, int norms) =>
        new(Enumerable.Range(0, convs).Select(i => lookup($"conv{i}") ?? throw new InvalidOperationException($"missing tensor conv{i}")).ToArray(),
            Enumerable.Range(0, norms).Select(i => BatchNormFromNamed(lookup, $"bn{i}")).ToArray());

    public static BatchNormTensors BatchNormFromNamed(Func<string, Tensor?> lookup, string prefix) =>
        new(lookup($"{prefix}.mean") ?? throw new InvalidOperationException($"missing tensor {prefix}.mean"),
            lookup($"{prefix}.var") ?? throw new InvalidOperationException($"missing tensor {prefix}.var"),
            lookup($"{prefix}.weight"), lookup($"{prefix}.bias"));
}
