// Writes and reads one snapshot file: a single MessagePack map with magic, version, header, body and a CRC-32C trailer.
using System.Buffers;
using System.Buffers.Binary;
using MessagePack;

namespace Nas.World.Snapshots;

/// <summary>Writes exactly one MessagePack value, a snapshot's body, with <paramref name="writer"/>; large bins may go through <paramref name="sink"/>.</summary>
public delegate void SnapshotBodyWriter(ref MessagePackWriter writer, ChecksummedSink sink);

/// <summary>Reads exactly the body value, the reader positioned at it.</summary>
public delegate T SnapshotBodyReader<out T>(ref MessagePackReader reader, SnapshotHeader header);

/// <summary>
/// Layout (docs/snapshot-format.md): one fixmap of 5 entries, keys in this order:
/// "magic": "NAS-SNAPSHOT", "version": int, "header": map ("step", "created", caller fields),
/// "body": one value written by the caller, "crc32c": uint 32 (always 0xce + 4 bytes big-endian).
/// The CRC-32C covers every byte before the "crc32c" key, i.e. the whole file minus its last 12 bytes.
/// The encoding is MessagePack-CSharp's (smallest formats, as Python's msgpack writes them).
/// </summary>
public static class SnapshotFile
{
    public const string Magic = "NAS-SNAPSHOT";
    public const int FormatVersion = 1;

    /// <summary>fixstr "crc32c" then the uint 32 marker; the last 12 bytes of every snapshot are these 8 plus the CRC.</summary>
    internal static ReadOnlySpan<byte> TrailerPrefix => [0xa6, (byte)'c', (byte)'r', (byte)'c', (byte)'3', (byte)'2', (byte)'c', 0xce];

    /// <summary>0x85 (fixmap 5), "magic", "NAS-SNAPSHOT": the first 20 bytes of every snapshot.</summary>
    internal static ReadOnlySpan<byte> MagicPrefix =>
        [0x85, 0xa5, (byte)'m', (byte)'a', (byte)'g', (byte)'i', (byte)'c', 0xac,
         (byte)'N', (byte)'A', (byte)'S', (byte)'-', (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'S', (byte)'H', (byte)'O', (byte)'T'];

    internal const int TrailerLength = 12;

    /// <summary>
    /// Writes a snapshot atomically in one pass: a temp file in the same folder, fsync, rename over
    /// <paramref name="path"/>, fsync of the folder. <paramref name="writeBody"/> must write exactly one value
    /// (a file where it wrote none or two is refused by <see cref="Read{T}"/>). Header field names "step" and "created" are reserved.
    /// </summary>
    public static void Write(string path, long step, IEnumerable<KeyValuePair<string, object?>>? headerFields,
        SnapshotBodyWriter writeBody, DateTimeOffset? created = null)
    {
        ArgumentNullException.ThrowIfNull(writeBody);
        var fields = headerFields?.ToList() ?? [];
        foreach (var (key, _) in fields)
            if (key is "step" or "created")
                throw new ArgumentException($"header field '{key}' is reserved", nameof(headerFields));

        string full = System.IO.Path.GetFullPath(path);
        string folder = System.IO.Path.GetDirectoryName(full)!;
        string temp = System.IO.Path.Combine(folder, $".{System.IO.Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                var sink = new ChecksummedSink(file, 256 * 1024);
                var writer = new MessagePackWriter(sink);
                writer.WriteMapHeader(5);
                writer.Write("magic");
                writer.Write(Magic);
                writer.Write("version");
                writer.Write(FormatVersion);
                writer.Write("header");
                writer.WriteMapHeader(2 + fields.Count);
                writer.Write("step");
                writer.Write(step);
                writer.Write("created");
                writer.Write((created ?? DateTimeOffset.UtcNow).UtcDateTime);
                foreach (var (key, value) in fields)
                {
                    writer.Write(key);
                    SnapshotValues.Write(ref writer, value);
                }
                writer.Write("body");
                writeBody(ref writer, sink);
                writer.Flush();
                sink.Drain();

                // The trailer is outside the checksummed range; its size is fixed (12 bytes).
                Span<byte> trailer = stackalloc byte[TrailerLength];
                TrailerPrefix.CopyTo(trailer);
                BinaryPrimitives.WriteUInt32BigEndian(trailer[8..], sink.Crc);
                file.Write(trailer);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
            DirectorySync.Flush(folder);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// Checks magic, version and checksum, then reads the header and hands the reader, positioned at the body, to
    /// <paramref name="readBody"/>, which must consume exactly the body value. The file is read in segments as the
    /// parse reaches them (<see cref="FileSequence"/>), so a large snapshot is never held whole in memory.
    /// </summary>
    public static LoadedSnapshot<T> Read<T>(string path, SnapshotBodyReader<T> readBody)
    {
        ArgumentNullException.ThrowIfNull(readBody);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SnapshotException(path, SnapshotProblem.Unreadable, $"cannot open: {e.Message}", e);
        }
        using (file)
        {
            int version = Verify(path, file);
            return Parse(path, FileSequence.Open(file.SafeFileHandle, file.Length - TrailerLength), version, readBody);
        }
    }

    /// <summary>Reads a snapshot with the body as a dynamic value (<see cref="SnapshotValues.Read"/>).</summary>
    public static LoadedSnapshot<object?> Read(string path) => Read(path, static (ref MessagePackReader reader, SnapshotHeader _) => SnapshotValues.Read(ref reader));

    /// <summary>
    /// Parses a verified snapshot without its 12-byte trailer. Every malformed input ends in a <see cref="SnapshotException"/>
    /// naming <paramref name="path"/> and the offset; the body reader's own SnapshotExceptions pass through.
    /// </summary>
    internal static LoadedSnapshot<T> Parse<T>(string path, ReadOnlySequence<byte> data, int version, SnapshotBodyReader<T> readBody)
    {
        var reader = new MessagePackReader(data);
        try
        {
            reader.ReadMapHeader();
            SnapshotValues.Skip(ref reader); // "magic"
            SnapshotValues.Skip(ref reader);
            SnapshotValues.Skip(ref reader); // "version"
            SnapshotValues.Skip(ref reader);
            ExpectKey(ref reader, "header", path);
            if (SnapshotValues.Read(ref reader) is not Dictionary<object, object?> fields)
                throw new SnapshotException(path, SnapshotProblem.Malformed, "\"header\" is not a map");
            var header = new SnapshotHeader(version, HeaderStep(fields, path), HeaderCreated(fields, path), fields);
            ExpectKey(ref reader, "body", path);
            T body = readBody(ref reader, header);
            if (!reader.End)
                throw new SnapshotException(path, SnapshotProblem.Malformed,
                    $"the body reader stopped at offset {SnapshotValues.Offset(ref reader)}, but the body ends at offset {data.Length}");
            return new LoadedSnapshot<T>(path, header, body);
        }
        catch (IOException e) when (e is not EndOfStreamException)
        {
            throw new SnapshotException(path, SnapshotProblem.Unreadable, $"cannot read: {e.Message}", e);
        }
        catch (Exception e) when (IsMalformed(e))
        {
            throw new SnapshotException(path, SnapshotProblem.Malformed, $"offset {SnapshotValues.Offset(ref reader)}: {Describe(e)}", e);
        }
    }

    /// <summary>What a hostile or damaged document can raise from the reader, the guards or a body reader's conversions.</summary>
    internal static bool IsMalformed(Exception e) => e is MessagePackSerializationException or EndOfStreamException or OverflowException
        or InsufficientExecutionStackException or ArgumentException or InvalidOperationException or InvalidCastException or FormatException;

    private static string Describe(Exception e) => e switch
    {
        EndOfStreamException => "the data ends inside a value",
        InsufficientExecutionStackException => $"values nested deeper than {SnapshotValues.MaxDepth} levels",
        _ => e.Message.ReplaceLineEndings(" "),
    };

    /// <summary>Checks magic, version and checksum without parsing the body.</summary>
    public static void Verify(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
            Verify(path, file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SnapshotException(path, SnapshotProblem.Unreadable, $"cannot read: {e.Message}", e);
        }
    }

    private static int Verify(string path, FileStream file)
    {
        long length = file.Length;
        byte[] start = new byte[40];
        int got = file.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        int compared = Math.Min(got, MagicPrefix.Length);
        if (!start.AsSpan(0, compared).SequenceEqual(MagicPrefix[..compared]))
            throw new SnapshotException(path, SnapshotProblem.BadMagic, "bad magic: the file does not start with the \"NAS-SNAPSHOT\" map");
        int version;
        var prefix = new MessagePackReader(start.AsMemory(0, got));
        try
        {
            prefix.ReadMapHeader();
            prefix.Skip();
            prefix.Skip();
            if (SnapshotValues.ReadString(ref prefix) != "version")
                throw new SnapshotException(path, SnapshotProblem.Malformed, "the second key is not \"version\"");
            long v = prefix.ReadInt64();
            if (v != FormatVersion)
                throw new SnapshotException(path, SnapshotProblem.UnsupportedVersion, $"unsupported version {v} (this build reads version {FormatVersion})");
            version = (int)v;
        }
        catch (Exception e) when (IsMalformed(e))
        {
            throw got < start.Length
                ? new SnapshotException(path, SnapshotProblem.Truncated, $"truncated: only {length} bytes, the header is incomplete ({Describe(e)})", e)
                : new SnapshotException(path, SnapshotProblem.Malformed, $"the version field is malformed ({Describe(e)})", e);
        }

        Span<byte> trailer = stackalloc byte[TrailerLength];
        if (length < MagicPrefix.Length + TrailerLength)
            throw new SnapshotException(path, SnapshotProblem.Truncated, $"truncated: only {length} bytes");
        file.Position = length - TrailerLength;
        file.ReadExactly(trailer);
        if (!trailer[..8].SequenceEqual(TrailerPrefix))
            throw new SnapshotException(path, SnapshotProblem.Truncated,
                $"truncated or damaged: the file ({length} bytes) does not end with the \"crc32c\" trailer");
        uint stored = BinaryPrimitives.ReadUInt32BigEndian(trailer[8..]);
        uint computed = ChecksumOfPrefix(file, length - TrailerLength);
        if (stored != computed)
            throw new SnapshotException(path, SnapshotProblem.BadChecksum,
                $"bad checksum: stored crc32c 0x{stored:x8}, computed 0x{computed:x8} over {length - TrailerLength} bytes");
        return version;
    }

    private static uint ChecksumOfPrefix(FileStream file, long count)
    {
        file.Position = 0;
        byte[] chunk = new byte[1 << 20];
        uint crc = 0;
        long left = count;
        while (left > 0)
        {
            int read = file.Read(chunk, 0, (int)Math.Min(chunk.Length, left));
            if (read <= 0)
                throw new IOException("the file shrank while its checksum was computed");
            crc = Crc32C.Append(crc, chunk.AsSpan(0, read));
            left -= read;
        }
        return crc;
    }

    private static void ExpectKey(ref MessagePackReader reader, string key, string path)
    {
        long at = SnapshotValues.Offset(ref reader);
        string found = SnapshotValues.ReadString(ref reader);
        if (found != key)
            throw new SnapshotException(path, SnapshotProblem.Malformed, $"offset {at}: expected key \"{key}\", found \"{found}\"");
    }

    private static long HeaderStep(Dictionary<object, object?> fields, string path) =>
        fields.TryGetValue("step", out var step) && step is long s
            ? s : throw new SnapshotException(path, SnapshotProblem.Malformed, "header has no integer \"step\"");

    private static DateTimeOffset HeaderCreated(Dictionary<object, object?> fields, string path) =>
        fields.TryGetValue("created", out var created) && created is DateTimeOffset t
            ? t : throw new SnapshotException(path, SnapshotProblem.Malformed, "header has no timestamp \"created\"");

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
