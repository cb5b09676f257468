// Raw byte access to CPU tensors, for streaming snapshots: no managed copy of the elements on write or read.
using System.Runtime.InteropServices;

namespace Nas.Torch;

internal static unsafe partial class Native
{
    [LibraryImport(Lib)] internal static partial int nt_data_ptr(TensorHandle t, out void* data, out long byteSize);
    [LibraryImport(Lib)] internal static partial int nt_empty(long* shape, int ndim, int dtype, out IntPtr result);
}

public sealed unsafe partial class Tensor
{
    /// <summary>An uninitialised contiguous CPU tensor; fill it through <see cref="UnsafeData"/> before use.</summary>
    public static Tensor Empty(ReadOnlySpan<long> shape, DType dtype = DType.Float32)
    {
        fixed (long* s = shape) return From(Native.nt_empty(s, shape.Length, (int)dtype, out var r), r);
    }

    /// <summary>
    /// The address and length in bytes of the elements of a contiguous CPU tensor (native byte order, row-major).
    /// Unchecked: the memory is valid only while this tensor lives and no in-place op replaces its storage.
    /// </summary>
    public (IntPtr Data, long Bytes) UnsafeData()
    {
        Native.Check(Native.nt_data_ptr(Handle, out var data, out var bytes));
        return ((IntPtr)data, bytes);
    }
}
