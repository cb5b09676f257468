// Devices.Of and Devices.Move: CPU round trips here, and a clear error where CUDA is missing.
using Nas.Torch;

namespace Nas.Torch.Tests;

public sealed class OptimDeviceTests
{
    [Fact]
    public void ATensorMadeOnTheCpuReportsTheCpu()
    {
        using var t = Tensor.Zeros([2, 2]);
        Assert.Equal(Device.Cpu, Devices.Of(t));
    }

    [Fact]
    public void MovingToTheCpuKeepsValuesInANewHandle()
    {
        using var t = Tensor.FromSpan([1f, 2f, 3f], [3]);
        using var moved = Devices.Move(t, Device.Cpu);
        Assert.Equal(Device.Cpu, Devices.Of(moved));
        Assert.Equal([1f, 2f, 3f], moved.ToFloatArray());
        t.Dispose();
        Assert.Equal([1f, 2f, 3f], moved.ToFloatArray());
    }

    [Fact]
    public void MovingToCudaWorksOrSaysCudaIsUnavailable()
    {
        using var t = Tensor.FromSpan([1f, 2f], [2]);
        if (Torch.CudaAvailable)
        {
            using var moved = Devices.Move(t, Device.Cuda(0));
            Assert.Equal(Device.Cuda(0), Devices.Of(moved));
            Assert.Equal([1f, 2f], moved.ToFloatArray());
        }
        else
        {
            var e = Assert.Throws<TorchException>(() => Devices.Move(t, Device.Cuda(0)));
            Assert.Contains("CUDA is not available", e.Message);
        }
    }
}
