// Interop both ways with Python's msgpack: it reads what MessagePack-CSharp writes for us, we read what it writes, byte for byte.
using Nas.World.Snapshots;

namespace Nas.World.Tests.MessagePack;

public sealed class PythonInteropTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-msgpack-interop-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>The same document as KNOWN in tests/oracles/msgpack_interop.py, key for key (timestamps at 100 ns resolution).</summary>
    private static Dictionary<object, object?> Known()
    {
        static byte[] Fill(byte b, int n) => Enumerable.Repeat(b, n).ToArray();
        static byte[] Ascii(string s) => System.Text.Encoding.ASCII.GetBytes(s);
        static DateTimeOffset At(long seconds, long nanoseconds) => DateTimeOffset.UnixEpoch.AddSeconds(seconds).AddTicks(nanoseconds / 100);
        return new Dictionary<object, object?>
        {
            ["nil"] = null,
            ["bools"] = new object?[] { true, false },
            ["ints"] = new object?[] { 0L, 1L, 127L, 128L, 255L, 256L, 65535L, 65536L, 4294967295L, 4294967296L, long.MaxValue, ulong.MaxValue,
                -1L, -32L, -33L, -128L, -129L, -32768L, -32769L, (long)int.MinValue, (long)int.MinValue - 1, long.MinValue },
            ["f64"] = new object?[] { 1.5, -0.0, double.PositiveInfinity, 1e300 },
            ["str"] = new object?[] { "", "héllo €", new string('x', 40), new string('y', 300), new string('z', 70000) },
            ["bin"] = new object?[] { Array.Empty<byte>(), new byte[] { 0, 1, 0xff }, Fill(0xab, 300), Fill(0xcd, 70000) },
            ["ext"] = new object?[] { new SnapshotExtension(5, Ascii("a")), new SnapshotExtension(6, Ascii("ab")), new SnapshotExtension(7, Ascii("abc")),
                new SnapshotExtension(8, Ascii("abcd")), new SnapshotExtension(9, Ascii("12345678")), new SnapshotExtension(10, Ascii("0123456789abcdef")),
                new SnapshotExtension(11, Fill((byte)'q', 300)), new SnapshotExtension(127, Fill((byte)'r', 70000)) },
            ["ts"] = new object?[] { At(0, 0), At(1700000000, 0), At(1700000000, 123456700), At(1L << 34, 500), At(-1, 500) },
            ["nested"] = new object?[] { Array.Empty<object?>(), new Dictionary<object, object?>(), new object?[] { new object?[] { new object?[] { 1L } } },
                new Dictionary<object, object?> { ["a"] = new Dictionary<object, object?> { ["b"] = new object?[] { null } } } },
            [5L] = "int key",
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
        Assert.True(ValueEquality.Same(Known(), read));
        Assert.Equal(Codec.Hex(pythonBytes), Codec.Hex(Codec.Encode(Known())));
    }

    [Fact]
    public void PythonRepacksRandomDocumentsToTheSameBytes()
    {
        var values = new RandomValues(seed: 11);
        var documents = Enumerable.Range(0, 300).Select(_ => Pythonable(values.Next())).ToArray();
        byte[] ours = Codec.Encode((ref global::MessagePack.MessagePackWriter w) => { foreach (var d in documents) SnapshotValues.Write(ref w, d); });
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
        Dictionary<object, object?> map => map.Values.Select((v, i) => (Key: (object)$"k{i}", Value: Pythonable(v))).ToDictionary(p => p.Key, p => p.Value),
        _ => value,
    };
}
