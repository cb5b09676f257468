// One snapshot file: round trip, and a clear error naming the file for each kind of damage.
using MessagePack;
using Nas.World.Snapshots;

namespace Nas.World.Tests.Snapshots;

public sealed class SnapshotFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-snapshot-file-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private const int FileSequenceSegment = 64 * 1024;

    private static readonly DateTimeOffset Created = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private string WriteSample(string name = "sample.msgpack", long step = 42)
    {
        string path = Path.Combine(_folder, name);
        byte[] tensor = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)).ToArray();
        SnapshotFile.Write(path, step, [new("schema", new object?[] { "Weights", "Alpha" })], (ref MessagePackWriter w, ChecksummedSink _) =>
        {
            w.WriteMapHeader(2);
            w.Write("weights");
            w.WriteBinHeader(tensor.Length);
            w.WriteRaw(tensor.AsSpan(0, 60_000));
            w.WriteRaw(tensor.AsSpan(60_000));
            w.Write("lr");
            w.Write(0.025);
        }, Created);
        return path;
    }

    [Fact]
    public void WrittenSnapshotReadsBackWithHeaderAndBody()
    {
        string path = WriteSample();
        var loaded = SnapshotFile.Read(path);
        Assert.Equal(SnapshotFile.FormatVersion, loaded.Header.Version);
        Assert.Equal(42, loaded.Header.Step);
        Assert.Equal(Created, loaded.Header.Created);
        Assert.Equal(new object?[] { "Weights", "Alpha" }, (object?[])loaded.Header.Fields["schema"]!);
        var body = Assert.IsType<Dictionary<object, object?>>(loaded.Body);
        Assert.Equal(Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)), (byte[])body["weights"]!);
        Assert.Equal(0.025, body["lr"]);
    }

    [Fact]
    public void BodyCanBeStreamedIntoTheCallersBuffer()
    {
        string path = WriteSample();
        var loaded = SnapshotFile.Read(path, (ref MessagePackReader reader, SnapshotHeader header) =>
        {
            reader.ReadMapHeader();
            reader.ReadString();
            var bin = SnapshotValues.ReadBin(ref reader);
            Assert.True(bin.Length > FileSequenceSegment, "the bin spans several file segments");
            var weights = new byte[bin.Length];
            SnapshotValues.CopyTo(bin, weights);
            reader.ReadString();
            return (weights, lr: reader.ReadDouble());
        });
        Assert.Equal(Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)), loaded.Body.weights);
        Assert.Equal(0.025, loaded.Body.lr);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(25)]
    [InlineData(50_000)]
    [InlineData(-1)]
    public void TruncatedFileIsReportedAsTruncatedNamingTheFile(int keep)
    {
        string path = WriteSample();
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(keep < 0 ? bytes.Length + keep : keep)]);
        var e = Assert.Throws<SnapshotException>(() => SnapshotFile.Read(path));
        Assert.Equal(SnapshotProblem.Truncated, e.Problem);
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void FlippedByteIsReportedAsBadChecksumNamingTheFile()
    {
        string path = WriteSample();
        byte[] bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<SnapshotException>(() => SnapshotFile.Read(path));
        Assert.Equal(SnapshotProblem.BadChecksum, e.Problem);
        Assert.StartsWith($"snapshot {path}: bad checksum: stored crc32c 0x", e.Message);
    }

    [Fact]
    public void FileThatIsNotASnapshotIsReportedAsBadMagic()
    {
        string path = Path.Combine(_folder, "other.msgpack");
        File.WriteAllBytes(path, Convert.FromHexString("81a3666f6fa3626172"));
        var e = Assert.Throws<SnapshotException>(() => SnapshotFile.Read(path));
        Assert.Equal(SnapshotProblem.BadMagic, e.Problem);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void NewerFormatVersionIsReportedAsUnsupported()
    {
        string path = WriteSample();
        byte[] bytes = File.ReadAllBytes(path);
        // Byte 28 is the version (positive fixint) after the 20-byte magic prefix and fixstr "version".
        Assert.Equal(SnapshotFile.FormatVersion, bytes[28]);
        bytes[28] = 2;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<SnapshotException>(() => SnapshotFile.Read(path));
        Assert.Equal(SnapshotProblem.UnsupportedVersion, e.Problem);
        Assert.Contains("unsupported version 2", e.Message);
    }

    [Fact]
    public void BodyWithTwoValuesIsReportedWhenRead()
    {
        string path = Path.Combine(_folder, "bad.msgpack");
        SnapshotFile.Write(path, 1, null, (ref MessagePackWriter w, ChecksummedSink _) => { w.WriteNil(); w.WriteNil(); });
        var e = Assert.Throws<SnapshotException>(() => SnapshotFile.Read(path));
        Assert.Equal(SnapshotProblem.Malformed, e.Problem);
        Assert.Contains("the body reader stopped at offset", e.Message);
    }

    [Fact]
    public void AFailingBodyWriterLeavesNoFile()
    {
        string path = Path.Combine(_folder, "failed.msgpack");
        Assert.Throws<InvalidOperationException>(() => SnapshotFile.Write(path, 1, null, (ref MessagePackWriter w, ChecksummedSink _) => throw new InvalidOperationException("no")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_folder));
    }

    [Fact]
    public void DamageThatKeepsTheChecksumIsAOneLineErrorWithTheOffset()
    {
        string path = Path.Combine(_folder, "hostile.msgpack");
        // A body claiming an array of 2^31-1 elements in 0 bytes, checksummed as if it were fine.
        SnapshotFile.Write(path, 1, null, (ref MessagePackWriter w, ChecksummedSink _) => w.WriteArrayHeader(int.MaxValue));
        var e = Assert.Throws<SnapshotException>(() => SnapshotFile.Read(path));
        Assert.Equal(SnapshotProblem.Malformed, e.Problem);
        Assert.StartsWith($"snapshot {path}: offset ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void BodyReaderThatStopsEarlyIsReported()
    {
        string path = WriteSample();
        var e = Assert.Throws<SnapshotException>(() => SnapshotFile.Read(path, (ref MessagePackReader reader, SnapshotHeader _) => reader.ReadMapHeader()));
        Assert.Equal(SnapshotProblem.Malformed, e.Problem);
    }

    [Fact]
    public void RewritingReplacesTheFileWhole()
    {
        string path = WriteSample(step: 1);
        WriteSample(step: 2);
        Assert.Equal(2, SnapshotFile.Read(path).Header.Step);
        Assert.Single(Directory.EnumerateFileSystemEntries(_folder));
    }
}
