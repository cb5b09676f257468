// The reader rejects malformed, truncated and over-limit input with a MessagePackException naming the offset.
using Nas.World.MessagePack;

namespace Nas.World.Tests.MessagePack;

public sealed class ReaderErrorTests
{
    private static MessagePackException Fails(string hex, Action<MessagePackReader> read, MessagePackReaderOptions? options = null) =>
        Assert.Throws<MessagePackException>(() => read(new MessagePackReader(new MemoryStream(Convert.FromHexString(hex)), options)));

    [Fact]
    public void NeverUsedByteIsNamedWithItsOffset()
    {
        var e = Fails("81a161c1", r => { r.ReadMapHeader(); r.ReadString(); r.ReadMapHeader(); });
        Assert.Equal("offset 3: expected map header, found 0xc1 (never used)", e.Message);
        Assert.Equal(3, e.Offset);
    }

    [Fact]
    public void TruncatedIntegerFieldIsReported()
    {
        var e = Fails("cd01", r => r.ReadInt64());
        Assert.StartsWith("offset 0: truncated: uint 16 needs 2 bytes", e.Message);
    }

    [Fact]
    public void EndOfInputIsReported()
    {
        // Unseekable, so the array count cannot be checked against the length up front.
        var reader = new MessagePackReader(new UnseekableStream(Convert.FromHexString("92c0")));
        var e = Assert.Throws<MessagePackException>(() => { reader.ReadArrayHeader(); reader.ReadNil(); reader.ReadNil(); });
        Assert.Equal("offset 2: expected nil, found end of input", e.Message);
    }

    [Fact]
    public void DeclaredLengthBeyondTheRemainingBytesIsRejectedAtTheHeader()
    {
        // bin 32 declaring 4 GiB - 1 in a 9-byte input: rejected before any allocation.
        var e = Fails("c6ffffffff00000000", r => r.ReadBin());
        Assert.Equal("offset 0: bin length 4294967295 declared, but only 4 bytes remain", e.Message);
    }

    [Fact]
    public void MapCountBeyondTheRemainingBytesIsRejected()
    {
        var e = Fails("df00010000c0c0", r => r.Read());
        Assert.Contains("map length 65536 declared, but only 2 bytes remain", e.Message);
    }

    [Fact]
    public void LengthLimitsApplyEvenWhenTheBytesArePresent()
    {
        var e = Fails("a3616263", r => r.ReadString(), new MessagePackReaderOptions { MaxStringLength = 2 });
        Assert.Equal("offset 0: str length 3 exceeds the limit of 2", e.Message);
    }

    [Fact]
    public void NestingBeyondTheLimitIsRejected()
    {
        var e = Fails("919191c0", r => r.Read(), new MessagePackReaderOptions { MaxDepth = 2 });
        Assert.Equal("offset 2: nesting deeper than the limit of 2", e.Message);
    }

    [Fact]
    public void SkipAlsoEnforcesTheDepthLimit()
    {
        Fails("919191c0", r => r.Skip(), new MessagePackReaderOptions { MaxDepth = 2 });
    }

    [Fact]
    public void InvalidUtf8IsRejected()
    {
        var e = Fails("a2c328", r => r.ReadString());
        Assert.Equal("offset 0: str is not valid UTF-8", e.Message);
    }

    [Fact]
    public void UInt64AboveInt64MaxDoesNotFitInt64()
    {
        var e = Fails("cf8000000000000000", r => r.ReadInt64());
        Assert.Contains("does not fit in Int64", e.Message);
    }

    [Fact]
    public void NegativeIntegerIsNotUnsigned()
    {
        var e = Fails("ff", r => r.ReadUInt64());
        Assert.Contains("negative value -1", e.Message);
    }

    [Fact]
    public void TimestampWithTooManyNanosecondsIsRejected()
    {
        // 64-bit form with nanoseconds field = 2^30 - 1 > 999,999,999.
        var e = Fails("d7ffffffffff00000000", r => r.ReadTimestamp());
        Assert.Contains("nanoseconds 1073741823 exceed", e.Message);
    }

    [Fact]
    public void TimestampOfTheWrongSizeIsRejected()
    {
        var e = Fails("d5ff0000", r => r.Read());
        Assert.Contains("timestamp payload must be 4, 8 or 12 bytes, found 2", e.Message);
    }

    [Fact]
    public void TruncatedPayloadOfAnUnseekableStreamIsReported()
    {
        var reader = new MessagePackReader(new UnseekableStream(Convert.FromHexString("c40a0102")));
        var e = Assert.Throws<MessagePackException>(() => reader.ReadBin());
        Assert.Contains("truncated", e.Message);
    }
}
