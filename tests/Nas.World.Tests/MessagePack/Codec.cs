// Encodes and decodes in memory for the MessagePack tests, through MessagePack-CSharp and SnapshotValues.
using System.Buffers;
using MessagePack;
using Nas.World.Snapshots;

namespace Nas.World.Tests.MessagePack;

internal delegate void Writes(ref MessagePackWriter writer);

internal static class Codec
{
    public static byte[] Encode(Writes write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Encode(object? value) => Encode((ref MessagePackWriter w) => SnapshotValues.Write(ref w, value));

    public static object? Decode(byte[] bytes)
    {
        var reader = new MessagePackReader(bytes);
        object? value = SnapshotValues.Read(ref reader);
        Assert.True(reader.End, $"{bytes.Length - reader.Consumed} bytes left after the value");
        return value;
    }

    public static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
