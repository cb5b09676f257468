// Raw handles of a list of tensors, kept alive (SafeHandle ref-counted) for the duration of one multi-tensor native call.
namespace Nas.Torch;

internal readonly struct BorrowedHandles : IDisposable
{
    private readonly TensorHandle?[] _held;

    /// <summary>One raw handle per tensor, IntPtr.Zero where the list had null.</summary>
    public readonly IntPtr[] Pointers;

    /// <summary>Adds a reference to every handle; a disposed tensor, or a null where none is allowed, throws naming <paramref name="list"/>[i].</summary>
    public BorrowedHandles(ReadOnlySpan<Tensor?> tensors, string list, bool allowNull)
    {
        _held = new TensorHandle?[tensors.Length];
        Pointers = new IntPtr[tensors.Length];
        try
        {
            for (var i = 0; i < tensors.Length; i++)
            {
                var t = tensors[i];
                if (t is null)
                {
                    if (!allowNull) throw new ArgumentNullException(list, $"{list}[{i}] is null");
                    continue;
                }
                if (t.Handle.IsClosed) throw new ObjectDisposedException($"{list}[{i}]", $"{list}[{i}] has been disposed");
                var added = false;
                t.Handle.DangerousAddRef(ref added);
                _held[i] = t.Handle;
                Pointers[i] = t.Handle.DangerousGetHandle();
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        for (var i = 0; i < _held.Length; i++)
        {
            _held[i]?.DangerousRelease();
            _held[i] = null;
        }
    }
}
