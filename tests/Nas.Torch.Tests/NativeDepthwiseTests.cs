// The shim's own depthwise convolution against libtorch's conv2d (groups = C): values, input and weight gradients.
using Nas.Torch;

namespace Nas.Torch.Tests;

public sealed class NativeDepthwiseTests
{
    /// <summary>y and the gradients of Σ y·r (r random) for x and w, by <paramref name="conv"/>.</summary>
    private static (Tensor Y, Tensor Gx, Tensor Gw) Run(Tensor x0, Tensor w0, Tensor r, Func<Tensor, Tensor, Tensor> conv, TensorScope scope)
    {
        var x = scope.Own(x0.Detach()).SetRequiresGrad();
        var w = scope.Own(w0.Detach()).SetRequiresGrad();
        var y = scope.Own(conv(x, w));
        var loss = scope.Own(scope.Own(y.Mul(r)).Sum());
        var g = Autograd.Grad([loss], [x, w]);
        return (y, scope.Own(g[0]!), scope.Own(g[1]!));
    }

    public static TheoryData<int, int, int, int, int, int, int, bool> Cases()
    {
        var data = new TheoryData<int, int, int, int, int, int, int, bool>();
        // channels, height, width, kernel, stride, dilation, threads, channels-last input
        foreach (var (c, h, w) in new[] { (1, 5, 5), (3, 8, 7), (4, 32, 32), (8, 9, 16), (16, 8, 8), (17, 5, 6), (4, 2, 3) })
            foreach (var (k, d) in new[] { (3, 1), (5, 1), (3, 2), (5, 2) })
                foreach (var s in new[] { 1, 2 })
                    data.Add(c, h, w, k, s, d, (c + k + s) % 2 + 1, (c + h + d) % 2 == 0);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ValuesAndGradientsMatchLibtorchsGroupedConv2d(int c, int h, int w, int k, int stride, int dilation, int threads, bool channelsLast) =>
        Threads.With(threads, () =>
        {
            using var gen = new Generator((ulong)(c * 1000 + h * 100 + k * 10 + stride + dilation));
            using var scope = new TensorScope();
            var pad = dilation * (k - 1) / 2;
            var x = scope.Own(Tensor.Randn([3, c, h, w], gen));
            if (channelsLast) x = scope.Own(x.ToChannelsLast());
            var wt = scope.Own(scope.Own(Tensor.Randn([c, 1, k, k], gen)).Mul(0.3));
            var outH = (h + 2 * pad - dilation * (k - 1) - 1) / stride + 1;
            var outW = (w + 2 * pad - dilation * (k - 1) - 1) / stride + 1;
            var r = scope.Own(Tensor.Randn([3, c, outH, outW], gen));

            var expected = Run(x, wt, r, (a, b) => a.Conv2d(b, null, stride, pad, dilation, c), scope);
            var actual = Run(x, wt, r, (a, b) => a.DepthwiseConv2d(b, stride, pad, dilation), scope);
            Assert.True(actual.Y.IsChannelsLast);
            Approx.Equal(expected.Y, actual.Y);
            Approx.Equal(expected.Gx, actual.Gx);
            Approx.Equal(expected.Gw, actual.Gw, abs: 1e-4);
        });

    [Fact]
    public void UnderNoGradItComputesTheSameForward()
    {
        using var gen = new Generator(3);
        using var scope = new TensorScope();
        var x = scope.Own(scope.Own(Tensor.Randn([2, 4, 6, 6], gen)).ToChannelsLast());
        var wt = scope.Own(Tensor.Randn([4, 1, 3, 3], gen));
        using var _ = NoGrad.Enter();
        var y = scope.Own(x.DepthwiseConv2d(wt, 1, 2, 2));
        Assert.False(y.RequiresGrad);
        Approx.Equal(scope.Own(x.Conv2d(wt, null, 1, 2, 2, 4)), y);
    }

    [Fact]
    public void OnlyTheGradientAskedForIsComputedAndItMatches()
    {
        using var gen = new Generator(4);
        using var scope = new TensorScope();
        var x = scope.Own(Tensor.Randn([2, 4, 6, 6], gen)).SetRequiresGrad();
        var wt = scope.Own(Tensor.Randn([4, 1, 5, 5], gen)); // no grad wanted: the weight-gradient loop is skipped
        var y = scope.Own(x.DepthwiseConv2d(wt, 1, 2));
        var g = scope.Own(Autograd.Grad([scope.Own(y.Sum())], [x])[0]!);
        var x2 = scope.Own(x.Detach()).SetRequiresGrad();
        var y2 = scope.Own(x2.Conv2d(wt, null, 1, 2, 1, 4));
        Approx.Equal(scope.Own(Autograd.Grad([scope.Own(y2.Sum())], [x2])[0]!), g);
    }

    [Fact]
    public void Float64FallsBackToLibtorchAndAgrees()
    {
        using var gen = new Generator(5);
        using var scope = new TensorScope();
        var x = scope.Own(Tensor.Randn([2, 3, 7, 7], gen, DType.Float64));
        var wt = scope.Own(Tensor.Randn([3, 1, 3, 3], gen, DType.Float64));
        var y = scope.Own(x.DepthwiseConv2d(wt, 2, 1));
        Assert.Equal(DType.Float64, y.DType);
        Approx.Equal(scope.Own(x.Conv2d(wt, null, 2, 1, 1, 3)), y);
    }

    [Fact]
    public void ABadShapeIsLibtorchsErrorAsATorchException()
    {
        using var gen = new Generator(6);
        using var scope = new TensorScope();
        var x = scope.Own(Tensor.Randn([2, 3, 2, 2], gen));
        var wt = scope.Own(Tensor.Randn([3, 1, 5, 5], gen));
        var e = Assert.Throws<TorchException>(() => x.DepthwiseConv2d(wt, 1, 0));
        Assert.Contains("kernel size", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void DoubleBackwardIsRefusedWithAClearMessage()
    {
        using var gen = new Generator(7);
        using var scope = new TensorScope();
        var x = scope.Own(Tensor.Randn([1, 2, 5, 5], gen)).SetRequiresGrad();
        var wt = scope.Own(Tensor.Randn([2, 1, 3, 3], gen)).SetRequiresGrad();
        var loss = scope.Own(scope.Own(x.DepthwiseConv2d(wt, 1, 1)).Sum());
        var e = Assert.Throws<TorchException>(() => Autograd.Grad([loss], [x], createGraph: true));
        Assert.Contains("double backward of the native depthwise convolution", e.Message);
    }

    [Fact]
    public void AForwardAndBackwardLeaveNoTensorBehind()
    {
        using var gen = new Generator(8);
        var before = Tensor.LiveCount;
        using (var scope = new TensorScope())
        {
            var x = scope.Own(Tensor.Randn([2, 4, 6, 6], gen)).SetRequiresGrad();
            var wt = scope.Own(Tensor.Randn([4, 1, 3, 3], gen)).SetRequiresGrad();
            var loss = scope.Own(scope.Own(x.DepthwiseConv2d(wt, 2, 1)).Sum());
            foreach (var g in Autograd.Grad([loss], [x, wt])) scope.Own(g!);
        }
        Assert.Equal(before, Tensor.LiveCount);
    }
}
