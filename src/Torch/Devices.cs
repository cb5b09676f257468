// Where a tensor lives and moving it between devices (CPU, CUDA when libtorch has it).
namespace Nas.Torch;

public static class Devices
{
    /// <summary>The device <paramref name="t"/> lives on.</summary>
    public static Device Of(Tensor t)
    {
        Native.Check(Native.nt_device_of(t.Handle, out var code));
        return code < 0 ? Device.Cpu : Device.Cuda(code);
    }

    /// <summary>
    /// <paramref name="t"/> on <paramref name="device"/>, as a new tensor the caller owns. When it is already
    /// there the result is a new handle sharing its storage (as torch's <c>.to</c>), so in-place writes show in
    /// both. Moving to CUDA without a usable CUDA device throws a TorchException saying so.
    /// </summary>
    public static Tensor Move(Tensor t, Device device) =>
        Tensor.From(Native.nt_device_move(t.Handle, device.CudaIndex, out var r), r);
}
