// A temporary folder for one test, deleted on dispose, plus writers for the IDX format tests feed the readers.
using System.Buffers.Binary;
using System.IO.Compression;

namespace Nas.Systems.Tests.Data;

internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "nas-data-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);

    /// <summary>Writes a gzip IDX file: big-endian int32 magic and dims, then the payload.</summary>
    public string WriteIdx(string name, int magic, int[] dims, ReadOnlySpan<byte> payload)
    {
        var path = File(name);
        using var gzip = new GZipStream(System.IO.File.Create(path), CompressionLevel.Fastest);
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, magic);
        gzip.Write(word);
        foreach (var d in dims)
        {
            BinaryPrimitives.WriteInt32BigEndian(word, d);
            gzip.Write(word);
        }
        gzip.Write(payload);
        return path;
    }
}
