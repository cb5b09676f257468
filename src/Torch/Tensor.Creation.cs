// Tensor creation, copies between managed memory and tensors, scalar reads and dtype casts.
namespace Nas.Torch;

public sealed unsafe partial class Tensor
{
    public static Tensor Zeros(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device? device = null)
    {
        fixed (long* s = shape)
            return From(Native.nt_zeros(s, shape.Length, (int)dtype, (device ?? Device.Cpu).CudaIndex, out var r), r);
    }

    public static Tensor Ones(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device? device = null) => Full(shape, 1.0, dtype, device);

    public static Tensor Full(ReadOnlySpan<long> shape, double value, DType dtype = DType.Float32, Device? device = null)
    {
        fixed (long* s = shape)
            return From(Native.nt_full(s, shape.Length, value, (int)dtype, (device ?? Device.Cpu).CudaIndex, out var r), r);
    }

    /// <summary>A 0-d tensor holding <paramref name="value"/>.</summary>
    public static Tensor Scalar(double value, DType dtype = DType.Float32) => Full([], value, dtype);

    /// <summary>start, start + step, ... up to but excluding end (torch.arange).</summary>
    public static Tensor Arange(double start, double end, double step = 1, DType dtype = DType.Int64, Device? device = null) =>
        From(Native.nt_arange(start, end, step, (int)dtype, (device ?? Device.Cpu).CudaIndex, out var r), r);

    public static Tensor Arange(long end, DType dtype = DType.Int64) => Arange(0, end, 1, dtype);

    public Tensor ZerosLike() => From(Native.nt_like(Handle, 0, out var r), r);
    public Tensor OnesLike() => From(Native.nt_like(Handle, 1, out var r), r);
    /// <summary>Same shape, dtype and device; contents uninitialised.</summary>
    public Tensor EmptyLike() => From(Native.nt_like(Handle, 2, out var r), r);

    // ---- random: every draw comes from an explicit seeded generator ----

    /// <summary>Standard normal samples drawn from <paramref name="generator"/> (torch.randn).</summary>
    public static Tensor Randn(ReadOnlySpan<long> shape, Generator generator, DType dtype = DType.Float32)
    {
        fixed (long* s = shape)
            return From(Native.nt_random(s, shape.Length, 0, (int)dtype, generator.Handle, out var r), r);
    }

    /// <summary>Uniform samples in [0, 1) drawn from <paramref name="generator"/> (torch.rand).</summary>
    public static Tensor Rand(ReadOnlySpan<long> shape, Generator generator, DType dtype = DType.Float32)
    {
        fixed (long* s = shape)
            return From(Native.nt_random(s, shape.Length, 1, (int)dtype, generator.Handle, out var r), r);
    }

    /// <summary>Int64 samples uniform in [low, high).</summary>
    public static Tensor Randint(long low, long high, ReadOnlySpan<long> shape, Generator generator)
    {
        fixed (long* s = shape)
            return From(Native.nt_randint(low, high, s, shape.Length, generator.Handle, out var r), r);
    }

    /// <summary>A random permutation of 0..n-1 (int64).</summary>
    public static Tensor Randperm(long n, Generator generator) => From(Native.nt_randperm(n, generator.Handle, out var r), r);

    /// <summary>Each element is 1 with probability <paramref name="p"/>, else 0.</summary>
    public static Tensor Bernoulli(ReadOnlySpan<long> shape, double p, Generator generator, DType dtype = DType.Float32)
    {
        fixed (long* s = shape)
            return From(Native.nt_bernoulli_p(s, shape.Length, p, (int)dtype, generator.Handle, out var r), r);
    }

    /// <summary>Each element is 1 with the probability held in the same element of this tensor.</summary>
    public Tensor Bernoulli(Generator generator) => From(Native.nt_bernoulli(Handle, generator.Handle, out var r), r);

    // ---- managed memory ----

    public static Tensor FromSpan(ReadOnlySpan<float> data, ReadOnlySpan<long> shape) => FromBytes(data, shape, DType.Float32);
    public static Tensor FromSpan(ReadOnlySpan<double> data, ReadOnlySpan<long> shape) => FromBytes(data, shape, DType.Float64);
    public static Tensor FromSpan(ReadOnlySpan<long> data, ReadOnlySpan<long> shape) => FromBytes(data, shape, DType.Int64);
    public static Tensor FromSpan(ReadOnlySpan<int> data, ReadOnlySpan<long> shape) => FromBytes(data, shape, DType.Int32);

    private static Tensor FromBytes<T>(ReadOnlySpan<T> data, ReadOnlySpan<long> shape, DType dtype) where T : unmanaged
    {
        long n = 1;
        foreach (var d in shape) n *= d;
        if (n != data.Length) throw new ArgumentException($"shape [{string.Join(", ", shape.ToArray())}] holds {n} elements but {data.Length} were given", nameof(data));
        fixed (T* p = data)
        fixed (long* s = shape)
            return From(Native.nt_from_blob(p, s, shape.Length, (int)dtype, out var r), r);
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

    // ---- scalars and casts ----

    /// <summary>The value of a one-element tensor, as a double (torch's item()).</summary>
    public double Item() { Native.Check(Native.nt_item_double(Handle, out var v)); return v; }

    /// <summary>The value of a one-element tensor as <typeparamref name="T"/>: float, double, long, int or bool.</summary>
    public T ToScalar<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(long) || typeof(T) == typeof(int) || typeof(T) == typeof(bool))
        {
            Native.Check(Native.nt_item_long(Handle, out var l));
            if (typeof(T) == typeof(long)) return (T)(object)l;
            if (typeof(T) == typeof(int)) return (T)(object)checked((int)l);
            return (T)(object)(l != 0);
        }
        var d = Item();
        if (typeof(T) == typeof(double)) return (T)(object)d;
        if (typeof(T) == typeof(float)) return (T)(object)(float)d;
        throw new NotSupportedException($"ToScalar<{typeof(T).Name}> is not supported (use float, double, long, int or bool)");
    }

    /// <summary>A copy converted to <paramref name="dtype"/> (a new handle to this tensor when it already has that dtype).</summary>
    public Tensor To(DType dtype) => From(Native.nt_to_dtype(Handle, (int)dtype, out var r), r);
}
