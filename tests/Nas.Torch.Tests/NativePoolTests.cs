// Tensor.Pool3x3 (native/src/pool.cpp) against libtorch's MaxPool2d(3, s, 1) / AvgPool2d(3, s, 1, countIncludePad: false):
// forward values and input gradients, both layouts, the fallback, the errors, and no leaked tensors.
using Nas.Torch;

namespace Nas.Torch.Tests;

public sealed class NativePoolTests
{
    private const double Tolerance = 1e-5;

    private static readonly int[] Channels = [1, 3, 4, 8, 16, 17];

    // Odd, even, 1-pixel and non-square images.
    private static readonly (int H, int W)[] Sizes = [(1, 1), (1, 5), (2, 2), (2, 8), (5, 5), (5, 32), (8, 5), (8, 8), (32, 32), (32, 2)];

    private static Tensor Reference(Tensor x, bool max, int stride) =>
        max ? x.MaxPool2d(3, stride, 1) : x.AvgPool2d(3, stride, 1, countIncludePad: false);

    private static double MaxAbsDiff(Tensor a, Tensor b)
    {
        Assert.Equal(a.Shape, b.Shape);
        using var d = a - b;
        using var abs = d.Abs();
        using var m = abs.Max();
        return m.Item();
    }

    // y and the input gradient of sum(y * r) for a fixed random upstream gradient r.
    private static (Tensor Y, Tensor Grad) ForwardBackward(Tensor x, Func<Tensor, Tensor> op, Tensor r)
    {
        x.RequiresGrad = true;
        var y = op(x);
        using var yr = y * r;
        using var loss = yr.Sum();
        var grad = Autograd.Grad([loss], [x])[0]!;
        return (y, grad);
    }

    [Theory]
    [InlineData(true, 1, false)]
    [InlineData(true, 1, true)]
    [InlineData(true, 2, false)]
    [InlineData(true, 2, true)]
    [InlineData(false, 1, false)]
    [InlineData(false, 1, true)]
    [InlineData(false, 2, false)]
    [InlineData(false, 2, true)]
    public void ValuesAndInputGradientsMatchLibtorch(bool max, int stride, bool channelsLast)
    {
        using var gen = new Generator(1234);
        foreach (var c in Channels)
        foreach (var (h, w) in Sizes)
        {
            var shape = new long[] { 3, c, h, w };
            using var raw = Tensor.Randn(shape, gen);
            using var x = channelsLast ? raw.ToChannelsLast() : raw.Contiguous();
            using var xRef = raw.Contiguous();
            var oh = (h - 1) / stride + 1;
            var ow = (w - 1) / stride + 1;
            using var r = Tensor.Randn([3, c, oh, ow], gen);

            var (y, g) = ForwardBackward(x, t => t.Pool3x3(max, stride), r);
            var (yRef, gRef) = ForwardBackward(xRef, t => Reference(t, max, stride), r);
            using (y)
            using (g)
            using (yRef)
            using (gRef)
            {
                var what = $"{(max ? "max" : "avg")} stride {stride} {(channelsLast ? "channels-last" : "NCHW")} input [3, {c}, {h}, {w}]";
                Assert.Equal(new long[] { 3, c, oh, ow }, y.Shape);
                Assert.True(y.IsChannelsLast, $"{what}: output is not channels-last");
                var dy = MaxAbsDiff(y, yRef);
                Assert.True(dy <= Tolerance, $"{what}: forward differs by {dy}");
                var dg = MaxAbsDiff(g, gRef);
                Assert.True(dg <= Tolerance, $"{what}: input gradient differs by {dg}");
            }
        }
    }

    [Fact]
    public void MaxGradientGoesToTheFirstMaximumOnTies()
    {
        // A constant image: every window ties; PyTorch routes each window's gradient to its first real pixel.
        using var x = Tensor.Ones([1, 2, 4, 5]);
        using var r = Tensor.Arange(1, 1 + 2 * 4 * 5, 1, DType.Float32);
        using var rv = r.View(1, 2, 4, 5);
        var (y, g) = ForwardBackward(x, t => t.Pool3x3(true, 1), rv);
        var (yRef, gRef) = ForwardBackward(x, t => t.MaxPool2d(3, 1, 1), rv);
        using (y)
        using (g)
        using (yRef)
        using (gRef)
        {
            Assert.Equal(0.0, MaxAbsDiff(g, gRef));
            using var total = g.Sum();
            using var rTotal = rv.Sum();
            Assert.Equal(rTotal.Item(), total.Item(), 3);
        }
    }

    [Fact]
    public void UnderNoGradTheOpRunsAndBuildsNoGraph()
    {
        using var gen = new Generator(7);
        using var x = Tensor.Randn([2, 4, 6, 7], gen).SetRequiresGrad();
        foreach (var max in new[] { true, false })
        foreach (var stride in new[] { 1, 2 })
        {
            using var yRef = Reference(x, max, stride);
            using var scope = NoGrad.Enter();
            using var y = x.Pool3x3(max, stride);
            Assert.False(y.RequiresGrad);
            Assert.True(MaxAbsDiff(y, yRef) <= Tolerance, $"{(max ? "max" : "avg")} stride {stride} under NoGrad");
        }
    }

    [Fact]
    public void AFloat64InputFallsBackToLibtorchAndAgrees()
    {
        using var gen = new Generator(9);
        using var x32 = Tensor.Randn([2, 3, 7, 6], gen);
        using var x = x32.To(DType.Float64);
        using var r32 = Tensor.Randn([2, 3, 4, 3], gen);
        using var r = r32.To(DType.Float64);
        foreach (var max in new[] { true, false })
        {
            var (y, g) = ForwardBackward(x, t => t.Pool3x3(max, 2), r);
            var (yRef, gRef) = ForwardBackward(x, t => Reference(t, max, 2), r);
            using (y)
            using (g)
            using (yRef)
            using (gRef)
            {
                Assert.Equal(DType.Float64, y.DType);
                Assert.Equal(DType.Float64, g.DType);
                Assert.True(MaxAbsDiff(y, yRef) <= 1e-12);
                Assert.True(MaxAbsDiff(g, gRef) <= 1e-12);
            }
        }
    }

    [Fact]
    public void AThreeDimensionalInputIsRefusedNamingItsShape()
    {
        using var x = Tensor.Zeros([3, 8, 8]);
        var e = Assert.Throws<TorchException>(() => x.Pool3x3(true, 1));
        Assert.Contains("must be 4-D [N, C, H, W], got 3-D [3, 8, 8]", e.Message);
    }

    [Fact]
    public void AStrideOtherThanOneOrTwoIsRefused()
    {
        using var x = Tensor.Zeros([1, 2, 8, 8]);
        var e = Assert.Throws<TorchException>(() => x.Pool3x3(false, 3));
        Assert.Contains("stride must be 1 or 2, got 3", e.Message);
    }

    [Fact]
    public void ADoubleBackwardIsRefusedWithAClearMessage()
    {
        using var gen = new Generator(11);
        using var x = Tensor.Randn([1, 2, 5, 5], gen).SetRequiresGrad();
        using var y = x.Pool3x3(true, 1);
        using var loss = y.Sum();
        var e = Assert.Throws<TorchException>(() => Autograd.Grad([loss], [x], createGraph: true));
        Assert.Contains("double backward of the native 3x3 pooling is not supported", e.Message);
    }

    [Fact]
    public void ForwardAndBackwardLeaveNoLiveTensorBehind()
    {
        using var gen = new Generator(13);
        using var x = Tensor.Randn([2, 4, 9, 9], gen);
        using var r1 = Tensor.Randn([2, 4, 9, 9], gen);
        using var r2 = Tensor.Randn([2, 4, 5, 5], gen);
        var before = Tensor.LiveCount;
        for (var i = 0; i < 3; i++)
        foreach (var max in new[] { true, false })
        foreach (var stride in new[] { 1, 2 })
        {
            var (y, g) = ForwardBackward(x, t => t.Pool3x3(max, stride), stride == 1 ? r1 : r2);
            y.Dispose();
            g.Dispose();
        }
        Assert.Equal(before, Tensor.LiveCount);
    }
}
