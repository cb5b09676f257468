// The shim's own training-mode batch norm (no weight/bias) against libtorch's batch_norm: values, input gradients and
// the updated running statistics.
using Nas.Torch;

namespace Nas.Torch.Tests;

public sealed class NativeBatchNormTests
{
    private sealed record Result(Tensor Y, Tensor Gx, Tensor? Mean, Tensor? Var);

    /// <summary>y, the gradient of Σ y·r (r random) for x, and the running stats after the call (copies of the given ones).</summary>
    private static Result Run(Tensor x0, Tensor r, Tensor? mean0, Tensor? var0, Func<Tensor, Tensor?, Tensor?, Tensor> bn, TensorScope scope)
    {
        var x = scope.Own(x0.Detach()).SetRequiresGrad();
        var mean = mean0 is null ? null : scope.Own(mean0.Clone());
        var var = var0 is null ? null : scope.Own(var0.Clone());
        var y = scope.Own(bn(x, mean, var));
        var loss = scope.Own(scope.Own(y.Mul(r)).Sum());
        var g = Autograd.Grad([loss], [x]);
        return new Result(y, scope.Own(g[0]!), mean, var);
    }

    private static Func<Tensor, Tensor?, Tensor?, Tensor> Libtorch(double momentum, double eps) =>
        (x, m, v) => x.BatchNorm(null, null, m, v, training: true, momentum, eps);

    private static Func<Tensor, Tensor?, Tensor?, Tensor> Native(double momentum, double eps) =>
        (x, m, v) => x.BatchNormTrain(m, v, momentum, eps);

    public static TheoryData<int, int, int, int, int, bool> Cases()
    {
        var data = new TheoryData<int, int, int, int, int, bool>();
        // batch, channels, height, width, threads, channels-last input
        var shapes = new[]
        {
            (64, 4, 32, 32), (64, 8, 16, 16), (64, 16, 8, 8), (64, 1, 3, 3), (64, 64, 2, 2), (64, 17, 1, 1),
            (1, 1, 5, 5), (1, 4, 3, 5), (1, 16, 1, 2), (2, 3, 7, 9), (2, 17, 5, 6), (2, 8, 1, 1),
            (3, 64, 3, 3), (3, 4, 5, 3), (3, 1, 1, 1), (2, 16, 9, 7),
        };
        foreach (var (n, c, h, w) in shapes)
            foreach (var threads in new[] { 1, 2 })
                foreach (var channelsLast in new[] { false, true })
                    data.Add(n, c, h, w, threads, channelsLast);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ValuesGradientsAndRunningStatsMatchLibtorch(int n, int c, int h, int w, int threads, bool channelsLast) =>
        Threads.With(threads, () =>
        {
            using var gen = new Generator((ulong)(n * 10000 + c * 100 + h * 10 + w));
            using var scope = new TensorScope();
            // An offset and a scale per test so the centring of the sums matters.
            var x = scope.Own(scope.Own(scope.Own(Tensor.Randn([n, c, h, w], gen)).Mul(0.5 + c % 3)).Add(c % 5 - 2));
            if (channelsLast) x = scope.Own(x.ToChannelsLast());
            var r = scope.Own(Tensor.Randn([n, c, h, w], gen));
            var mean = scope.Own(Tensor.Randn([c], gen));
            var var = scope.Own(scope.Own(Tensor.Rand([c], gen)).Add(0.5));

            var expected = Run(x, r, mean, var, Libtorch(0.1, 1e-5), scope);
            var actual = Run(x, r, mean, var, Native(0.1, 1e-5), scope);
            Assert.True(actual.Y.IsChannelsLast);
            Approx.Equal(expected.Y, actual.Y);
            Approx.Equal(expected.Gx, actual.Gx);
            Approx.Equal(expected.Mean!, actual.Mean!);
            Approx.Equal(expected.Var!, actual.Var!);
        });

    public static TheoryData<int, int, int, int, int> ReluCases()
    {
        var data = new TheoryData<int, int, int, int, int>();
        // batch, channels, height, width, threads: block-sized images, images with a scalar tail, few and many channels
        foreach (var (n, c, h, w) in new[] { (64, 4, 32, 32), (8, 16, 8, 8), (2, 17, 5, 6), (3, 4, 5, 3), (2, 8, 1, 1), (64, 64, 2, 2) })
            foreach (var threads in new[] { 1, 2 })
                data.Add(n, c, h, w, threads);
        return data;
    }

    [Theory]
    [MemberData(nameof(ReluCases))]
    public void FusedReluMatchesLibtorchBatchNormThenRelu(int n, int c, int h, int w, int threads) =>
        Threads.With(threads, () =>
        {
            using var gen = new Generator((ulong)(7 + n * 10000 + c * 100 + h * 10 + w));
            using var scope = new TensorScope();
            var x = scope.Own(scope.Own(scope.Own(scope.Own(Tensor.Randn([n, c, h, w], gen)).Mul(1.5)).Add(0.3)).ToChannelsLast());
            var r = scope.Own(Tensor.Randn([n, c, h, w], gen));
            var mean = scope.Own(Tensor.Randn([c], gen));
            var var = scope.Own(scope.Own(Tensor.Rand([c], gen)).Add(0.5));

            var expected = Run(x, r, mean, var, (t, m, v) => scope.Own(t.BatchNorm(null, null, m, v, training: true)).Relu(), scope);
            var actual = Run(x, r, mean, var, (t, m, v) => t.BatchNormTrain(m, v, relu: true), scope);
            Assert.True(actual.Y.IsChannelsLast);
            Approx.Equal(expected.Y, actual.Y);
            Approx.Equal(expected.Gx, actual.Gx);
            Approx.Equal(expected.Mean!, actual.Mean!);
            Approx.Equal(expected.Var!, actual.Var!);
            // the ReLU did cut: about half the outputs are zero, and so are their upstream gradients' contributions
            var zeros = scope.Own(scope.Own(actual.Y.Eq(0.0)).Sum()).Item();
            Assert.InRange(zeros, 0.25 * x.Numel, 0.75 * x.Numel);
        });

    [Fact]
    public void FusedReluOnTheLibtorchFallbackAlsoApplies()
    {
        using var gen = new Generator(21);
        using var scope = new TensorScope();
        var x = scope.Own(Tensor.Randn([2, 3, 4, 4], gen, DType.Float64));
        var expected = scope.Own(scope.Own(x.BatchNorm(null, null, null, null, training: true)).Relu());
        Approx.Equal(expected, scope.Own(x.BatchNormTrain(null, null, relu: true)));
    }

    [Fact]
    public void MomentumAndEpsAreUsedAsLibtorchUsesThem()
    {
        using var gen = new Generator(11);
        using var scope = new TensorScope();
        var x = scope.Own(Tensor.Randn([5, 6, 4, 3], gen));
        var r = scope.Own(Tensor.Randn([5, 6, 4, 3], gen));
        var mean = scope.Own(Tensor.Randn([6], gen));
        var var = scope.Own(scope.Own(Tensor.Rand([6], gen)).Add(0.5));
        var expected = Run(x, r, mean, var, Libtorch(0.37, 0.25), scope);
        var actual = Run(x, r, mean, var, Native(0.37, 0.25), scope);
        Approx.Equal(expected.Y, actual.Y);
        Approx.Equal(expected.Gx, actual.Gx);
        Approx.Equal(expected.Mean!, actual.Mean!);
        Approx.Equal(expected.Var!, actual.Var!);
        // and they did move
        Assert.True(scope.Own(scope.Own(scope.Own(actual.Var!.Sub(var)).Abs()).Max()).Item() > 1e-3);
    }

    [Fact]
    public void NullRunningStatsWork()
    {
        using var gen = new Generator(12);
        using var scope = new TensorScope();
        var x = scope.Own(Tensor.Randn([4, 4, 6, 6], gen));
        var r = scope.Own(Tensor.Randn([4, 4, 6, 6], gen));
        var expected = Run(x, r, null, null, Libtorch(0.1, 1e-5), scope);
        var actual = Run(x, r, null, null, Native(0.1, 1e-5), scope);
        Approx.Equal(expected.Y, actual.Y);
        Approx.Equal(expected.Gx, actual.Gx);
        // only one of them given
        var var = scope.Own(Tensor.Ones([4]));
        var e2 = Run(x, r, null, var, Libtorch(0.1, 1e-5), scope);
        var a2 = Run(x, r, null, var, Native(0.1, 1e-5), scope);
        Approx.Equal(e2.Var!, a2.Var!);
    }

    [Fact]
    public void TheResultDoesNotDependOnTheThreadCount()
    {
        using var gen = new Generator(13);
        using var scope = new TensorScope();
        var x = scope.Own(Tensor.Randn([64, 4, 32, 32], gen));
        var r = scope.Own(Tensor.Randn([64, 4, 32, 32], gen));
        Result? one = null, two = null;
        Threads.With(1, () => one = Run(x, r, null, null, Native(0.1, 1e-5), scope));
        Threads.With(2, () => two = Run(x, r, null, null, Native(0.1, 1e-5), scope));
        Approx.Equal(one!.Y, two!.Y, abs: 0, rel: 0);
        Approx.Equal(one.Gx, two.Gx, abs: 0, rel: 0);
    }

    [Fact]
    public void UnderNoGradItNormalisesAndStillUpdatesTheRunningStats()
    {
        using var gen = new Generator(14);
        using var scope = new TensorScope();
        var x = scope.Own(scope.Own(Tensor.Randn([3, 8, 5, 5], gen)).ToChannelsLast());
        var m1 = scope.Own(Tensor.Zeros([8]));
        var v1 = scope.Own(Tensor.Ones([8]));
        var m2 = scope.Own(Tensor.Zeros([8]));
        var v2 = scope.Own(Tensor.Ones([8]));
        using var _ = NoGrad.Enter();
        var y = scope.Own(x.BatchNormTrain(m1, v1));
        Assert.False(y.RequiresGrad);
        Approx.Equal(scope.Own(x.BatchNorm(null, null, m2, v2, training: true)), y);
        Approx.Equal(m2, m1);
        Approx.Equal(v2, v1);
        Assert.True(scope.Own(scope.Own(m1.Abs()).Max()).Item() > 1e-4);
    }

    [Fact]
    public void Float64FallsBackToLibtorchAndAgrees()
    {
        using var gen = new Generator(15);
        using var scope = new TensorScope();
        var x = scope.Own(Tensor.Randn([2, 3, 4, 4], gen, DType.Float64));
        var m1 = scope.Own(Tensor.Zeros([3], DType.Float64));
        var m2 = scope.Own(Tensor.Zeros([3], DType.Float64));
        var y = scope.Own(x.BatchNormTrain(m1, null));
        Assert.Equal(DType.Float64, y.DType);
        Approx.Equal(scope.Own(x.BatchNorm(null, null, m2, null, training: true)), y);
        Approx.Equal(m2, m1);
    }

    [Fact]
    public void ThreeDimensionalInputFallsBackToLibtorchAndAgrees()
    {
        using var gen = new Generator(16);
        using var scope = new TensorScope();
        var x = scope.Own(Tensor.Randn([4, 3, 7], gen));
        Approx.Equal(scope.Own(x.BatchNorm(null, null, null, null, training: true)), scope.Own(x.BatchNormTrain(null, null)));
    }

    [Theory]
    [InlineData(1, 4, 1, 1)]
    [InlineData(1, 1, 1, 1)]
    public void OneValuePerChannelIsRefusedAsPyTorchDoes(int n, int c, int h, int w)
    {
        using var scope = new TensorScope();
        var x = scope.Own(Tensor.Ones([n, c, h, w]));
        var mean = scope.Own(Tensor.Zeros([c]));
        var e = Assert.Throws<TorchException>(() => x.BatchNormTrain(mean, null));
        Assert.Contains("Expected more than 1 value per channel when training", e.Message);
        Assert.Contains($"[{n}, {c}, {h}, {w}]", e.Message);
        Assert.Equal(0.0, scope.Own(scope.Own(mean.Abs()).Max()).Item()); // left alone
    }

    [Fact]
    public void RunningStatsOfTheWrongSizeAreRefusedNamingTheSize()
    {
        using var gen = new Generator(17);
        using var scope = new TensorScope();
        var x = scope.Own(Tensor.Randn([2, 4, 3, 3], gen));
        var mean = scope.Own(Tensor.Zeros([5]));
        var e = Assert.Throws<TorchException>(() => x.BatchNormTrain(mean, null));
        Assert.Contains("running_mean must have one value per channel (4), got 5", e.Message);
    }

    [Fact]
    public void DoubleBackwardIsRefusedWithAClearMessage()
    {
        using var gen = new Generator(18);
        using var scope = new TensorScope();
        var x = scope.Own(Tensor.Randn([2, 3, 4, 4], gen)).SetRequiresGrad();
        var r = scope.Own(Tensor.Randn([2, 3, 4, 4], gen));
        var loss = scope.Own(scope.Own(scope.Own(x.BatchNormTrain(null, null)).Mul(r)).Sum());
        var e = Assert.Throws<TorchException>(() => Autograd.Grad([loss], [x], createGraph: true));
        Assert.Contains("double backward of the native batch norm", e.Message);
    }

    [Fact]
    public void AForwardAndBackwardLeaveNoTensorBehind()
    {
        using var gen = new Generator(19);
        var before = Tensor.LiveCount;
        using (var scope = new TensorScope())
        {
            var x = scope.Own(Tensor.Randn([2, 4, 6, 6], gen)).SetRequiresGrad();
            var mean = scope.Own(Tensor.Zeros([4]));
            var var = scope.Own(Tensor.Ones([4]));
            var loss = scope.Own(scope.Own(x.BatchNormTrain(mean, var)).Sum());
            foreach (var g in Autograd.Grad([loss], [x])) scope.Own(g!);
        }
        Assert.Equal(before, Tensor.LiveCount);
    }
}
