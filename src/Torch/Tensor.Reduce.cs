// Reductions: sum, mean, max/min, argmax, top-k, norms.
namespace Nas.Torch;

public sealed unsafe partial class Tensor
{
    private Tensor Reduce(Native.Reduction op, ReadOnlySpan<long> dims, bool keepDim)
    {
        fixed (long* d = dims) return From(Native.nt_reduce(Handle, (int)op, d, dims.Length, keepDim ? 1 : 0, out var r), r);
    }

    /// <summary>The sum of every element (a 0-d tensor).</summary>
    public Tensor Sum() => Reduce(Native.Reduction.Sum, [], false);
    public Tensor Sum(ReadOnlySpan<long> dims, bool keepDim = false) => Reduce(Native.Reduction.Sum, RequireDims(dims), keepDim);
    public Tensor Sum(long dim, bool keepDim = false) => Reduce(Native.Reduction.Sum, [dim], keepDim);

    public Tensor Mean() => Reduce(Native.Reduction.Mean, [], false);
    public Tensor Mean(ReadOnlySpan<long> dims, bool keepDim = false) => Reduce(Native.Reduction.Mean, RequireDims(dims), keepDim);
    public Tensor Mean(long dim, bool keepDim = false) => Reduce(Native.Reduction.Mean, [dim], keepDim);

    /// <summary>The largest element (a 0-d tensor).</summary>
    public Tensor Max() => Reduce(Native.Reduction.Max, [], false);
    public Tensor Min() => Reduce(Native.Reduction.Min, [], false);

    /// <summary>The largest values along <paramref name="dim"/> and their int64 indices.</summary>
    public (Tensor Values, Tensor Indices) Max(long dim, bool keepDim = false) =>
        From(Native.nt_max_dim(Handle, dim, keepDim ? 1 : 0, 1, out var v, out var i), v, i);

    public (Tensor Values, Tensor Indices) Min(long dim, bool keepDim = false) =>
        From(Native.nt_max_dim(Handle, dim, keepDim ? 1 : 0, 0, out var v, out var i), v, i);

    /// <summary>The index of the largest element of the flattened tensor (0-d int64).</summary>
    public Tensor Argmax() => From(Native.nt_argmax(Handle, 0, 0, 0, out var r), r);
    public Tensor Argmax(long dim, bool keepDim = false) => From(Native.nt_argmax(Handle, dim, 1, keepDim ? 1 : 0, out var r), r);

    /// <summary>The k largest (or smallest) values along <paramref name="dim"/>, sorted, and their int64 indices.</summary>
    public (Tensor Values, Tensor Indices) TopK(long k, long dim = -1, bool largest = true, bool sorted = true) =>
        From(Native.nt_topk(Handle, k, dim, largest ? 1 : 0, sorted ? 1 : 0, out var v, out var i), v, i);

    /// <summary>The p-norm of all elements (a 0-d tensor).</summary>
    public Tensor Norm(double p = 2)
    {
        return From(Native.nt_norm(Handle, p, null, 0, 0, out var r), r);
    }

    public Tensor Norm(double p, ReadOnlySpan<long> dims, bool keepDim = false)
    {
        dims = RequireDims(dims);
        fixed (long* d = dims) return From(Native.nt_norm(Handle, p, d, dims.Length, keepDim ? 1 : 0, out var r), r);
    }

    // An empty dims list means "all" to the shim, which would silently change the result's shape.
    private static ReadOnlySpan<long> RequireDims(ReadOnlySpan<long> dims) =>
        dims.Length > 0 ? dims : throw new ArgumentException("give at least one dimension (use the overload without dims to reduce over all)", nameof(dims));
}
