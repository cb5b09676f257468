// A tensor owning one native handle. Every op returns a new tensor its caller owns; no op frees its inputs.
namespace Nas.Torch;

/// <remarks>
/// Ops live in partial files by concern: Tensor.Creation.cs, Tensor.Shape.cs, Tensor.Math.cs,
/// Tensor.Reduce.cs, Tensor.NN.cs, Tensor.Autograd.cs. A result that is a view (View, Narrow, Grad...)
/// is still a new handle the caller must dispose; it shares storage with its source, so an in-place op
/// on one is seen through the other. Tensors are used from one thread at a time (libtorch's grad mode
/// is thread-local, see <see cref="NoGrad"/>).
/// </remarks>
public sealed unsafe partial class Tensor : IDisposable
{
    internal readonly TensorHandle Handle;

    internal Tensor(IntPtr raw)
    {
        if (raw == IntPtr.Zero) throw new TorchException("native call returned a null tensor");
        Handle = new TensorHandle(raw);
    }

    /// <summary>Wraps the result of a native call that produces one tensor.</summary>
    internal static Tensor From(int status, IntPtr raw)
    {
        Native.Check(status);
        return new Tensor(raw);
    }

    /// <summary>Wraps the result of a native call that produces two tensors (values and indices).</summary>
    internal static (Tensor, Tensor) From(int status, IntPtr first, IntPtr second)
    {
        Native.Check(status);
        return (new Tensor(first), new Tensor(second));
    }

    /// <summary>
    /// The native pointer, for calls that take arrays or optional tensors (which SafeHandle marshalling cannot express).
    /// The caller keeps the Tensor reachable (GC.KeepAlive) until the native call returns.
    /// </summary>
    internal IntPtr Raw
    {
        get
        {
            ObjectDisposedException.ThrowIf(Handle.IsClosed, this);
            return Handle.DangerousGetHandle();
        }
    }

    internal static IntPtr RawOrZero(Tensor? t) => t is null ? IntPtr.Zero : t.Raw;

    /// <summary>The raw handles of <paramref name="ts"/> (zero for null), for native calls taking arrays of tensors.</summary>
    internal static IntPtr[] RawsOrZero(ReadOnlySpan<Tensor?> ts)
    {
        var raw = new IntPtr[ts.Length];
        for (var i = 0; i < ts.Length; i++) raw[i] = RawOrZero(ts[i]);
        return raw;
    }

    /// <summary>Native tensors alive right now (counted by the shim), for leak tests and metrics.</summary>
    public static long LiveCount => Native.nt_live_tensors();

    public bool IsDisposed => Handle.IsClosed;

    public void Dispose() => Handle.Dispose();

    public DType DType { get { Native.Check(Native.nt_dtype(Handle, out var c)); return (DType)c; } }

    public int Dim { get { Native.Check(Native.nt_dim(Handle, out var n)); return n; } }

    public long Numel { get { Native.Check(Native.nt_numel(Handle, out var n)); return n; } }

    public long[] Shape
    {
        get
        {
            var dim = Dim;
            var shape = new long[dim];
            fixed (long* p = shape) Native.Check(Native.nt_shape(Handle, p, dim));
            return shape;
        }
    }

    public long Size(int dim) { var s = Shape; return s[dim < 0 ? s.Length + dim : dim]; }

    public override string ToString() => $"Tensor({DType}, [{string.Join(", ", Shape)}])";
}
