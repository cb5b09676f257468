// The shim's even/odd pixel split against libtorch's strided slices: values and gradients.
using Nas.Torch;

namespace Nas.Torch.Tests;

public sealed class NativeEvenOddTests
{
    private static Tensor Strided(Tensor x, long start, TensorScope scope) =>
        scope.Own(scope.Own(x.Slice(2, start, x.Size(2), 2)).Slice(3, start, x.Size(3), 2));

    /// <summary>The two grids and the gradient for x of Σ even·r + Σ odd·s (or only one of the terms).</summary>
    private static (Tensor Even, Tensor Odd, Tensor Gx) Grids(Tensor x0, Tensor r, Tensor s, bool native, bool useEven, bool useOdd,
        TensorScope scope)
    {
        var x = scope.Own(x0.Detach()).SetRequiresGrad();
        Tensor even, odd;
        if (native)
        {
            (even, odd) = x.EvenOddPixels();
            scope.Own(even);
            scope.Own(odd);
        }
        else
        {
            even = Strided(x, 0, scope);
            odd = Strided(x, 1, scope);
        }
        Tensor? loss = null;
        if (useEven) loss = scope.Own(scope.Own(even.Mul(r)).Sum());
        if (useOdd)
        {
            var term = scope.Own(scope.Own(odd.Mul(s)).Sum());
            loss = loss is null ? term : scope.Own(loss.Add(term));
        }
        return (even, odd, scope.Own(Autograd.Grad([loss!], [x])[0]!));
    }

    [Theory]
    [InlineData(64, 4, 32, 32, true, true, true)]
    [InlineData(2, 16, 8, 6, false, true, true)]
    [InlineData(3, 5, 4, 4, true, true, false)]
    [InlineData(3, 5, 4, 4, true, false, true)]
    [InlineData(1, 1, 2, 2, false, true, true)]
    public void EvenOddPixelsMatchLibtorchsSlices(int n, int c, int h, int w, bool channelsLast, bool useEven, bool useOdd)
    {
        using var gen = new Generator((ulong)(n * 1000 + c * 100 + h * 10 + w));
        using var scope = new TensorScope();
        var x = scope.Own(Tensor.Randn([n, c, h, w], gen));
        if (channelsLast) x = scope.Own(x.ToChannelsLast());
        var r = scope.Own(Tensor.Randn([n, c, h / 2, w / 2], gen));
        var s = scope.Own(Tensor.Randn([n, c, h / 2, w / 2], gen));
        var expected = Grids(x, r, s, native: false, useEven, useOdd, scope);
        var actual = Grids(x, r, s, native: true, useEven, useOdd, scope);
        Assert.True(actual.Even.IsChannelsLast && actual.Odd.IsChannelsLast);
        Assert.True(actual.Gx.IsChannelsLast);
        Approx.Equal(expected.Even, actual.Even, abs: 0, rel: 0);
        Approx.Equal(expected.Odd, actual.Odd, abs: 0, rel: 0);
        Approx.Equal(expected.Gx, actual.Gx, abs: 0, rel: 0);
    }

    [Fact]
    public void OddSizesFallBackToLibtorchsSlices()
    {
        using var gen = new Generator(3);
        using var scope = new TensorScope();
        var x = scope.Own(Tensor.Randn([2, 3, 5, 7], gen));
        var (even, odd) = x.EvenOddPixels();
        scope.Own(even);
        scope.Own(odd);
        Assert.Equal([2L, 3, 3, 4], even.Shape);
        Assert.Equal([2L, 3, 2, 3], odd.Shape);
        Approx.Equal(Strided(x, 0, scope), even, abs: 0, rel: 0);
        Approx.Equal(Strided(x, 1, scope), odd, abs: 0, rel: 0);
    }

    [Fact]
    public void ANonFourDimensionalInputIsRefusedNamingItsShape()
    {
        using var scope = new TensorScope();
        var x = scope.Own(Tensor.Ones([4, 4]));
        var e = Assert.Throws<TorchException>(() => x.EvenOddPixels());
        Assert.Contains("[4, 4]", e.Message);
    }

    [Fact]
    public void DoubleBackwardIsRefusedWithAClearMessage()
    {
        using var gen = new Generator(10);
        using var scope = new TensorScope();
        var x = scope.Own(Tensor.Randn([1, 2, 4, 4], gen)).SetRequiresGrad();
        var (even, odd) = x.EvenOddPixels();
        scope.Own(even);
        scope.Own(odd);
        var loss2 = scope.Own(scope.Own(even.Add(odd)).Sum());
        var e2 = Assert.Throws<TorchException>(() => Autograd.Grad([loss2], [x], createGraph: true));
        Assert.Contains("double backward of the native even/odd pixel split", e2.Message);
    }

    [Fact]
    public void AForwardAndBackwardLeaveNoTensorBehind()
    {
        using var gen = new Generator(11);
        var before = Tensor.LiveCount;
        using (var scope = new TensorScope())
        {
            var x = scope.Own(Tensor.Randn([2, 4, 6, 6], gen)).SetRequiresGrad();
            var (even, odd) = x.EvenOddPixels();
            scope.Own(even);
            scope.Own(odd);
            var loss = scope.Own(scope.Own(even.Add(odd)).Sum());
            foreach (var g in Autograd.Grad([loss], [x])) scope.Own(g!);
        }
        Assert.Equal(before, Tensor.LiveCount);
    }
}
