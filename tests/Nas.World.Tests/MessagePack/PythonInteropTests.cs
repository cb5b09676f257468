// Interop both ways with Python's msgpack: it reads what we write, we read what it writes, byte for byte.
using Nas.World.MessagePack;

namespace Nas.World.Tests.MessagePack;

public sealed class PythonInteropTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-msgpack-interop-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>The same document as KNOWN in tests/oracles/msgpack_interop.py, key for key.</summary>
    private static MessagePackMap Known()
    {
        static byte[] Fill(byte b, int n) => Enumerable.Repeat(b, n).ToArray();
        static byte[] Ascii(string s) => System.Text.Encoding.ASCII.GetBytes(s);
        return new MessagePackMap
        {
            { "nil", null },
            { "bools", new object?[] { true, false } },
            { "ints", new object?[] { 0L, 1L, 127L, 128L, 255L, 256L, 65535L, 65536L, 4294967295L, 4294967296L, long.MaxValue, ulong.MaxValue,
                -1L, -32L, -33L, -128L, -129L, -32768L, -32769L, (long)int.MinValue, (long)int.MinValue - 1, long.MinValue } },
            { "f64", new object?[] { 1.5, -0.0, double.PositiveInfinity, 1e300 } },
            { "str", new object?[] { "", "héllo €", new string('x', 40), new string('y', 300), new string('z', 70000) } },
            { "bin", new object?[] { Array.Empty<byte>(), new byte[] { 0, 1, 0xff }, Fill(0xab, 300), Fill(0xcd, 70000) } },
            { "ext", new object?[] { new MessagePackExtension(5, Ascii("a")), new MessagePackExtension(6, Ascii("ab")), new MessagePackExtension(7, Ascii("abc")),
                new MessagePackExtension(8, Ascii("abcd")), new MessagePackExtension(9, Ascii("12345678")), new MessagePackExtension(10, Ascii("0123456789abcdef")),
                new MessagePackExtension(11, Fill((byte)'q', 300)), new MessagePackExtension(127, Fill((byte)'r', 70000)) } },
            { "ts", new object?[] { new MessagePackTimestamp(0, 0), new MessagePackTimestamp(1700000000, 0), new MessagePackTimestamp(1700000000, 123456789),
                new MessagePackTimestamp(1L << 34, 5), new MessagePackTimestamp(-1, 500) } },
            { "nested", new object?[] { Array.Empty<object?>(), new MessagePackMap(), new object?[] { new object?[] { new object?[] { 1L } } },
                new MessagePackMap { { "a", new MessagePackMap { { "b", new object?[] { null } } } } } } },
            { 5L, "int key" },
        };
    }

    [Fact]
    public void PythonReadsWhatWeWriteWithTheExpectedValues()
    {
        string file = Path.Combine(_folder, "ours.msgpack");
        File.WriteAllBytes(file, Codec.Encode(Known()));
        Assert.Equal("ok", PythonOracle.Run(PythonOracle.Script("msgpack_interop.py"), "check", file).Trim());
    }

    [Fact]
    public void WeReadWhatPythonWritesAndEncodeItIdentically()
    {
        string file = Path.Combine(_folder, "python.msgpack");
        PythonOracle.Run(PythonOracle.Script("msgpack_interop.py"), "emit", file);
        byte[] pythonBytes = File.ReadAllBytes(file);
        object? read = Codec.Decode(pythonBytes);
        Assert.True(ValueEquality.Same(Known(), read), MessagePackText.Format(read));
        Assert.Equal(Codec.Hex(pythonBytes), Codec.Hex(Codec.Encode(Known())));
    }

    [Fact]
    public void PythonRepacksRandomDocumentsToTheSameBytes()
    {
        var values = new RandomValues(seed: 11);
        var documents = Enumerable.Range(0, 300).Select(_ => Pythonable(values.Next())).ToArray();
        byte[] ours = Codec.Encode(w => { foreach (var d in documents) w.Write(d); });
        string input = Path.Combine(_folder, "random.msgpack"), output = Path.Combine(_folder, "repacked.msgpack");
        File.WriteAllBytes(input, ours);
        PythonOracle.Run(PythonOracle.Script("msgpack_interop.py"), "repack", input, output);
        Assert.Equal(Codec.Hex(ours), Codec.Hex(File.ReadAllBytes(output)));
    }

    /// <summary>Python decodes float 32 as a float it re-encodes as float 64, and needs unique hashable map keys.</summary>
    private static object? Pythonable(object? value) => value switch
    {
        float f => (double)f,
        object?[] items => items.Select(Pythonable).ToArray(),
        MessagePackMap map => new MessagePackMap(map.Count).Also(m =>
        {
            for (int i = 0; i < map.Count; i++)
                m.Add($"k{i}", Pythonable(map[i].Value));
        }),
        _ => value,
    };
}

internal static class MapExtensions
{
    public static MessagePackMap Also(this MessagePackMap map, Action<MessagePackMap> fill)
    {
        fill(map);
        return map;
    }
}
