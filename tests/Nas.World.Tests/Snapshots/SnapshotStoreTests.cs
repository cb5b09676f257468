// A folder of snapshots: naming by step, newest-N retention, fallback past corrupt files.
using MessagePack;
using Nas.World.Snapshots;

namespace Nas.World.Tests.Snapshots;

public sealed class SnapshotStoreTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-snapshot-store-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A small snapshot body: [step, 1000 zero bytes].</summary>
    internal static void Body(ref MessagePackWriter w, long step)
    {
        w.WriteArrayHeader(2);
        w.Write(step);
        w.Write(new byte[1000].AsSpan());
    }

    [Fact]
    public void FilesAreNamedByStep()
    {
        var store = new SnapshotStore(_folder, keep: 3);
        string path = store.Save(1234, null, (ref MessagePackWriter w, ChecksummedSink _) => Body(ref w, 1234));
        Assert.Equal(Path.Combine(_folder, "step-000001234.msgpack"), path);
    }

    [Fact]
    public void SaveKeepsTheNewestNListedNewestFirst()
    {
        var store = new SnapshotStore(_folder, keep: 2);
        foreach (long step in new long[] { 5, 10, 15, 20, 1_000_000_000 })
            store.Save(step, null, (ref MessagePackWriter w, ChecksummedSink _) => Body(ref w, step));
        Assert.Equal(new long[] { 1_000_000_000, 20 }, store.List().Select(e => e.Step));
        Assert.Equal(2, Directory.GetFiles(_folder).Length);
    }

    [Fact]
    public void ListIgnoresTempAndForeignFiles()
    {
        var store = new SnapshotStore(_folder, keep: 5);
        store.Save(3, null, (ref MessagePackWriter w, ChecksummedSink _) => Body(ref w, 3));
        File.WriteAllText(Path.Combine(_folder, ".step-000000004.msgpack.77.abc.tmp"), "partial");
        File.WriteAllText(Path.Combine(_folder, "step-x.msgpack"), "junk");
        Assert.Equal(new long[] { 3 }, store.List().Select(e => e.Step));
    }

    [Fact]
    public void CorruptNewestFallsBackToThePreviousAndIsReportedByName()
    {
        var store = new SnapshotStore(_folder, keep: 5);
        for (long step = 1; step <= 3; step++)
            store.Save(step, null, (ref MessagePackWriter w, ChecksummedSink _) => Body(ref w, step));
        string newest = store.PathFor(3);
        byte[] bytes = File.ReadAllBytes(newest);
        bytes[100] ^= 0xff;
        File.WriteAllBytes(newest, bytes);

        var loaded = store.LoadNewestValid((ref MessagePackReader reader, SnapshotHeader _) => SnapshotValues.Read(ref reader), out var skipped);
        Assert.NotNull(loaded);
        Assert.Equal(2, loaded.Header.Step);
        var failure = Assert.Single(skipped);
        Assert.Equal(newest, failure.Path);
        Assert.Contains("step-000000003.msgpack", failure.Message);
    }

    [Fact]
    public void NoValidSnapshotGivesNull()
    {
        var store = new SnapshotStore(_folder, keep: 5);
        File.WriteAllText(store.PathFor(7), "not a snapshot");
        Assert.Null(store.LoadNewestValid((ref MessagePackReader reader, SnapshotHeader _) => SnapshotValues.Read(ref reader), out var skipped));
        Assert.Equal(SnapshotProblem.BadMagic, Assert.Single(skipped).Problem);
    }
}
