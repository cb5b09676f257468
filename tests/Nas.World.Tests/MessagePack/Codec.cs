// Encodes and decodes in memory for the codec tests.
using Nas.World.MessagePack;

namespace Nas.World.Tests.MessagePack;

internal static class Codec
{
    public static byte[] Encode(Action<MessagePackWriter> write, int bufferSize = 64 * 1024)
    {
        using var stream = new MemoryStream();
        var writer = new MessagePackWriter(stream, bufferSize);
        write(writer);
        writer.Flush();
        return stream.ToArray();
    }

    public static byte[] Encode(object? value) => Encode(w => w.Write(value));

    public static object? Decode(byte[] bytes, MessagePackReaderOptions? options = null)
    {
        var reader = new MessagePackReader(new MemoryStream(bytes), options);
        object? value = reader.Read();
        Assert.True(reader.IsAtEnd, $"{bytes.Length - reader.Offset} bytes left after the value");
        return value;
    }

    public static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
