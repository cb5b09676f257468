// A kernel set that records the input of every ReLU and ReLU6 of another one (BNNAS++'s expressivity, §3.1): the probe wraps the math instead of living in it.
using Nas.Components;
using Nas.Systems.Spaces.Darts;
using Nas.Systems.Spaces.Eval;
using Nas.Torch;

namespace Nas.Systems.Spaces.Forward;

/// <summary>
/// Forwards every call to <paramref name="inner"/>; each <see cref="Relu"/> and <see cref="Relu6"/> call adds its input to
/// <paramref name="preActivations"/> in call order, once per call (a tensor two ops read is recorded twice, as each reader
/// applies its own activation). The tensors stay owned by the forward's scope.
/// </summary>
public sealed class ProbeKernels(IKernels inner, List<Tensor> preActivations) : IKernels
{
    public bool SkipsZeroWeights => inner.SkipsZeroWeights;
    public bool Fuses(BatchNormTensors bn, bool training) => inner.Fuses(bn, training);
    public CellMix Mix(CellWeights weights) => inner.Mix(weights);
    public Tensor Input(Tensor x) => inner.Input(x);
    public Tensor Stem(Tensor x, Tensor conv, BatchNormTensors bn, bool training) => inner.Stem(x, conv, bn, training);

    public Tensor Relu(Tensor x)
    {
        preActivations.Add(x);
        return inner.Relu(x);
    }

    public Tensor Relu6(Tensor x)
    {
        preActivations.Add(x);
        return inner.Relu6(x);
    }

    public Tensor Lead(Tensor t, int dim, long n) => inner.Lead(t, dim, n);
    public Tensor Conv(Tensor x, Tensor w, int stride, int pad, int dilation, int groups) => inner.Conv(x, w, stride, pad, dilation, groups);
    /// <summary>A ReLU fused into the BatchNorm (the DARTS sep conv's inner BN) is unfused here, so its input can be recorded; the values are the same.</summary>
    public Tensor Bn(Tensor x, BatchNormTensors bn, bool training, bool relu = false, double momentum = OpForward.BnMomentum) =>
        relu ? Relu(inner.Bn(x, bn, training, relu: false, momentum)) : inner.Bn(x, bn, training, relu, momentum);
    public Tensor Pool(Tensor x, bool max, int stride) => inner.Pool(x, max, stride);
    public Tensor AvgPool2(Tensor x) => inner.AvgPool2(x);
    public Tensor Bypass(Tensor x) => inner.Bypass(x);
    public (Tensor Even, Tensor Odd)? EvenOddPixels(Tensor x) => inner.EvenOddPixels(x);
    public Tensor ShiftPixels(Tensor x) => inner.ShiftPixels(x);
    public Tensor Cat(Tensor[] xs) => inner.Cat(xs);
    public (Tensor Mixed, Tensor Others) Split(Tensor x, int k) => inner.Split(x, k);
    public Tensor ShuffleJoin(Tensor mixed, Tensor others, int k) => inner.ShuffleJoin(mixed, others, k);
    public Tensor MixedSum(List<OpOutput> outputs) => inner.MixedSum(outputs);
    public Tensor Zeros(Tensor x, int stride) => inner.Zeros(x, stride);
    public Tensor ZerosLike(Tensor x) => inner.ZerosLike(x);
    public Tensor Add(Tensor a, Tensor b, bool temporaries) => inner.Add(a, b, temporaries);
    public Tensor WeightedSum(List<Tensor> ys, List<Tensor> betas) => inner.WeightedSum(ys, betas);
    public Tensor DropPath(Tensor y, double p, Generator g) => inner.DropPath(y, p, g);
    public Tensor Auxiliary(AuxiliaryHead head, Tensor x, bool training) => inner.Auxiliary(head, x, training);
    public Tensor Classifier(Tensor[] inputs, Tensor weight, Tensor bias) => inner.Classifier(inputs, weight, bias);
}
