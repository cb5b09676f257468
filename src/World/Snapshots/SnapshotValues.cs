// Dynamic MessagePack values (snapshot headers) over MessagePack-CSharp's reader and writer, and the guards every read of an untrusted file goes through.
using System.Buffers;
using System.Buffers.Binary;
using System.Collections;
using MessagePack;

namespace Nas.World.Snapshots;

/// <summary>A MessagePack extension other than the timestamp (type -1), read or written dynamically.</summary>
public sealed record SnapshotExtension(sbyte Type, byte[] Data);

/// <summary>
/// The dynamic model: nil ↔ null, bool, integers as long (ulong above long.MaxValue), float 32 ↔ float, float 64 ↔ double,
/// str ↔ string, bin ↔ byte[], timestamp ↔ DateTimeOffset (UTC), other extensions ↔ <see cref="SnapshotExtension"/>,
/// array ↔ object?[], map ↔ Dictionary&lt;object, object?&gt; (keys in file order; nil or repeated keys are refused).
/// Writing also takes the smaller integer types, any IDictionary, KeyValuePair&lt;string, object?&gt; sequences and lists.
/// Reading guards: nesting is limited by MessagePackSecurity (UntrustedData, depth <see cref="MaxDepth"/>), no count
/// may exceed the bytes left (each element takes at least one), and skipping is iterative, so no input can exhaust the stack.
/// </summary>
public static class SnapshotValues
{
    public const int MaxDepth = 64;

    public static readonly MessagePackSecurity Security = MessagePackSecurity.UntrustedData.WithMaximumObjectGraphDepth(MaxDepth);

    public static void Write(ref MessagePackWriter w, object? value)
    {
        switch (value)
        {
            case null: w.WriteNil(); return;
            case bool b: w.Write(b); return;
            case sbyte or short or int or long: w.Write(Convert.ToInt64(value)); return;
            case byte or ushort or uint or ulong: w.Write(Convert.ToUInt64(value)); return;
            case float f: w.Write(f); return;
            case double d: w.Write(d); return;
            case string s: w.Write(s); return;
            case byte[] bytes: w.Write(bytes.AsSpan()); return;
            case DateTimeOffset t: w.Write(t.UtcDateTime); return;
            case DateTime t: w.Write(t.ToUniversalTime()); return;
            case SnapshotExtension e: w.WriteExtensionFormat(new ExtensionResult(e.Type, e.Data)); return;
            case IDictionary map:
                w.WriteMapHeader(map.Count);
                foreach (DictionaryEntry entry in map) { Write(ref w, entry.Key); Write(ref w, entry.Value); }
                return;
            case IEnumerable<KeyValuePair<string, object?>> pairs:
                var list = pairs.ToList();
                w.WriteMapHeader(list.Count);
                foreach (var (key, item) in list) { w.Write(key); Write(ref w, item); }
                return;
            case IList items:
                w.WriteArrayHeader(items.Count);
                foreach (var item in items) Write(ref w, item);
                return;
            default: throw new NotSupportedException($"cannot write a {value.GetType()} as a dynamic MessagePack value");
        }
    }

    /// <summary>Reads one value into the dynamic model.</summary>
    public static object? Read(ref MessagePackReader r)
    {
        switch (r.NextMessagePackType)
        {
            case MessagePackType.Nil: r.ReadNil(); return null;
            case MessagePackType.Boolean: return r.ReadBoolean();
            case MessagePackType.Integer:
                if (r.NextCode != MessagePackCode.UInt64) return r.ReadInt64();
                ulong u = r.ReadUInt64();
                return u <= long.MaxValue ? (long)u : u;
            case MessagePackType.Float: return r.NextCode == MessagePackCode.Float32 ? (object)r.ReadSingle() : r.ReadDouble();
            case MessagePackType.String: return r.ReadString();
            case MessagePackType.Binary: return ReadBin(ref r).ToArray();
            case MessagePackType.Extension:
                var header = r.ReadExtensionFormatHeader();
                if (header.TypeCode == ReservedMessagePackExtensionTypeCode.DateTime)
                    return new DateTimeOffset(r.ReadDateTime(header), TimeSpan.Zero);
                Remaining(ref r, header.Length);
                return new SnapshotExtension(header.TypeCode, r.ReadRaw(header.Length).ToArray());
            case MessagePackType.Array:
            {
                int count = ReadArrayHeader(ref r);
                Security.DepthStep(ref r);
                try
                {
                    var items = new object?[count];
                    for (int i = 0; i < count; i++) items[i] = Read(ref r);
                    return items;
                }
                finally { r.Depth--; }
            }
            case MessagePackType.Map:
            {
                int count = ReadMapHeader(ref r);
                Security.DepthStep(ref r);
                try
                {
                    var map = new Dictionary<object, object?>(count);
                    for (int i = 0; i < count; i++)
                    {
                        long at = Offset(ref r);
                        var key = Read(ref r) ?? throw new MessagePackSerializationException($"offset {at}: a map key is nil");
                        if (!map.TryAdd(key, Read(ref r))) throw new MessagePackSerializationException($"offset {at}: map key {key} appears twice");
                    }
                    return map;
                }
                finally { r.Depth--; }
            }
            default: throw new MessagePackSerializationException($"offset {Offset(ref r)}: byte 0x{r.NextCode:x2} starts no MessagePack value");
        }
    }

    /// <summary>Skips one value of any depth without recursion: a count of values still owed replaces the call stack.</summary>
    public static void Skip(ref MessagePackReader r)
    {
        for (long owed = 1; owed > 0; owed--)
        {
            switch (r.NextMessagePackType)
            {
                case MessagePackType.Array: owed += ReadArrayHeader(ref r); break;
                case MessagePackType.Map: owed += 2L * ReadMapHeader(ref r); break;
                case MessagePackType.Binary: ReadBin(ref r); break; // without reading the payload
                case MessagePackType.Unknown: throw new MessagePackSerializationException($"offset {Offset(ref r)}: byte 0x{r.NextCode:x2} starts no MessagePack value");
                default: r.Skip(); break; // a scalar: the library skips it without recursion
            }
        }
    }

    /// <summary>An array header whose count fits in what is left of the input.</summary>
    public static int ReadArrayHeader(ref MessagePackReader r)
    {
        long at = Offset(ref r);
        int count = r.ReadArrayHeader();
        Count(ref r, count, at, "array");
        return count;
    }

    /// <summary>A map header whose 2 × count keys and values fit in what is left of the input.</summary>
    public static int ReadMapHeader(ref MessagePackReader r)
    {
        long at = Offset(ref r);
        int count = r.ReadMapHeader();
        Count(ref r, count, at, "map", perItem: 2);
        return count;
    }

    /// <summary>A str that must be there (not nil): map keys and names.</summary>
    public static string ReadString(ref MessagePackReader r)
    {
        long at = Offset(ref r);
        return r.NextMessagePackType == MessagePackType.String ? r.ReadString()!
            : throw new MessagePackSerializationException($"offset {at}: expected a str, found {r.NextMessagePackType.ToString().ToLowerInvariant()}");
    }

    /// <summary>A bin header of any length up to 4 GiB - 1 (MessagePackWriter.WriteBinHeader stops at 2 GiB - 1).</summary>
    public static void WriteBinHeader(ref MessagePackWriter w, long length)
    {
        if (length <= int.MaxValue) { w.WriteBinHeader((int)length); return; }
        if (length > uint.MaxValue) throw new ArgumentOutOfRangeException(nameof(length), length, "a MessagePack bin holds at most 4 GiB - 1 bytes");
        var span = w.GetSpan(5);
        span[0] = MessagePackCode.Bin32;
        BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)length);
        w.Advance(5);
    }

    /// <summary>
    /// Reads a bin (nil is refused) as a slice of the input without touching its bytes, and moves the reader past it.
    /// (MessagePackReader.ReadBytes walks the payload segment by segment; over a file sequence that would read it twice.)
    /// The reader is re-seated on the rest of the input, so use <see cref="Offset"/>, not Consumed, for positions.
    /// </summary>
    public static ReadOnlySequence<byte> ReadBin(ref MessagePackReader r)
    {
        long at = Offset(ref r);
        var rest = r.Sequence.Slice(r.Position);
        Span<byte> head = stackalloc byte[5];
        rest.Slice(0, Math.Min(5, rest.Length)).CopyTo(head);
        int size = r.NextCode switch { MessagePackCode.Bin8 => 1, MessagePackCode.Bin16 => 2, MessagePackCode.Bin32 => 4, _ => 0 };
        if (size == 0)
            throw new MessagePackSerializationException($"offset {at}: expected a bin, found {r.NextMessagePackType.ToString().ToLowerInvariant()}");
        if (rest.Length < 1 + size) throw new EndOfStreamException();
        long length = size switch { 1 => head[1], 2 => BinaryPrimitives.ReadUInt16BigEndian(head[1..]), _ => BinaryPrimitives.ReadUInt32BigEndian(head[1..]) };
        if (length > rest.Length - 1 - size)
            throw new MessagePackSerializationException($"offset {at}: bin of {length} bytes, {rest.Length - 1 - size} left");
        var bin = rest.Slice(1 + size, length);
        r = r.Clone(rest.Slice(bin.End));
        return bin;
    }

    /// <summary>Copies a bin read by <see cref="ReadBin"/> into <paramref name="destination"/> (from a snapshot file: straight from the file).</summary>
    public static void CopyTo(in ReadOnlySequence<byte> source, Span<byte> destination) => FileSequence.CopyTo(source, destination);

    /// <summary>The reader's position from the start of the input it was first made over (a file sequence or one array).</summary>
    public static long Offset(ref MessagePackReader r) =>
        r.Position.GetObject() is ReadOnlySequenceSegment<byte> segment ? segment.RunningIndex + r.Position.GetInteger() : r.Position.GetInteger();

    private static void Count(ref MessagePackReader r, int count, long at, string what, int perItem = 1)
    {
        if (count < 0 || (long)count * perItem > r.Sequence.Length - r.Consumed)
            throw new MessagePackSerializationException($"offset {at}: {what} of {(uint)count} entries in {r.Sequence.Length - r.Consumed} bytes left");
    }

    private static void Remaining(ref MessagePackReader r, long bytes)
    {
        if (bytes > r.Sequence.Length - r.Consumed)
            throw new EndOfStreamException($"offset {Offset(ref r)}: {bytes} bytes announced, {r.Sequence.Length - r.Consumed} left");
    }
}
