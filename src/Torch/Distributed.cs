// Data parallelism over libtorch's c10d: a key-value store for rendezvous and a Gloo process group for collectives on CPU tensors.
using System.Text;

namespace Nas.Torch;

/// <summary>
/// A c10d store shared by the ranks of one run: TCP (rank 0 listens at host:port, the others connect) or one file (tests).
/// Every get waits up to the timeout for its key; a timeout or a lost server is a <see cref="TorchException"/> with c10d's message.
/// </summary>
public sealed unsafe class DistributedStore : IDisposable
{
    internal readonly StoreHandle Handle;

    private DistributedStore(IntPtr raw) => Handle = new StoreHandle(raw);

    public static DistributedStore Tcp(string host, int port, bool isServer, int worldSize, TimeSpan timeout)
    {
        if (port is <= 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(port), port, "store port must be 1..65535");
        Native.Check(Native.nt_store_tcp(host, port, isServer ? 1 : 0, worldSize, (long)timeout.TotalMilliseconds, out var raw));
        return new DistributedStore(raw);
    }

    public static DistributedStore File(string path, int worldSize, TimeSpan timeout)
    {
        Native.Check(Native.nt_store_file(path, worldSize, (long)timeout.TotalMilliseconds, out var raw));
        return new DistributedStore(raw);
    }

    public void Set(string key, ReadOnlySpan<byte> value)
    {
        fixed (byte* p = value) Native.Check(Native.nt_store_set(Handle, key, p, value.Length));
    }

    public void Set(string key, string value) => Set(key, Encoding.UTF8.GetBytes(value));

    /// <summary>The value of <paramref name="key"/>, waiting for another rank to set it (up to the store's timeout).</summary>
    public byte[] Get(string key)
    {
        Native.Check(Native.nt_store_get(Handle, key, null, 0, out var size));
        var value = new byte[size];
        fixed (byte* p = value) Native.Check(Native.nt_store_get(Handle, key, p, size, out _));
        return value;
    }

    public string GetString(string key) => Encoding.UTF8.GetString(Get(key));

    /// <summary>Adds atomically and returns the new value (a missing key counts as 0).</summary>
    public long Add(string key, long delta)
    {
        Native.Check(Native.nt_store_add(Handle, key, delta, out var value));
        return value;
    }

    public void Dispose() => Handle.Dispose();
}

/// <summary>How an all-reduce combines the ranks' tensors.</summary>
public enum ReduceMode { Sum, Average }

/// <summary>
/// A Gloo process group (c10d's ProcessGroupGloo): this process is <see cref="Rank"/> of <see cref="WorldSize"/>. Every
/// collective blocks until all ranks took part; a peer that died or stalls past <see cref="Timeout"/> makes it throw a
/// <see cref="TorchException"/> carrying Gloo's message. Collectives must be called in the same order on every rank.
/// </summary>
public sealed unsafe class ProcessGroup : IDisposable
{
    /// <summary>Default bucket: 25 MiB as PyTorch DDP's bucket_cap_mb, so a search step's gradients take one or a few calls.</summary>
    public const long DefaultBucketBytes = 25L << 20;

    internal readonly GroupHandle Handle;

    /// <param name="host">The address this rank's Gloo transport binds and announces; empty: the address of the hostname.</param>
    public ProcessGroup(DistributedStore store, int rank, int worldSize, TimeSpan timeout, string host = "")
    {
        if (worldSize < 1) throw new ArgumentOutOfRangeException(nameof(worldSize), worldSize, "world size must be >= 1");
        if (rank < 0 || rank >= worldSize) throw new ArgumentOutOfRangeException(nameof(rank), rank, $"rank must be in 0..{worldSize - 1}");
        Native.Check(Native.nt_group_gloo(store.Handle, rank, worldSize, (long)timeout.TotalMilliseconds, host, out var raw));
        Handle = new GroupHandle(raw);
        Rank = rank;
        WorldSize = worldSize;
        Timeout = timeout;
    }

    public int Rank { get; }
    public int WorldSize { get; }
    public TimeSpan Timeout { get; }

    /// <summary>Native collectives issued so far (one per bucket of an all-reduce, one per broadcast or barrier).</summary>
    public long Calls { get; private set; }

    /// <summary>Bytes of tensor data this rank has put into all-reduces so far.</summary>
    public long AllReducedBytes { get; private set; }

    /// <summary>
    /// Reduces float32 or float64 tensors in place across the ranks, packed into buckets of one dtype and at most
    /// <paramref name="bucketBytes"/> (one collective each). Null entries are skipped; every rank must pass the same shapes and the same nulls in the same order.
    /// Returns the number of collectives it took.
    /// </summary>
    public int AllReduce(ReadOnlySpan<Tensor?> tensors, ReduceMode mode = ReduceMode.Average, long bucketBytes = DefaultBucketBytes)
    {
        if (bucketBytes <= 0) throw new ArgumentOutOfRangeException(nameof(bucketBytes), bucketBytes, "bucket size must be positive");
        using var h = new BorrowedHandles(tensors, "tensors", allowNull: true);
        int calls;
        fixed (IntPtr* p = h.Pointers)
            Native.Check(Native.nt_group_allreduce(Handle, p, tensors.Length, mode == ReduceMode.Average ? 1 : 0, bucketBytes, out calls));
        long bytes = 0;
        foreach (var t in tensors) if (t is not null) bytes += t.Numel * t.DType.ElementSize();
        AllReducedBytes += bytes;
        Calls += calls;
        return calls;
    }

    /// <summary>Overwrites <paramref name="tensor"/> on every rank with rank <paramref name="root"/>'s.</summary>
    public void Broadcast(Tensor tensor, int root = 0)
    {
        Native.Check(Native.nt_group_broadcast(Handle, tensor.Handle, root));
        Calls++;
    }

    /// <summary>Returns once every rank has reached the barrier (or throws after the timeout).</summary>
    public void Barrier()
    {
        Native.Check(Native.nt_group_barrier(Handle));
        Calls++;
    }

    public void Dispose() => Handle.Dispose();
}
