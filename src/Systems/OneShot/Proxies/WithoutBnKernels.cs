// A kernel set with every BatchNorm removed (synflow's network, as zero-cost-nas and NASLib build it with bn=False): the decorator drops the BN instead of the program.
using Nas.Components;
using Nas.Systems.Spaces.Darts;
using Nas.Systems.Spaces.Eval;
using Nas.Systems.Spaces.Forward;
using Nas.Torch;

namespace Nas.Systems.OneShot.Proxies;

/// <summary>
/// Forwards every call to <paramref name="inner"/> except BatchNorm, which becomes the identity (its optional ReLU kept),
/// so running statistics, γ and β are never read. Nothing is fused: each op closes its own (absent) BN.
/// </summary>
public sealed class WithoutBnKernels(IKernels inner) : IKernels
{
    public bool SkipsZeroWeights => inner.SkipsZeroWeights;
    public bool Fuses(BatchNormTensors bn, bool training) => false;
    public CellMix Mix(CellWeights weights) => inner.Mix(weights);
    public Tensor Input(Tensor x) => inner.Input(x);
    public Tensor Stem(Tensor x, Tensor conv, BatchNormTensors bn, bool training) => inner.Conv(x, conv, 1, 1, 1, 1);
    public Tensor Relu(Tensor x) => inner.Relu(x);
    public Tensor Relu6(Tensor x) => inner.Relu6(x);
    public Tensor Lead(Tensor t, int dim, long n) => inner.Lead(t, dim, n);
    public Tensor Conv(Tensor x, Tensor w, int stride, int pad, int dilation, int groups) => inner.Conv(x, w, stride, pad, dilation, groups);
    public Tensor Bn(Tensor x, BatchNormTensors bn, bool training, bool relu = false, double momentum = OpForward.BnMomentum) => relu ? inner.Relu(x) : x;
    public Tensor Pool(Tensor x, bool max, int stride) => inner.Pool(x, max, stride);
    public Tensor AvgPool2(Tensor x) => inner.AvgPool2(x);
    public Tensor Bypass(Tensor x) => inner.Bypass(x);
    public (Tensor Even, Tensor Odd)? EvenOddPixels(Tensor x) => inner.EvenOddPixels(x);
    public Tensor ShiftPixels(Tensor x) => inner.ShiftPixels(x);
    public Tensor Cat(Tensor[] xs) => inner.Cat(xs);
    public (Tensor Mixed, Tensor Others) Split(Tensor x, int k) => inner.Split(x, k);
    public Tensor ShuffleJoin(Tensor mixed, Tensor others, int k) => inner.ShuffleJoin(mixed, others, k);
    public Tensor MixedSum(List<OpOutput> outputs) => inner.MixedSum(outputs.Select(o => o with { Closing = null }).ToList());
    public Tensor Zeros(Tensor x, int stride) => inner.Zeros(x, stride);
    public Tensor ZerosLike(Tensor x) => inner.ZerosLike(x);
    public Tensor Add(Tensor a, Tensor b, bool temporaries) => inner.Add(a, b, temporaries);
    public Tensor WeightedSum(List<Tensor> ys, List<Tensor> betas) => inner.WeightedSum(ys, betas);
    public Tensor DropPath(Tensor y, double p, Generator g) => inner.DropPath(y, p, g);
    public Tensor Auxiliary(AuxiliaryHead head, Tensor x, bool training) => inner.Auxiliary(head, x, training);
    public Tensor Classifier(Tensor[] inputs, Tensor weight, Tensor bias) => inner.Classifier(inputs, weight, bias);
}
