// The raw C ABI of the shim's c10d binding (native/src/distributed.cpp): stores and the Gloo process group.
using System.Runtime.InteropServices;

namespace Nas.Torch;

internal static unsafe partial class Native
{
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int nt_store_tcp(string host, int port, int isServer, int worldSize, long timeoutMs, out IntPtr store);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int nt_store_file(string path, int worldSize, long timeoutMs, out IntPtr store);
    [LibraryImport(Lib)] internal static partial void nt_store_free(IntPtr store);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int nt_store_set(StoreHandle store, string key, byte* value, long size);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int nt_store_get(StoreHandle store, string key, byte* buffer, long capacity, out long size);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int nt_store_add(StoreHandle store, string key, long delta, out long value);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int nt_group_gloo(StoreHandle store, int rank, int worldSize, long timeoutMs, string host, out IntPtr group);
    [LibraryImport(Lib)] internal static partial void nt_group_free(IntPtr group);
    [LibraryImport(Lib)] internal static partial int nt_group_allreduce(GroupHandle group, IntPtr* tensors, int n, int average, long bucketBytes, out int calls);
    [LibraryImport(Lib)] internal static partial int nt_group_broadcast(GroupHandle group, TensorHandle t, int root);
    [LibraryImport(Lib)] internal static partial int nt_group_barrier(GroupHandle group);
}

internal sealed class StoreHandle : SafeHandle
{
    public StoreHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);
    public override bool IsInvalid => handle == IntPtr.Zero;
    protected override bool ReleaseHandle()
    {
        Native.nt_store_free(handle);
        return true;
    }
}

internal sealed class GroupHandle : SafeHandle
{
    public GroupHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);
    public override bool IsInvalid => handle == IntPtr.Zero;
    protected override bool ReleaseHandle()
    {
        Native.nt_group_free(handle);
        return true;
    }
}
