// A libtorch error becomes a TorchException carrying libtorch's message, and the process carries on.
using Nas.Torch;

namespace Nas.Torch.Tests;

public sealed class ErrorTests
{
    [Fact]
    public void AConvChannelMismatchRaisesATorchExceptionAndTheNextOpStillWorks()
    {
        using var x = Tensor.Zeros([1, 3, 8, 8]);
        using var w = Tensor.Zeros([4, 5, 3, 3]);
        var e = Assert.Throws<TorchException>(() => x.Conv2d(w));
        Assert.Contains("expected input[1, 3, 8, 8] to have 5 channels", e.Message);

        using var ones = Tensor.Ones([2, 2]);
        using var sum = ones.Sum();
        Assert.Equal(4.0, sum.Item());
    }

    [Fact]
    public void ABroadcastMismatchNamesTheSizes()
    {
        using var a = Tensor.Zeros([2, 3]);
        using var b = Tensor.Zeros([4]);
        var e = Assert.Throws<TorchException>(() => a + b);
        Assert.Contains("must match the size of tensor b (4)", e.Message);
    }

    [Fact]
    public void AFailedOpLeavesNoLiveTensorBehind()
    {
        using var x = Tensor.Zeros([2, 3]);
        var before = Tensor.LiveCount;
        Assert.Throws<TorchException>(() => x.View(4, 4));
        Assert.Equal(before, Tensor.LiveCount);
    }

    [Fact]
    public void UsingADisposedTensorThrowsObjectDisposedException()
    {
        var x = Tensor.Zeros([2]);
        x.Dispose();
        Assert.Throws<ObjectDisposedException>(() => x.Relu());
        Assert.Throws<ObjectDisposedException>(() => Tensor.Cat([x]));
    }

    [Fact]
    public void AnInPlaceOpOnALeafThatRequiresGradIsRefusedOutsideNoGrad()
    {
        using var w = Tensor.Ones([3]).SetRequiresGrad();
        var e = Assert.Throws<TorchException>(() => w.MulInPlace(2.0));
        Assert.Contains("leaf Variable that requires grad", e.Message);
        using (NoGrad.Enter()) w.MulInPlace(2.0);
        Assert.Equal([2f, 2f, 2f], w.ToFloatArray());
    }
}
