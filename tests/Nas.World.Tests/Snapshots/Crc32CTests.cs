// CRC-32C against published vectors and the software path against the hardware path.
using Nas.World.Snapshots;

namespace Nas.World.Tests.Snapshots;

public sealed class Crc32CTests
{
    // Vectors: the CRC catalogue check value ("123456789") and RFC 3720 appendix B.4 (iSCSI).
    [Theory]
    [InlineData("123456789", 0xE3069283u)]
    [InlineData("", 0x00000000u)]
    public void MatchesTheCheckValue(string text, uint expected)
    {
        byte[] bytes = System.Text.Encoding.ASCII.GetBytes(text);
        Assert.Equal(expected, Crc32C.Compute(bytes));
        Assert.Equal(expected, Crc32C.ComputeSoftware(bytes));
    }

    [Fact]
    public void MatchesTheIscsiVectors()
    {
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));
        Assert.Equal(0x62A8AB43u, Crc32C.Compute(Enumerable.Repeat((byte)0xff, 32).ToArray()));
        Assert.Equal(0x46DD794Eu, Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()));
        Assert.Equal(0x113FDB5Cu, Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)(31 - i)).ToArray()));
    }

    [Fact]
    public void SoftwareAndHardwarePathsAgreeOnEveryLength()
    {
        var random = new Random(5);
        for (int length = 0; length < 300; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            Assert.Equal(Crc32C.ComputeSoftware(data), Crc32C.Compute(data));
        }
    }

    [Fact]
    public void AppendingPiecesEqualsTheWhole()
    {
        var data = new byte[10_000];
        new Random(6).NextBytes(data);
        uint crc = 0;
        for (int at = 0; at < data.Length; at += 777)
            crc = Crc32C.Append(crc, data.AsSpan(at, Math.Min(777, data.Length - at)));
        Assert.Equal(Crc32C.Compute(data), crc);
    }

    [Fact]
    public void StreamWrapperChecksumsWhatPassesThrough()
    {
        var data = new byte[5000];
        new Random(7).NextBytes(data);
        using var inner = new MemoryStream();
        var stream = new Crc32CStream(inner);
        stream.Write(data, 0, 1234);
        stream.Write(data.AsSpan(1234));
        Assert.Equal(Crc32C.Compute(data), stream.Crc);
        Assert.Equal(data, inner.ToArray());
    }
}
