// Data-parallel search (issue 17): this process's place in the run (runtime only) and what a snapshot of the run records of every rank.
using Nas.Torch;
using Nas.World;

namespace Nas.Components;

/// <summary>
/// This process's place in a data-parallel run: its Gloo group (rank, world size, timeout) and how often the ranks compare
/// digests of their parameters. Runtime only (never snapshotted): a resumed run joins a new group.
/// </summary>
public sealed record DataParallel(ProcessGroup Group, int CheckEvery, DistributedStore? Store = null)
{
    public int Rank => Group.Rank;
    public int WorldSize => Group.WorldSize;

    /// <summary>The check runs when the step just counted is a multiple of <see cref="CheckEvery"/>.</summary>
    public static readonly Condition CheckDue = new("step % check_every == 0",
        w => w.ReadResource<DataParallel>() is var p && p.CheckEvery > 0 && w.ReadResource<SearchClock>().Step % p.CheckEvery == 0);
}

/// <summary>One rank's runtime state at a snapshot: where its data streams are and its torch generator's state.</summary>
public sealed record RankState([SnapshotKey("Positions")] StreamPositions Positions, [SnapshotKey("TorchRng")] byte[] TorchRng)
{
    public byte[] ToBytes()
    {
        using var m = new MemoryStream();
        using (var w = new BinaryWriter(m))
        {
            Write(w, Positions.Train);
            w.Write(Positions.Val is not null);
            if (Positions.Val is { } v) Write(w, v);
            w.Write(TorchRng.Length);
            w.Write(TorchRng);
        }
        return m.ToArray();
    }

    public static RankState FromBytes(byte[] bytes)
    {
        using var r = new BinaryReader(new MemoryStream(bytes));
        var train = Read(r);
        BatchStreamState? val = r.ReadBoolean() ? Read(r) : null;
        var rng = r.ReadBytes(r.ReadInt32());
        return new RankState(new StreamPositions(train, val), rng);
    }

    private static void Write(BinaryWriter w, BatchStreamState s)
    {
        w.Write(s.Seed);
        w.Write(s.Epoch);
        w.Write(s.Position);
    }

    private static BatchStreamState Read(BinaryReader r) => new(r.ReadUInt64(), r.ReadInt32(), r.ReadInt32());
}

/// <summary>
/// What a snapshot of a data-parallel run adds to the world rank 0 saves: the world size it was made with (a resume must
/// use the same) and every rank's data positions and generator state, so each rank resumes its own.
/// </summary>
[Resource("nas.distributed", 1)]
public sealed record DataParallelRecord([SnapshotKey("WorldSize")] int WorldSize, [SnapshotKey("Ranks")] RankState[] Ranks)
{
    /// <summary>
    /// Collects every rank's state through the store under <paramref name="key"/> (all ranks call it at the same step);
    /// rank 0 gets the record, the others null.
    /// </summary>
    public static DataParallelRecord? Gather(DataParallel parallel, string key, RankState mine)
    {
        var store = parallel.Store ?? throw new InvalidOperationException("a data-parallel snapshot needs the run's store");
        store.Set($"{key}/rank-{parallel.Rank}", mine.ToBytes());
        if (parallel.Rank != 0) return null;
        var ranks = new RankState[parallel.WorldSize];
        ranks[0] = mine;
        for (var r = 1; r < ranks.Length; r++) ranks[r] = RankState.FromBytes(store.Get($"{key}/rank-{r}"));
        return new DataParallelRecord(parallel.WorldSize, ranks);
    }
}
