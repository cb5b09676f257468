// The fused mixed-op sum against libtorch's mul and add: values, and the gradients of every input and weight.
using Nas.Torch;

namespace Nas.Torch.Tests;

public sealed class NativeWeightedSumTests
{
    private static (Tensor Y, Tensor[] Grads) Run(Tensor[] ys0, Tensor[] ws0, Tensor r, bool fused, TensorScope scope)
    {
        var ys = ys0.Select(y => scope.Own(y.Detach()).SetRequiresGrad()).ToArray();
        var ws = ws0.Select(w => scope.Own(w.Detach()).SetRequiresGrad()).ToArray();
        Tensor y;
        if (fused) y = scope.Own(Tensor.WeightedSum(ys, ws));
        else
        {
            y = scope.Own(ys[0].Mul(ws[0]));
            for (var i = 1; i < ys.Length; i++) y = scope.Own(y.Add(scope.Own(ys[i].Mul(ws[i]))));
        }
        var loss = scope.Own(scope.Own(y.Mul(r)).Sum());
        var grads = Autograd.Grad([loss], [.. ys, .. ws]).Select(g => scope.Own(g!)).ToArray();
        return (y, grads);
    }

    [Theory]
    [InlineData(1, 4, 5, 5, true, 1)]
    [InlineData(7, 4, 32, 32, true, 2)]
    [InlineData(7, 16, 8, 8, false, 1)]
    [InlineData(3, 17, 9, 4, true, 2)]
    [InlineData(5, 64, 64, 16, true, 2)] // more than one 16k block: the block-wise dot products
    public void ValuesAndGradientsMatchMulAndAdd(int n, int c, int h, int w, bool channelsLast, int threads) =>
        Threads.With(threads, () =>
        {
            using var gen = new Generator((ulong)(n * 100 + c));
            using var scope = new TensorScope();
            Tensor Make() { var t = scope.Own(Tensor.Randn([2, c, h, w], gen)); return channelsLast ? scope.Own(t.ToChannelsLast()) : t; }
            var ys = Enumerable.Range(0, n).Select(_ => Make()).ToArray();
            var ws = Enumerable.Range(0, n).Select(_ => scope.Own(scope.Own(Tensor.Randn([1], gen)).Squeeze())).ToArray();
            var r = scope.Own(Tensor.Randn([2, c, h, w], gen));
            var expected = Run(ys, ws, r, fused: false, scope);
            var actual = Run(ys, ws, r, fused: true, scope);
            Assert.Equal(channelsLast, actual.Y.IsChannelsLast && c > 1);
            Approx.Equal(expected.Y, actual.Y);
            for (var i = 0; i < n; i++) Approx.Equal(expected.Grads[i], actual.Grads[i]);
            for (var i = n; i < 2 * n; i++) Approx.Equal(expected.Grads[i], actual.Grads[i], abs: 1e-4, rel: 1e-5); // sums of up to 130k products
        });

    [Fact]
    public void OnlyTheGradientsAskedForAreComputed()
    {
        using var gen = new Generator(2);
        using var scope = new TensorScope();
        var a = scope.Own(Tensor.Randn([2, 3, 4, 4], gen)).SetRequiresGrad();
        var b = scope.Own(Tensor.Randn([2, 3, 4, 4], gen)); // no gradient
        var wa = scope.Own(scope.Own(Tensor.Randn([1], gen)).Squeeze()); // no gradient
        var wb = scope.Own(scope.Own(Tensor.Randn([1], gen)).Squeeze()).SetRequiresGrad();
        var y = scope.Own(Tensor.WeightedSum([a, b], [wa, wb]));
        var g = Autograd.Grad([scope.Own(y.Sum())], [a, wb]);
        Approx.Equal(scope.Own(scope.Own(a.OnesLike()).Mul(wa)), scope.Own(g[0]!));
        Approx.Equal(scope.Own(b.Sum()), scope.Own(g[1]!), abs: 1e-4);
    }

    [Fact]
    public void Float64FallsBackToLibtorch()
    {
        using var gen = new Generator(3);
        using var scope = new TensorScope();
        var a = scope.Own(Tensor.Randn([3, 4], gen, DType.Float64));
        var wa = scope.Own(scope.Own(Tensor.Randn([1], gen, DType.Float64)).Squeeze());
        var y = scope.Own(Tensor.WeightedSum([a, a], [wa, wa]));
        Assert.Equal(DType.Float64, y.DType);
        Approx.Equal(scope.Own(scope.Own(a.Mul(wa)).Mul(2.0)), y, abs: 1e-12);
    }

    [Fact]
    public void MismatchedShapesAndCountsAreClearErrors()
    {
        using var gen = new Generator(4);
        using var scope = new TensorScope();
        var a = scope.Own(Tensor.Randn([2, 3], gen));
        var b = scope.Own(Tensor.Randn([4, 5], gen));
        var w = scope.Own(scope.Own(Tensor.Randn([1], gen)).Squeeze());
        Assert.Throws<TorchException>(() => Tensor.WeightedSum([a, b], [w, w])); // libtorch's broadcast error
        var e = Assert.Throws<ArgumentException>(() => Tensor.WeightedSum([a, a], [w]));
        Assert.Contains("2 tensors with 1 weights", e.Message);
    }

    [Fact]
    public void DoubleBackwardIsRefused()
    {
        using var gen = new Generator(5);
        using var scope = new TensorScope();
        var a = scope.Own(Tensor.Randn([2, 3], gen)).SetRequiresGrad();
        var w = scope.Own(scope.Own(Tensor.Randn([1], gen)).Squeeze()).SetRequiresGrad();
        var loss = scope.Own(scope.Own(Tensor.WeightedSum([a], [w])).Sum());
        var e = Assert.Throws<TorchException>(() => Autograd.Grad([loss], [a], createGraph: true));
        Assert.Contains("double backward of the native weighted sum", e.Message);
    }

    [Fact]
    public void NoTensorIsLeft()
    {
        using var gen = new Generator(6);
        var before = Tensor.LiveCount;
        using (var scope = new TensorScope())
        {
            var a = scope.Own(Tensor.Randn([2, 3, 4, 4], gen)).SetRequiresGrad();
            var w = scope.Own(scope.Own(Tensor.Randn([1], gen)).Squeeze()).SetRequiresGrad();
            var loss = scope.Own(scope.Own(Tensor.WeightedSum([a, a], [w, w])).Sum());
            foreach (var g in Autograd.Grad([loss], [a, w])) scope.Own(g!);
        }
        Assert.Equal(before, Tensor.LiveCount);
    }
}
