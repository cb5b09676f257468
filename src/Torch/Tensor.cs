// A tensor owning one native handle. Every op returns a new tensor its caller owns; no op frees its inputs.
namespace Nas.Torch;

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

    // ---- creation ----

    public static Tensor Zeros(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device? device = null)
    {
        fixed (long* s = shape)
        {
            var status = Native.nt_zeros(s, shape.Length, (int)dtype, (device ?? Device.Cpu).CudaIndex, out var r);
            return From(status, r);
        }
    }

    public static Tensor FromSpan(ReadOnlySpan<float> data, ReadOnlySpan<long> shape) => FromBytes(data, shape, DType.Float32);
    public static Tensor FromSpan(ReadOnlySpan<double> data, ReadOnlySpan<long> shape) => FromBytes(data, shape, DType.Float64);
    public static Tensor FromSpan(ReadOnlySpan<long> data, ReadOnlySpan<long> shape) => FromBytes(data, shape, DType.Int64);

    private static Tensor FromBytes<T>(ReadOnlySpan<T> data, ReadOnlySpan<long> shape, DType dtype) where T : unmanaged
    {
        long n = 1;
        foreach (var d in shape) n *= d;
        if (n != data.Length) throw new ArgumentException($"shape [{string.Join(", ", shape.ToArray())}] holds {n} elements but {data.Length} were given", nameof(data));
        fixed (T* p = data)
        fixed (long* s = shape)
        {
            var status = Native.nt_from_blob(p, s, shape.Length, (int)dtype, out var r);
            return From(status, r);
        }
    }

    /// <summary>Copies the elements (as this tensor's dtype, on the CPU, in row-major order) into <paramref name="destination"/>.</summary>
    public void CopyTo<T>(Span<T> destination) where T : unmanaged
    {
        fixed (T* p = destination)
            Native.Check(Native.nt_copy_to(Handle, p, (long)destination.Length * sizeof(T)));
    }

    public float[] ToFloatArray() { var a = new float[Numel]; CopyTo<float>(a); return a; }
    public double[] ToDoubleArray() { var a = new double[Numel]; CopyTo<double>(a); return a; }
    public long[] ToLongArray() { var a = new long[Numel]; CopyTo<long>(a); return a; }

    // ---- ops ----

    public Tensor Add(Tensor other) => From(Native.nt_add(Handle, other.Handle, out var r), r);
    public Tensor MatMul(Tensor other) => From(Native.nt_matmul(Handle, other.Handle, out var r), r);
}
