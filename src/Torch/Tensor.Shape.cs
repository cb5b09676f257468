// Shape and layout ops: views, reshapes, permutations, slicing, joining and splitting, channels-last.
namespace Nas.Torch;

public sealed unsafe partial class Tensor
{
    /// <summary>A view with a new shape (one entry may be -1); fails when the strides do not allow a view.</summary>
    public Tensor View(params ReadOnlySpan<long> shape)
    {
        fixed (long* s = shape) return From(Native.nt_view(Handle, s, shape.Length, out var r), r);
    }

    /// <summary>A view when possible, else a copy.</summary>
    public Tensor Reshape(params ReadOnlySpan<long> shape)
    {
        fixed (long* s = shape) return From(Native.nt_reshape(Handle, s, shape.Length, out var r), r);
    }

    /// <summary>A broadcast view with size-1 dimensions repeated (-1 keeps a size).</summary>
    public Tensor Expand(params ReadOnlySpan<long> shape)
    {
        fixed (long* s = shape) return From(Native.nt_expand(Handle, s, shape.Length, out var r), r);
    }

    public Tensor Permute(params ReadOnlySpan<long> order)
    {
        fixed (long* s = order) return From(Native.nt_permute(Handle, s, order.Length, out var r), r);
    }

    public Tensor Transpose(long dim0, long dim1) => From(Native.nt_transpose(Handle, dim0, dim1, out var r), r);

    public Tensor Flatten(long startDim = 0, long endDim = -1) => From(Native.nt_flatten(Handle, startDim, endDim, out var r), r);

    public Tensor Unsqueeze(long dim) => From(Native.nt_unsqueeze(Handle, dim, out var r), r);

    /// <summary>Removes <paramref name="dim"/> if its size is 1.</summary>
    public Tensor Squeeze(long dim) => From(Native.nt_squeeze(Handle, dim, 1, out var r), r);

    /// <summary>Removes every size-1 dimension.</summary>
    public Tensor Squeeze() => From(Native.nt_squeeze(Handle, 0, 0, out var r), r);

    /// <summary>Row-major contiguous (a new handle to this tensor when it already is).</summary>
    public Tensor Contiguous() => From(Native.nt_contiguous(Handle, 0, out var r), r);

    public bool IsContiguous { get { Native.Check(Native.nt_is_contiguous(Handle, 0, out var y)); return y != 0; } }

    /// <summary>The same NCHW tensor stored with NHWC strides; convolutions keep this layout, and depthwise/dilated ones run faster in it.</summary>
    public Tensor ToChannelsLast() => From(Native.nt_contiguous(Handle, 1, out var r), r);

    public bool IsChannelsLast { get { Native.Check(Native.nt_is_contiguous(Handle, 1, out var y)); return y != 0; } }

    /// <summary>A view of <paramref name="length"/> entries of <paramref name="dim"/> from <paramref name="start"/>.</summary>
    public Tensor Narrow(long dim, long start, long length) => From(Native.nt_narrow(Handle, dim, start, length, out var r), r);

    /// <summary>A view of one index of <paramref name="dim"/>, with that dimension removed.</summary>
    public Tensor Select(long dim, long index) => From(Native.nt_select(Handle, dim, index, out var r), r);

    /// <summary>A view of start..end (exclusive) with a step, as Python's t[..., start:end:step].</summary>
    public Tensor Slice(long dim, long start, long end, long step = 1) => From(Native.nt_slice(Handle, dim, start, end, step, out var r), r);

    /// <summary>A copy of the entries of <paramref name="dim"/> listed in the int64 <paramref name="index"/>.</summary>
    public Tensor IndexSelect(long dim, Tensor index) => From(Native.nt_index_select(Handle, dim, index.Handle, out var r), r);

    public static Tensor Cat(ReadOnlySpan<Tensor> tensors, long dim = 0) => Join(tensors, dim, stack: false);

    public static Tensor Stack(ReadOnlySpan<Tensor> tensors, long dim = 0) => Join(tensors, dim, stack: true);

    private static Tensor Join(ReadOnlySpan<Tensor> tensors, long dim, bool stack)
    {
        var raw = tensors.Length <= 64 ? stackalloc IntPtr[tensors.Length] : new IntPtr[tensors.Length];
        for (var i = 0; i < tensors.Length; i++) raw[i] = tensors[i].Raw;
        int status;
        IntPtr r;
        fixed (IntPtr* p = raw)
            status = stack ? Native.nt_stack(p, raw.Length, dim, out r) : Native.nt_cat(p, raw.Length, dim, out r);
        foreach (var t in tensors) GC.KeepAlive(t);
        return From(status, r);
    }

    /// <summary>Splits into at most <paramref name="chunks"/> views along <paramref name="dim"/> (the last may be smaller; fewer when the size is small).</summary>
    public Tensor[] Chunk(int chunks, long dim = 0)
    {
        if (chunks < 1) throw new ArgumentOutOfRangeException(nameof(chunks), chunks, "chunk count must be at least 1");
        var raw = chunks <= 64 ? stackalloc IntPtr[chunks] : new IntPtr[chunks];
        int count;
        fixed (IntPtr* p = raw) Native.Check(Native.nt_chunk(Handle, chunks, dim, p, chunks, out count));
        var result = new Tensor[count];
        for (var i = 0; i < count; i++) result[i] = new Tensor(raw[i]);
        return result;
    }

    /// <summary>
    /// Views of the given <paramref name="sizes"/> along <paramref name="dim"/> (torch.split with a size list; they must add up to
    /// the dimension). Its backward is one cat, where separate <see cref="Narrow"/> views each fill zeros and copy.
    /// </summary>
    public Tensor[] Split(ReadOnlySpan<long> sizes, long dim = 0)
    {
        if (sizes.Length == 0) throw new ArgumentException("split needs at least one size", nameof(sizes));
        var raw = new IntPtr[sizes.Length];
        fixed (long* s = sizes)
        fixed (IntPtr* p = raw)
            Native.Check(Native.nt_split_with_sizes(Handle, s, sizes.Length, dim, p));
        return raw.Select(h => new Tensor(h)).ToArray();
    }

    /// <summary>
    /// PC-DARTS's edge join: <c>cat([mixed, bypass], 1)</c> followed by the channel shuffle with <paramref name="groups"/>
    /// groups (output channel i·K + g is concatenated channel g·C/K + i), as one native pass each way, channels-last out.
    /// mixed has C/K channels, bypass C − C/K; float32 on the CPU. Inputs may be channel slices of channels-last tensors.
    /// </summary>
    public static Tensor ShuffleJoin(Tensor mixed, Tensor bypass, int groups) =>
        From(Native.nt_shuffle_join(mixed.Handle, bypass.Handle, groups, out var r), r);
}
