// Retention counts only valid snapshots: damaged files (junk at high step numbers included) are moved to damaged/, never kept, never deleted.
using MessagePack;
using Nas.World.Snapshots;

namespace Nas.World.Tests.Snapshots;

public sealed class SnapshotRetentionTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-retention-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static void Body(ref MessagePackWriter w, long step) => SnapshotStoreTests.Body(ref w, step);

    private static long[] Steps(SnapshotStore store) => store.List().Select(e => e.Step).ToArray();

    [Fact]
    public void JunkAtHigherStepsIsMovedAsideAndTheValidSnapshotsAreKept()
    {
        var moved = new List<(SnapshotException Problem, string To)>();
        var store = new SnapshotStore(_folder, keep: 3) { OnDamaged = (e, to) => moved.Add((e, to)) };
        for (long step = 4; step <= 6; step++) store.Save(step, null, (ref MessagePackWriter w, ChecksummedSink _) => Body(ref w, step));
        for (long step = 100; step <= 102; step++) File.WriteAllText(store.PathFor(step), "unreadable");

        store.Save(7, null, (ref MessagePackWriter w, ChecksummedSink _) => Body(ref w, 7));

        Assert.Equal(new long[] { 7, 6, 5 }, Steps(store));
        Assert.Equal(3, moved.Count);
        Assert.All(moved, m => Assert.Equal(SnapshotProblem.BadMagic, m.Problem.Problem));
        Assert.Equal(
            new[] { "step-000000100.msgpack", "step-000000101.msgpack", "step-000000102.msgpack" },
            Directory.GetFiles(store.DamagedFolder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(7, store.LoadNewestValid((ref MessagePackReader reader, SnapshotHeader _) => SnapshotValues.Read(ref reader), out var skipped)!.Header.Step);
        Assert.Empty(skipped);
    }

    [Fact]
    public void TheSnapshotJustWrittenIsKeptEvenBelowNewerValidOnes()
    {
        var store = new SnapshotStore(_folder, keep: 1);
        store.Save(9, null, (ref MessagePackWriter w, ChecksummedSink _) => Body(ref w, 9));
        store.Save(3, null, (ref MessagePackWriter w, ChecksummedSink _) => Body(ref w, 3));
        Assert.Equal(new long[] { 3 }, Steps(store));
    }

    [Fact]
    public void ATruncatedOlderSnapshotIsMovedAsideNotCountedAsKept()
    {
        var store = new SnapshotStore(_folder, keep: 2);
        for (long step = 1; step <= 3; step++) store.Save(step, null, (ref MessagePackWriter w, ChecksummedSink _) => Body(ref w, step));
        var bytes = File.ReadAllBytes(store.PathFor(3));
        File.WriteAllBytes(store.PathFor(3), bytes[..(bytes.Length / 2)]);
        var fresh = new SnapshotStore(_folder, keep: 2); // a new process: nothing remembered as verified

        fresh.Save(4, null, (ref MessagePackWriter w, ChecksummedSink _) => Body(ref w, 4));

        Assert.Equal(new long[] { 4, 2 }, Steps(fresh));
        Assert.True(File.Exists(Path.Combine(fresh.DamagedFolder, "step-000000003.msgpack")));
    }

    [Fact]
    public void ADamagedFileOfAStepAlreadyInDamagedKeepsBoth()
    {
        var store = new SnapshotStore(_folder, keep: 2);
        File.WriteAllText(store.PathFor(50), "first junk");
        store.Save(1, null, (ref MessagePackWriter w, ChecksummedSink _) => Body(ref w, 1));
        File.WriteAllText(store.PathFor(50), "second junk");
        store.Save(2, null, (ref MessagePackWriter w, ChecksummedSink _) => Body(ref w, 2));
        Assert.Equal(2, Directory.GetFiles(store.DamagedFolder).Length);
        Assert.Equal(new long[] { 2, 1 }, Steps(store));
    }

    [Fact]
    public void RemoveStaleTempsDeletesOnlyUnfinishedWrites()
    {
        var store = new SnapshotStore(_folder, keep: 2);
        store.Save(1, null, (ref MessagePackWriter w, ChecksummedSink _) => Body(ref w, 1));
        var stale = Path.Combine(_folder, ".step-000000002.msgpack.4242.abc.tmp");
        File.WriteAllText(stale, "partial");
        Assert.Equal([stale], store.RemoveStaleTemps());
        Assert.False(File.Exists(stale));
        Assert.Equal(new long[] { 1 }, Steps(store));
    }
}
