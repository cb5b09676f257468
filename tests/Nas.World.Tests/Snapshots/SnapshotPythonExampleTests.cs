// The Python example in docs/snapshot-format.md reads a snapshot we write, with msgpack alone.
using MessagePack;
using Nas.World.Snapshots;
using Nas.World.Tests.MessagePack;

namespace Nas.World.Tests.Snapshots;

public sealed class SnapshotPythonExampleTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-snapshot-python-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string ExampleFromDocs()
    {
        string doc = File.ReadAllText(Path.Combine(PythonOracle.RepoRoot(), "docs", "snapshot-format.md"));
        int start = doc.IndexOf("```python\n", StringComparison.Ordinal) + "```python\n".Length;
        return doc[start..doc.IndexOf("```", start, StringComparison.Ordinal)];
    }

    [Fact]
    public void DocumentedPythonExampleReadsOurSnapshot()
    {
        string snapshot = Path.Combine(_folder, "step-000000007.msgpack");
        SnapshotFile.Write(snapshot, 7, [new("schema", "v1")], (ref MessagePackWriter w, ChecksummedSink _) =>
        {
            w.WriteMapHeader(2);
            w.Write("weights");
            w.Write(new byte[4096].AsSpan());
            w.Write("lr");
            w.Write(0.025);
        }, new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero));
        string script = Path.Combine(_folder, "example.py");
        File.WriteAllText(script, ExampleFromDocs());

        string output = PythonOracle.Run(script, snapshot);
        Assert.Equal("step 7 created 2025-03-04T05:06:07+00:00\nbody keys ['lr', 'weights']\n", output);
    }

    [Fact]
    public void DocumentedPythonExampleRejectsAFlippedByte()
    {
        string snapshot = Path.Combine(_folder, "step-000000008.msgpack");
        SnapshotFile.Write(snapshot, 8, null, (ref MessagePackWriter w, ChecksummedSink _) => w.Write(new byte[100].AsSpan()));
        byte[] bytes = File.ReadAllBytes(snapshot);
        bytes[60] ^= 1;
        File.WriteAllBytes(snapshot, bytes);
        string script = Path.Combine(_folder, "example.py");
        File.WriteAllText(script, ExampleFromDocs());
        var start = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, ArgumentList = { script, snapshot } };
        using var python = System.Diagnostics.Process.Start(start)!;
        string stderr = python.StandardError.ReadToEnd();
        python.WaitForExit();
        Assert.Equal(1, python.ExitCode);
        Assert.Equal("bad checksum\n", stderr);
    }
}
