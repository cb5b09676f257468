// SnapshotValues over MessagePack-CSharp: the dynamic model round-trips, writes the smallest formats, and its guards refuse hostile input without recursion.
using System.Buffers;
using MessagePack;
using Nas.World.Snapshots;

namespace Nas.World.Tests.MessagePack;

public sealed class SnapshotValuesTests
{
    [Fact]
    public void ThousandRandomDocumentsRoundTripExactly()
    {
        var values = new RandomValues(seed: 3);
        for (int i = 0; i < 1000; i++)
        {
            object? value = values.Next();
            byte[] bytes = Codec.Encode(value);
            Assert.True(ValueEquality.Same(value, Codec.Decode(bytes)), $"document {i}: {Codec.Hex(bytes)[..Math.Min(200, bytes.Length * 2)]}");
        }
    }

    [Theory]
    [InlineData(0L, "00")]
    [InlineData(127L, "7f")]
    [InlineData(128L, "cc80")]
    [InlineData(256L, "cd0100")]
    [InlineData(65536L, "ce00010000")]
    [InlineData(4294967296L, "cf0000000100000000")]
    [InlineData(-1L, "ff")]
    [InlineData(-32L, "e0")]
    [InlineData(-33L, "d0df")]
    [InlineData(-129L, "d1ff7f")]
    [InlineData(-32769L, "d2ffff7fff")]
    [InlineData(long.MinValue, "d38000000000000000")]
    public void IntegersTakeTheSmallestFormatPythonWouldWrite(long value, string hex) =>
        Assert.Equal(hex, Codec.Hex(Codec.Encode(value)));

    [Fact]
    public void StringsAndBinsTakeTheSmallestLengthFormat()
    {
        Assert.Equal("a3616263", Codec.Hex(Codec.Encode("abc")));
        Assert.StartsWith("d920", Codec.Hex(Codec.Encode(new string('x', 32))));
        Assert.StartsWith("da0100", Codec.Hex(Codec.Encode(new string('x', 256))));
        Assert.StartsWith("c403", Codec.Hex(Codec.Encode(new byte[3])));
        Assert.StartsWith("c50100", Codec.Hex(Codec.Encode(new byte[256])));
    }

    [Fact]
    public void BinHeadersAbove2GiBUseTheBin32Form()
    {
        byte[] bytes = Codec.Encode((ref MessagePackWriter w) => SnapshotValues.WriteBinHeader(ref w, 3_000_000_000));
        Assert.Equal("c6b2d05e00", Codec.Hex(bytes));
        Assert.Throws<ArgumentOutOfRangeException>(() => Codec.Encode((ref MessagePackWriter w) => SnapshotValues.WriteBinHeader(ref w, 1L << 32)));
    }

    [Fact]
    public void TimestampsReadAsUtcDateTimeOffsets()
    {
        var t = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)).AddTicks(1234567);
        var read = Assert.IsType<DateTimeOffset>(Codec.Decode(Codec.Encode(t)));
        Assert.Equal(t, read);
        Assert.Equal(TimeSpan.Zero, read.Offset);
    }

    [Fact]
    public void NestingDeeperThanTheSecurityLimitIsRefusedNotOverflowed()
    {
        byte[] deep = [.. Enumerable.Repeat((byte)0x91, 100_000), 0xc0]; // 100,000 nested one-element arrays around nil
        Assert.Throws<InsufficientExecutionStackException>(() => Codec.Decode(deep));
        var reader = new MessagePackReader(deep);
        SnapshotValues.Skip(ref reader); // iterative: any depth, no stack
        Assert.True(reader.End);
    }

    [Theory]
    [InlineData("dd7fffffff")]        // array32 of 2^31-1 entries in 0 bytes
    [InlineData("ddffffffff")]        // array32 whose count is negative as an int
    [InlineData("df00100000c0")]      // map32 of 2^20 pairs in 1 byte
    [InlineData("c6ffffffff00")]      // bin32 of 4 GiB in 1 byte
    [InlineData("dbffffff0041")]      // str32 of 4 GiB in 1 byte
    [InlineData("c9ffffffff01")]      // ext32 of 4 GiB in 0 bytes
    [InlineData("82a161c0a161c0")]    // map with a repeated key
    [InlineData("81c0c0")]            // map with a nil key
    [InlineData("c1")]                // the never-used byte
    public void CountsAndLengthsBeyondTheInputAreRefusedBeforeAllocating(string hex)
    {
        byte[] bytes = Convert.FromHexString(hex);
        var e = Record.Exception(() => Codec.Decode(bytes));
        Assert.True(e is not null && SnapshotFile.IsMalformed(e), $"{hex}: {e?.GetType().Name}: {e?.Message}");
        e = Record.Exception(() => { var r = new MessagePackReader(bytes); SnapshotValues.Skip(ref r); if (!r.End) throw new EndOfStreamException(); });
        if (hex is not ("82a161c0a161c0" or "81c0c0")) // skipping does not look at keys
            Assert.True(e is not null && SnapshotFile.IsMalformed(e), $"skip {hex}: {e?.GetType().Name}: {e?.Message}");
    }

    [Fact]
    public void BinsAreCopiedSegmentBySegment()
    {
        var first = new Segment(new byte[] { 1, 2, 3 });
        var last = first.Append(new byte[] { 4, 5 });
        var destination = new byte[5];
        SnapshotValues.CopyTo(new ReadOnlySequence<byte>(first, 0, last, 2), destination);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, destination);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] data) => Memory = data;

        public Segment Append(byte[] data)
        {
            var next = new Segment(data) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
