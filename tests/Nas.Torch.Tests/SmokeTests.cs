// The smallest round trip through the shim: values in, an op, values out, handles freed.
using Nas.Torch;

namespace Nas.Torch.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void AddingTwoTensorsReturnsTheElementwiseSum()
    {
        using var a = Tensor.FromSpan([1f, 2f, 3f], [3]);
        using var b = Tensor.FromSpan([10f, 20f, 30f], [3]);
        using var c = a.Add(b);
        Assert.Equal([11f, 22f, 33f], c.ToFloatArray());
        Assert.Equal(new long[] { 3 }, c.Shape);
    }

    [Fact]
    public void AShapeMismatchRaisesATorchExceptionWithLibtorchsMessage()
    {
        using var a = Tensor.Zeros([2, 3]);
        using var b = Tensor.Zeros([4, 5]);
        var e = Assert.Throws<TorchException>(() => a.MatMul(b));
        Assert.Contains("shapes cannot be multiplied", e.Message);
    }

    [Fact]
    public void KeepFreedMemoryTunesTheAllocatorAndRefusesAThresholdOutOfRangeNamingIt()
    {
        Torch.KeepFreedMemory(); // 32 MiB
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Torch.KeepFreedMemory(0));
        Assert.Equal("mmapThresholdBytes", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Torch.KeepFreedMemory(1L << 40));
        using var a = Tensor.Zeros([1 << 20]); // allocations still work after the tuning
        Assert.Equal(0f, a.ToFloatArray()[^1]);
    }
}
