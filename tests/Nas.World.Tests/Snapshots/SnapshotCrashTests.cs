// A writer process killed with SIGKILL mid-write leaves the previous snapshot loadable and no partial file listed.
using System.Buffers;
using System.Diagnostics;
using MessagePack;
using Nas.World.Snapshots;

namespace Nas.World.Tests.Snapshots;

public sealed class SnapshotCrashTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-snapshot-crash-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void WriterKilledMidWriteLeavesThePreviousSnapshotLoadable()
    {
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardInput = true };
        foreach (string arg in new[] { "exec", typeof(SnapshotWriterProgram).Assembly.Location, "snapshot-writer", _folder, "4" })
            start.ArgumentList.Add(arg);
        using var child = Process.Start(start)!;
        var lines = new List<string>();
        try
        {
            // The child saves steps 1-3, then stops halfway through step 4's body and waits to be killed.
            while (child.StandardOutput.ReadLine() is { } line)
            {
                lines.Add(line);
                if (line == "half 4")
                    break;
            }
        }
        finally
        {
            child.Kill(entireProcessTree: true); // SIGKILL on Unix
            child.WaitForExit();
        }
        Assert.Equal(["saved 1", "saved 2", "saved 3", "half 4"], lines);

        string partial = Assert.Single(Directory.GetFiles(_folder, ".step-000000004.msgpack.*.tmp"));
        Assert.Throws<SnapshotException>(() => SnapshotFile.Verify(partial));

        var store = new SnapshotStore(_folder, keep: 3);
        Assert.Equal(new long[] { 3, 2, 1 }, store.List().Select(e => e.Step));
        var loaded = store.LoadNewestValid((ref MessagePackReader reader, SnapshotHeader _) =>
        {
            reader.ReadArrayHeader();
            long step = reader.ReadInt64();
            var payload = reader.ReadBytes()!.Value.ToArray();
            return (step, payload);
        }, out var skipped);
        Assert.Empty(skipped);
        Assert.NotNull(loaded);
        Assert.Equal(3, loaded.Header.Step);
        Assert.Equal(3, loaded.Body.step);
        Assert.All(loaded.Body.payload, b => Assert.Equal(3, b));
    }
}
