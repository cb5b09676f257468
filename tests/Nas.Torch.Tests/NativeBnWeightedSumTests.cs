// The fused Σ w_i·BN(h_i) + Σ v_j·y_j against the same built from libtorch's batch norm, mul and add in float64 (a sum
// of six float32 BNs differs from libtorch's float32 one by more than 1e-5 in places; both are within 1e-5 of float64):
// values, the gradients of every input and weight, and the running statistics.
using Nas.Torch;

namespace Nas.Torch.Tests;

public sealed class NativeBnWeightedSumTests
{
    private sealed record Result(Tensor Out, Tensor[] GradH, Tensor[] GradY, Tensor[] GradW, Tensor[] Means, Tensor[] Vars);

    private static Result Run(Tensor[] h0, Tensor[] y0, Tensor[] w0, Tensor[] mean0, Tensor[] var0, Tensor r0, bool fused, TensorScope scope)
    {
        var dtype = fused ? DType.Float32 : DType.Float64;
        Tensor Leaf(Tensor t) => scope.Own(scope.Own(t.To(dtype)).Detach()).SetRequiresGrad();
        var h = h0.Select(Leaf).ToArray();
        var y = y0.Select(Leaf).ToArray();
        var w = w0.Select(Leaf).ToArray();
        var means = mean0.Select(t => scope.Own(scope.Own(t.To(dtype)).Clone())).ToArray(); // updated in place: copies
        var vars = var0.Select(t => scope.Own(scope.Own(t.To(dtype)).Clone())).ToArray();
        var r = scope.Own(r0.To(dtype));
        Tensor output;
        if (fused)
        {
            output = scope.Own(Tensor.BnWeightedSum(h, means.Cast<Tensor?>().ToArray(), vars.Cast<Tensor?>().ToArray(), y, w));
        }
        else
        {
            Tensor? sum = null;
            for (var i = 0; i < h.Length; i++)
            {
                var term = scope.Own(scope.Own(h[i].BatchNorm(null, null, means[i], vars[i], training: true)).Mul(w[i]));
                sum = sum is null ? term : scope.Own(sum.Add(term));
            }
            for (var j = 0; j < y.Length; j++)
            {
                var term = scope.Own(y[j].Mul(w[h.Length + j]));
                sum = sum is null ? term : scope.Own(sum.Add(term));
            }
            output = sum!;
        }
        var loss = scope.Own(scope.Own(output.Mul(r)).Sum());
        Tensor Float(Tensor t) => scope.Own(t.To(DType.Float32));
        var grads = Autograd.Grad([loss], [.. h, .. y, .. w]).Select(g => Float(scope.Own(g!))).ToArray();
        return new Result(Float(output), grads[..h.Length], grads[h.Length..(h.Length + y.Length)], grads[(h.Length + y.Length)..],
            means.Select(Float).ToArray(), vars.Select(Float).ToArray());
    }

    [Theory]
    [InlineData(64, 4, 32, 32, 6, 1)] // a PC-DARTS edge: six ops closing with BN, skip as the plain term
    [InlineData(8, 16, 8, 8, 4, 0)]
    [InlineData(3, 5, 3, 7, 2, 2)] // a scalar tail in the BN loops
    [InlineData(2, 4, 4, 4, 0, 2)] // no BN term at all
    public void MatchesBatchNormMulAndAdd(int n, int c, int height, int width, int bnTerms, int plainTerms)
    {
        using var gen = new Generator((ulong)(n * 1000 + c * 100 + bnTerms * 10 + plainTerms));
        using var scope = new TensorScope();
        Tensor Image(double scale, double shift) =>
            scope.Own(scope.Own(scope.Own(scope.Own(Tensor.Randn([n, c, height, width], gen)).Mul(scale)).Add(shift)).ToChannelsLast());
        var h = Enumerable.Range(0, bnTerms).Select(i => Image(0.5 + i, i - 1)).ToArray();
        var y = Enumerable.Range(0, plainTerms).Select(i => Image(1, 0)).ToArray();
        var w = Enumerable.Range(0, bnTerms + plainTerms).Select(_ => scope.Own(Tensor.Rand([], gen))).ToArray();
        var means = Enumerable.Range(0, bnTerms).Select(_ => scope.Own(Tensor.Randn([c], gen))).ToArray();
        var vars = Enumerable.Range(0, bnTerms).Select(_ => scope.Own(scope.Own(Tensor.Rand([c], gen)).Add(0.5))).ToArray();
        var r = scope.Own(Tensor.Randn([n, c, height, width], gen));

        var expected = Run(h, y, w, means, vars, r, fused: false, scope);
        var actual = Run(h, y, w, means, vars, r, fused: true, scope);
        Assert.True(actual.Out.IsChannelsLast);
        Approx.Equal(expected.Out, actual.Out);
        for (var i = 0; i < bnTerms; i++)
        {
            Approx.Equal(expected.GradH[i], actual.GradH[i]);
            Approx.Equal(expected.Means[i], actual.Means[i]);
            Approx.Equal(expected.Vars[i], actual.Vars[i]);
        }
        for (var j = 0; j < plainTerms; j++) Approx.Equal(expected.GradY[j], actual.GradY[j]);
        // the weights' gradients sum over every element: float sums in another order
        for (var k = 0; k < bnTerms + plainTerms; k++) Approx.Equal(expected.GradW[k], actual.GradW[k], abs: 1e-3, rel: 1e-4);
    }

    [Fact]
    public void MismatchedShapesAndOneValuePerChannelAreRefused()
    {
        using var gen = new Generator(3);
        using var scope = new TensorScope();
        var a = scope.Own(Tensor.Randn([2, 4, 4, 4], gen));
        var b = scope.Own(Tensor.Randn([2, 4, 2, 2], gen));
        var w = scope.Own(Tensor.Rand([], gen));
        var e = Assert.Throws<TorchException>(() => Tensor.BnWeightedSum([a, b], [null, null], [null, null], [], [w, w]));
        Assert.Contains("shapes differ", e.Message);
        var one = scope.Own(Tensor.Randn([1, 4, 1, 1], gen));
        var e2 = Assert.Throws<TorchException>(() => Tensor.BnWeightedSum([one], [null], [null], [], [w]));
        Assert.Contains("Expected more than 1 value per channel when training", e2.Message);
        Assert.Throws<ArgumentException>(() => Tensor.BnWeightedSum([a], [null], [null], [], [w, w]));
    }

    [Fact]
    public void DoubleBackwardIsRefusedAndNothingLeaks()
    {
        using var gen = new Generator(4);
        var before = Tensor.LiveCount;
        using (var scope = new TensorScope())
        {
            var h = scope.Own(Tensor.Randn([2, 3, 4, 4], gen)).SetRequiresGrad();
            var y = scope.Own(Tensor.Randn([2, 3, 4, 4], gen)).SetRequiresGrad();
            var w = scope.Own(Tensor.Rand([2], gen)).SetRequiresGrad();
            var w0 = scope.Own(w.Select(0, 0));
            var w1 = scope.Own(w.Select(0, 1));
            var loss = scope.Own(scope.Own(Tensor.BnWeightedSum([h], [null], [null], [y], [w0, w1])).Sum());
            var e = Assert.Throws<TorchException>(() => Autograd.Grad([loss], [h], retainGraph: true, createGraph: true));
            Assert.Contains("double backward of the native BatchNorm weighted sum", e.Message);
            foreach (var g in Autograd.Grad([loss], [h, y, w])) scope.Own(g!);
        }
        Assert.Equal(before, Tensor.LiveCount);
    }
}
