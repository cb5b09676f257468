// Each value at a format boundary is written in the smallest format, byte for byte as the MessagePack spec lays it out.
using Nas.World.MessagePack;

namespace Nas.World.Tests.MessagePack;

public sealed class BoundaryEncodingTests
{
    // Expected bytes written by hand from the spec (github.com/msgpack/msgpack/blob/master/spec.md).
    [Theory]
    [InlineData(0L, "00")]
    [InlineData(127L, "7f")]
    [InlineData(128L, "cc80")]
    [InlineData(255L, "ccff")]
    [InlineData(256L, "cd0100")]
    [InlineData(65535L, "cdffff")]
    [InlineData(65536L, "ce00010000")]
    [InlineData(4294967295L, "ceffffffff")]
    [InlineData(4294967296L, "cf0000000100000000")]
    [InlineData(long.MaxValue, "cf7fffffffffffffff")]
    [InlineData(-1L, "ff")]
    [InlineData(-32L, "e0")]
    [InlineData(-33L, "d0df")]
    [InlineData(-128L, "d080")]
    [InlineData(-129L, "d1ff7f")]
    [InlineData(-32768L, "d18000")]
    [InlineData(-32769L, "d2ffff7fff")]
    [InlineData(-2147483648L, "d280000000")]
    [InlineData(-2147483649L, "d3ffffffff7fffffff")]
    [InlineData(long.MinValue, "d38000000000000000")]
    public void IntegersUseTheSmallestFormat(long value, string hex)
    {
        byte[] bytes = Codec.Encode(w => w.WriteInt64(value));
        Assert.Equal(hex, Codec.Hex(bytes));
        Assert.Equal(value, new MessagePackReader(new MemoryStream(bytes)).ReadInt64());
    }

    [Fact]
    public void UInt64MaxUsesUInt64Format()
    {
        byte[] bytes = Codec.Encode(w => w.WriteUInt64(ulong.MaxValue));
        Assert.Equal("cfffffffffffffffff", Codec.Hex(bytes));
        Assert.Equal(ulong.MaxValue, new MessagePackReader(new MemoryStream(bytes)).ReadUInt64());
    }

    [Theory]
    [InlineData(0, "a0")]
    [InlineData(31, "bf")]
    [InlineData(32, "d920")]
    [InlineData(255, "d9ff")]
    [InlineData(256, "da0100")]
    [InlineData(65535, "daffff")]
    [InlineData(65536, "db00010000")]
    public void StringLengthsUseTheSmallestFormat(int length, string headerHex)
    {
        byte[] bytes = Codec.Encode(w => w.WriteString(new string('x', length)));
        Assert.Equal(headerHex, Codec.Hex(bytes[..(headerHex.Length / 2)]));
        Assert.Equal(headerHex.Length / 2 + length, bytes.Length);
    }

    [Theory]
    [InlineData(0, "c400")]
    [InlineData(255, "c4ff")]
    [InlineData(256, "c50100")]
    [InlineData(65535, "c5ffff")]
    [InlineData(65536, "c600010000")]
    public void BinLengthsUseTheSmallestFormat(int length, string headerHex)
    {
        byte[] bytes = Codec.Encode(w => w.WriteBin(new byte[length]));
        Assert.Equal(headerHex, Codec.Hex(bytes[..(headerHex.Length / 2)]));
        Assert.Equal(headerHex.Length / 2 + length, bytes.Length);
    }

    [Theory]
    [InlineData(0, "90", "80")]
    [InlineData(15, "9f", "8f")]
    [InlineData(16, "dc0010", "de0010")]
    [InlineData(65535, "dcffff", "deffff")]
    [InlineData(65536, "dd00010000", "df00010000")]
    public void ArrayAndMapHeadersUseTheSmallestFormat(int count, string arrayHex, string mapHex)
    {
        Assert.Equal(arrayHex, Codec.Hex(Codec.Encode(w => { w.WriteArrayHeader(count); for (int i = 0; i < count; i++) w.WriteNil(); }))[..arrayHex.Length]);
        Assert.Equal(mapHex, Codec.Hex(Codec.Encode(w => { w.WriteMapHeader(count); for (int i = 0; i < 2 * count; i++) w.WriteNil(); }))[..mapHex.Length]);
    }

    [Theory]
    [InlineData(1, "d405")]
    [InlineData(2, "d505")]
    [InlineData(3, "c70305")]
    [InlineData(4, "d605")]
    [InlineData(8, "d705")]
    [InlineData(16, "d805")]
    [InlineData(17, "c71105")]
    [InlineData(256, "c8010005")]
    [InlineData(65536, "c90001000005")]
    public void ExtensionsUseFixExtWhereTheLengthAllows(int length, string headerHex)
    {
        byte[] bytes = Codec.Encode(w => w.WriteExt(5, new byte[length]));
        Assert.Equal(headerHex, Codec.Hex(bytes[..(headerHex.Length / 2)]));
        Assert.Equal(headerHex.Length / 2 + length, bytes.Length);
    }

    [Fact]
    public void ScalarsHaveTheirSpecBytes()
    {
        Assert.Equal("c0", Codec.Hex(Codec.Encode(w => w.WriteNil())));
        Assert.Equal("c2", Codec.Hex(Codec.Encode(w => w.WriteBool(false))));
        Assert.Equal("c3", Codec.Hex(Codec.Encode(w => w.WriteBool(true))));
        Assert.Equal("ca3fc00000", Codec.Hex(Codec.Encode(w => w.WriteSingle(1.5f))));
        Assert.Equal("cb3ff8000000000000", Codec.Hex(Codec.Encode(w => w.WriteDouble(1.5))));
        Assert.Equal("a3e282ac", Codec.Hex(Codec.Encode(w => w.WriteString("\u20ac")))); // euro sign is 3 UTF-8 bytes
    }

    // Forms from the spec's timestamp section: 32-bit when nanoseconds are 0 and seconds fit in 32 bits,
    // 64-bit when seconds fit in 34 bits, 96-bit otherwise (and for negative seconds).
    [Theory]
    [InlineData(0L, 0u, "d6ff00000000")]
    [InlineData(4294967295L, 0u, "d6ffffffffff")]
    [InlineData(4294967296L, 0u, "d7ff0000000100000000")]
    [InlineData(1L, 1u, "d7ff0000000400000001")]
    [InlineData(17179869183L, 999999999u, "d7ffee6b27ffffffffff")]
    [InlineData(17179869184L, 0u, "c70cff000000000000000400000000")]
    [InlineData(-1L, 500u, "c70cff000001f4ffffffffffffffff")]
    public void TimestampsUseTheSmallestForm(long seconds, uint nanoseconds, string hex)
    {
        var time = new MessagePackTimestamp(seconds, nanoseconds);
        byte[] bytes = Codec.Encode(w => w.WriteTimestamp(time));
        Assert.Equal(hex, Codec.Hex(bytes));
        Assert.Equal(time, new MessagePackReader(new MemoryStream(bytes)).ReadTimestamp());
    }
}
