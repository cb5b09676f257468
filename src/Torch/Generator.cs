// A seeded CPU random generator (at::Generator): the explicit source for every random op, with a state snapshots can save.
using System.Runtime.InteropServices;

namespace Nas.Torch;

public sealed unsafe class Generator : IDisposable
{
    internal readonly GeneratorHandle Handle;

    public Generator(ulong seed)
    {
        Native.Check(Native.nt_generator_new(seed, out var raw));
        Handle = new GeneratorHandle(raw);
    }

    /// <summary>The seed it was made or last reseeded with; setting it restarts the sequence from that seed.</summary>
    public ulong Seed
    {
        get { Native.Check(Native.nt_generator_seed(Handle, out var s)); return s; }
        set => Native.Check(Native.nt_generator_set_seed(Handle, value));
    }

    /// <summary>The full state (opaque bytes, libtorch's CPUGeneratorImplState); SetState with it resumes the same sequence.</summary>
    public byte[] GetState()
    {
        Native.Check(Native.nt_generator_state_size(Handle, out var size));
        var state = new byte[size];
        fixed (byte* p = state) Native.Check(Native.nt_generator_get_state(Handle, p, size));
        return state;
    }

    public void SetState(ReadOnlySpan<byte> state)
    {
        fixed (byte* p = state) Native.Check(Native.nt_generator_set_state(Handle, p, state.Length));
    }

    public bool IsDisposed => Handle.IsClosed;

    public void Dispose() => Handle.Dispose();
}

internal sealed class GeneratorHandle : SafeHandle
{
    public GeneratorHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        Native.nt_generator_free(handle);
        return true;
    }
}
