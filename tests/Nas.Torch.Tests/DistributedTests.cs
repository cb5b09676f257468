// The c10d binding with two ranks as two threads of this process (a file store, Gloo over 127.0.0.1: no server listens on
// any other address): all-reduce of a bucketed list, broadcast, barrier, the store, and failures as TorchExceptions.
using System.Net;
using System.Net.Sockets;
using Nas.Torch;

namespace Nas.Torch.Tests;

public sealed class DistributedTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>A port no one listens on right now (the OS picks it).</summary>
    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>Runs <paramref name="body"/> as ranks 0 and 1 on two threads, each with its own store client and group.</summary>
    /// <summary>A store file no run uses yet (c10d creates it; the last store to close removes it).</summary>
    public static string StoreFile() => Path.Combine(Path.GetTempPath(), $"nas-test-store-{Guid.NewGuid():N}");

    private static T[] TwoRanks<T>(Func<ProcessGroup, DistributedStore, T> body)
    {
        var file = StoreFile();
        var results = new T[2];
        OnTwoThreads(rank =>
        {
            using var store = DistributedStore.File(file, worldSize: 2, Timeout);
            using var group = new ProcessGroup(store, rank, 2, Timeout, "127.0.0.1");
            results[rank] = body(group, store);
        });
        return results;
    }

    /// <summary>Runs rank 0 and rank 1 on threads of their own and rethrows what either threw.</summary>
    private static void OnTwoThreads(Action<int> rank)
    {
        var errors = new Exception?[2];
        var threads = Enumerable.Range(0, 2).Select(r => new Thread(() =>
        {
            try { rank(r); }
            catch (Exception e) { errors[r] = e; }
        })).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        foreach (var e in errors) if (e is not null) throw new AggregateException(e);
    }

    [Fact]
    public void AllReduceSumsAndAveragesABucketOfTensorsInPlace()
    {
        var r = TwoRanks((g, _) =>
        {
            var k = g.Rank + 1f;
            using var a = Tensor.FromSpan([1 * k, 2 * k, 3 * k], [3]);
            using var b = Tensor.FromSpan([10 * k, 20 * k, 30 * k, 40 * k], [2, 2]);
            using var c = Tensor.FromSpan([5 * k], [1]);
            var sumCalls = g.AllReduce([a, null, b], ReduceMode.Sum);
            var avgCalls = g.AllReduce([c], ReduceMode.Average);
            return (A: a.ToFloatArray(), B: b.ToFloatArray(), C: c.ToFloatArray(), sumCalls, avgCalls, g.AllReducedBytes);
        });
        foreach (var x in r)
        {
            // Ranks hold k = 1 and k = 2: the sum is 3x, the average 1.5x; exact in float32.
            Assert.Equal([3f, 6f, 9f], x.A);
            Assert.Equal([30f, 60f, 90f, 120f], x.B);
            Assert.Equal([7.5f], x.C);
            Assert.Equal(1, x.sumCalls);   // two tensors, one bucket: one collective
            Assert.Equal(1, x.avgCalls);
            Assert.Equal(8 * 4, x.AllReducedBytes);
        }
    }

    [Fact]
    public void SmallBucketsSplitTheListIntoSeveralCollectives()
    {
        var r = TwoRanks((g, _) =>
        {
            var ts = Enumerable.Range(0, 5).Select(i => Tensor.FromSpan([i + g.Rank * 100f, 1f], [2])).ToArray();
            var calls = g.AllReduce(ts, ReduceMode.Sum, bucketBytes: 16); // two 8-byte tensors per bucket
            var values = ts.Select(t => t.ToFloatArray()).ToArray();
            foreach (var t in ts) t.Dispose();
            return (calls, values);
        });
        foreach (var (calls, values) in r)
        {
            Assert.Equal(3, calls);
            for (var i = 0; i < 5; i++) Assert.Equal([2f * i + 100f, 2f], values[i]);
        }
    }

    [Fact]
    public void BroadcastCopiesTheRootsTensorToEveryRank()
    {
        var r = TwoRanks((g, _) =>
        {
            using var t = g.Rank == 0 ? Tensor.FromSpan([4f, 5f], [2]) : Tensor.FromSpan([0f, 0f], [2]);
            g.Broadcast(t, root: 0);
            g.Barrier();
            return t.ToFloatArray();
        });
        Assert.Equal([4f, 5f], r[0]);
        Assert.Equal([4f, 5f], r[1]);
    }

    [Fact]
    public void TheStoreCarriesBytesBetweenRanks()
    {
        var r = TwoRanks((g, s) =>
        {
            s.Set($"from-{g.Rank}", $"hello {g.Rank}");
            var n = s.Add("count", 1);
            return (Other: s.GetString($"from-{1 - g.Rank}"), n);
        });
        Assert.Equal("hello 1", r[0].Other);
        Assert.Equal("hello 0", r[1].Other);
        Assert.Equal([1L, 2L], r.Select(x => x.n).Order().ToArray());
    }

    [Fact]
    public void APeerThatNeverComesIsATimeoutWithC10dsMessage()
    {
        // Rank 0 of two, alone: the group's rendezvous waits for rank 1's address in the store and gives up after the timeout.
        var file = StoreFile();
        try
        {
            using var store = DistributedStore.File(file, worldSize: 2, TimeSpan.FromMilliseconds(1500));
            var e = Assert.Throws<TorchException>(() => new ProcessGroup(store, 0, 2, TimeSpan.FromMilliseconds(1500), "127.0.0.1"));
            Assert.Contains("imeout", e.Message);
        }
        finally { File.Delete(file); } // rank 1 never came, so the store's own clean-up never ran
    }

    [Fact]
    public void ADeadPeerMakesTheCollectiveThrowInsteadOfHanging()
    {
        // Rank 1 leaves (disposes its group) after the first all-reduce; rank 0's second all-reduce must fail within the timeout.
        var file = StoreFile();
        var timeout = TimeSpan.FromSeconds(5);
        Exception? failure = null;
        var started = DateTime.UtcNow;
        OnTwoThreads(rank =>
        {
            using var store = DistributedStore.File(file, worldSize: 2, timeout);
            using var t = Tensor.FromSpan([1f], [1]);
            var group = new ProcessGroup(store, rank, 2, timeout, "127.0.0.1");
            group.AllReduce([t]);
            if (rank == 1)
            {
                group.Dispose();
                return;
            }
            failure = Record.Exception(() => group.AllReduce([t]));
            group.Dispose();
        });
        Assert.IsType<TorchException>(failure);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(30), "the failure came after the timeout");
    }

    [Fact]
    public void ATcpStoreWithNoServerToReachIsATorchException()
    {
        // A client only (nothing here listens): connecting to a port where no store runs fails within the timeout.
        var e = Assert.Throws<TorchException>(() => DistributedStore.Tcp("127.0.0.1", FreePort(), isServer: false, worldSize: 2, TimeSpan.FromSeconds(2)));
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }

    [Fact]
    public void BadRanksAreRefusedBeforeAnyNetworkWork()
    {
        using var store = DistributedStore.File(StoreFile(), worldSize: 1, Timeout);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProcessGroup(store, 2, 2, Timeout));
        using var one = new ProcessGroup(store, 0, 1, Timeout, "127.0.0.1");
        using var t = Tensor.FromSpan([2f], [1]);
        one.AllReduce([t]);
        Assert.Equal([2f], t.ToFloatArray());
    }
}
