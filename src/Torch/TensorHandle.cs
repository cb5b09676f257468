// The SafeHandle behind a Tensor: releases the native at::Tensor; its finalizer is only a backstop for a missed Dispose.
using System.Runtime.InteropServices;

namespace Nas.Torch;

internal sealed class TensorHandle : SafeHandle
{
    public TensorHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        Native.nt_free(handle);
        return true;
    }
}
