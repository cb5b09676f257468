// Bad input to the optimizers gives exceptions that name what is wrong, and leaves the tensors untouched.
using Nas.Torch;

namespace Nas.Torch.Tests;

public sealed class OptimErrorTests
{
    private static readonly SgdOptions Momentum = new(Lr: 0.1, Momentum: 0.9);

    [Fact]
    public void MismatchedListLengthsNameBothCounts()
    {
        using var p = Tensor.Zeros([2]);
        using var g = Tensor.Zeros([2]);
        var e = Assert.Throws<ArgumentException>(() => Sgd.Step([p, p], [g], [p, p], Momentum, firstStep: true));
        Assert.Contains("2 parameters but 1 grads", e.Message);
        var a = Assert.Throws<ArgumentException>(() => Adam.Step([p], [g], [], [p], 1, new AdamOptions()));
        Assert.Contains("1 parameters but 0 expAvg", a.Message);
    }

    [Fact]
    public void AGradShapedUnlikeItsParameterNamesTheIndexAndBothShapesAndChangesNothing()
    {
        using var p0 = Tensor.FromSpan([1f, 2f], [2]);
        using var p1 = Tensor.FromSpan([1f, 2f, 3f, 4f, 5f, 6f], [2, 3]);
        using var g0 = Tensor.FromSpan([1f, 1f], [2]);
        using var g1 = Tensor.Zeros([3, 2]);
        using var b0 = Tensor.Zeros([2]);
        using var b1 = Tensor.Zeros([2, 3]);
        var e = Assert.Throws<TorchException>(() => Sgd.Step([p0, p1], [g0, g1], [b0, b1], Momentum, firstStep: true));
        Assert.Contains("grads[1] has shape [3, 2] but parameters[1] has shape [2, 3]", e.Message);
        Assert.Equal([1f, 2f], p0.ToFloatArray());
    }

    [Fact]
    public void AnAdamMomentShapedUnlikeItsParameterIsNamed()
    {
        using var p = Tensor.Zeros([4]);
        using var g = Tensor.Zeros([4]);
        using var m = Tensor.Zeros([4]);
        using var v = Tensor.Zeros([5]);
        var e = Assert.Throws<TorchException>(() => Adam.Step([p], [g], [m], [v], 1, new AdamOptions()));
        Assert.Contains("expAvgSq[0] has shape [5]", e.Message);
    }

    [Fact]
    public void ADisposedTensorInAListIsNamed()
    {
        var g = Tensor.Zeros([2]);
        g.Dispose();
        var e = Assert.Throws<ObjectDisposedException>(() => GradClip.ClipByNorm([g], 1));
        Assert.Contains("grads[0]", e.Message);
    }

    [Fact]
    public void NesterovWithoutMomentumIsRejectedAsTorchRejectsIt()
    {
        using var p = Tensor.Zeros([2]);
        Assert.Throws<ArgumentException>(() => Sgd.Step([p], [p], [p], new SgdOptions(Lr: 0.1, Nesterov: true), firstStep: true));
    }

    [Fact]
    public void AdamStepZeroIsRejectedBecauseStepsAreOneBased()
    {
        using var p = Tensor.Zeros([2]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Adam.Step([p], [p], [p], [p], 0, new AdamOptions()));
        Assert.Contains("1-based", e.Message);
    }
}
