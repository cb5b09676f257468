// Property-based round trips: seeded random nested values survive write then read unchanged.
using Nas.World.MessagePack;

namespace Nas.World.Tests.MessagePack;

public sealed class RoundTripTests
{
    [Fact]
    public void FiveThousandRandomValuesRoundTrip()
    {
        var values = new RandomValues(seed: 20240601);
        for (int i = 0; i < 5000; i++)
        {
            object? value = values.Next();
            byte[] bytes = Codec.Encode(w => w.Write(value), bufferSize: 64 + (i % 7) * 100); // small buffers exercise the flush paths
            object? back = Codec.Decode(bytes);
            Assert.True(ValueEquality.Same(value, back), $"case {i}: wrote {MessagePackText.Format(value)}, read {MessagePackText.Format(back)}");
        }
    }

    [Fact]
    public void RandomValuesRoundTripThroughAStreamWithoutLength()
    {
        var values = new RandomValues(seed: 7);
        for (int i = 0; i < 500; i++)
        {
            object? value = values.Next();
            var reader = new MessagePackReader(new UnseekableStream(Codec.Encode(value)), bufferSize: 16);
            Assert.True(ValueEquality.Same(value, reader.Read()), $"case {i}");
        }
    }

    [Fact]
    public void SkipPassesOverExactlyOneRandomValue()
    {
        var values = new RandomValues(seed: 99);
        for (int i = 0; i < 500; i++)
        {
            object? value = values.Next();
            byte[] bytes = Codec.Encode(w => { w.Write(value); w.WriteString("after"); });
            var reader = new MessagePackReader(new MemoryStream(bytes));
            reader.Skip();
            Assert.Equal("after", reader.ReadString());
        }
    }

    [Fact]
    public void NestingUpToTheDepthLimitRoundTrips()
    {
        var options = new MessagePackReaderOptions { MaxDepth = 100 };
        object? value = "leaf";
        for (int i = 0; i < 100; i++)
            value = i % 2 == 0 ? new object?[] { value } : new MessagePackMap { { (long)i, value } };
        Assert.True(ValueEquality.Same(value, Codec.Decode(Codec.Encode(value), options)));
    }

    [Fact]
    public void LargeBinWrittenInChunksReadsBackInChunks()
    {
        var values = new RandomValues(seed: 3);
        byte[] payload = values.NextBytes(3_000_000);
        byte[] bytes = Codec.Encode(w =>
        {
            w.WriteBinHeader(payload.Length);
            for (int at = 0; at < payload.Length; at += 700_001)
                w.WriteRaw(payload.AsSpan(at, Math.Min(700_001, payload.Length - at)));
        });
        var reader = new MessagePackReader(new MemoryStream(bytes));
        long length = reader.ReadBinHeader();
        var back = new byte[length];
        for (int at = 0; at < back.Length; at += 123_457)
            reader.ReadRaw(back.AsSpan(at, Math.Min(123_457, back.Length - at)));
        Assert.Equal(payload, back);
        Assert.True(reader.IsAtEnd);
    }

    [Fact]
    public void WriterRejectsMoreRawBytesThanTheHeaderAnnounced()
    {
        using var stream = new MemoryStream();
        var writer = new MessagePackWriter(stream);
        writer.WriteBinHeader(2);
        Assert.Throws<InvalidOperationException>(() => writer.WriteRaw(new byte[3]));
    }

    [Fact]
    public void WriterRejectsAHeaderWhilePayloadIsOwed()
    {
        using var stream = new MemoryStream();
        var writer = new MessagePackWriter(stream);
        writer.WriteStringHeader(4);
        Assert.Throws<InvalidOperationException>(() => writer.WriteNil());
    }
}

/// <summary>A read-only stream that hides its length, as a pipe would.</summary>
internal sealed class UnseekableStream(byte[] data) : Stream
{
    private readonly MemoryStream _inner = new(data);
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
