// Streams MessagePack to a Stream through a small buffer; big payloads go straight through.
using System.Buffers.Binary;
using System.Text;

namespace Nas.World.MessagePack;

/// <summary>
/// Writes values in the smallest format the MessagePack spec allows. Nothing is buffered beyond
/// <c>bufferSize</c> bytes: a bin of any size can be written as <see cref="WriteBinHeader"/> followed
/// by <see cref="WriteRaw"/> chunks. The writer tracks structure, so writing a header while payload
/// bytes are still owed, or more raw bytes than announced, throws InvalidOperationException.
/// Call <see cref="Flush"/> (or Dispose) at the end; the stream is not closed.
/// </summary>
public sealed partial class MessagePackWriter : IDisposable
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Stream _stream;
    private readonly byte[] _buffer;
    private readonly MessagePackStructure _structure = new();
    private int _used;
    private long _flushed;

    public MessagePackWriter(Stream stream, int bufferSize = 64 * 1024)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, 64);
        _stream = stream;
        _buffer = new byte[bufferSize];
    }

    /// <summary>Bytes written so far, including those still in the buffer.</summary>
    public long BytesWritten => _flushed + _used;

    /// <summary>Number of open arrays/maps.</summary>
    public int Depth => _structure.Depth;

    /// <summary>Number of complete top-level values written.</summary>
    public long TopLevelValues => _structure.TopLevelValues;

    /// <summary>Values still owed to the innermost open array/map (0 at top level).</summary>
    internal long RemainingInInnermost => _structure.RemainingInInnermost;

    internal bool IsPayloadComplete => _structure.PendingBytes == 0;

    /// <summary>True when no container is open and no payload bytes are owed.</summary>
    public bool IsAtValueBoundary => _structure.Depth == 0 && _structure.PendingBytes == 0;

    public void WriteNil()
    {
        Reserve(1)[0] = MessagePackCode.Nil;
        Commit(1);
        _structure.ValueDone();
    }

    public void WriteBool(bool value)
    {
        Reserve(1)[0] = value ? MessagePackCode.True : MessagePackCode.False;
        Commit(1);
        _structure.ValueDone();
    }

    public void WriteInt64(long value)
    {
        if (value >= 0)
        {
            WriteUInt64((ulong)value);
            return;
        }
        Span<byte> s = Reserve(9);
        int n;
        if (value >= -32) { s[0] = unchecked((byte)value); n = 1; }
        else if (value >= sbyte.MinValue) { s[0] = MessagePackCode.Int8; s[1] = unchecked((byte)value); n = 2; }
        else if (value >= short.MinValue) { s[0] = MessagePackCode.Int16; BinaryPrimitives.WriteInt16BigEndian(s[1..], (short)value); n = 3; }
        else if (value >= int.MinValue) { s[0] = MessagePackCode.Int32; BinaryPrimitives.WriteInt32BigEndian(s[1..], (int)value); n = 5; }
        else { s[0] = MessagePackCode.Int64; BinaryPrimitives.WriteInt64BigEndian(s[1..], value); n = 9; }
        Commit(n);
        _structure.ValueDone();
    }

    public void WriteUInt64(ulong value)
    {
        Span<byte> s = Reserve(9);
        int n;
        if (value <= 0x7f) { s[0] = (byte)value; n = 1; }
        else if (value <= byte.MaxValue) { s[0] = MessagePackCode.UInt8; s[1] = (byte)value; n = 2; }
        else if (value <= ushort.MaxValue) { s[0] = MessagePackCode.UInt16; BinaryPrimitives.WriteUInt16BigEndian(s[1..], (ushort)value); n = 3; }
        else if (value <= uint.MaxValue) { s[0] = MessagePackCode.UInt32; BinaryPrimitives.WriteUInt32BigEndian(s[1..], (uint)value); n = 5; }
        else { s[0] = MessagePackCode.UInt64; BinaryPrimitives.WriteUInt64BigEndian(s[1..], value); n = 9; }
        Commit(n);
        _structure.ValueDone();
    }

    /// <summary>Writes a uint32 in its 5-byte form whatever its value (fixed-size fields such as a trailer checksum).</summary>
    public void WriteUInt32Fixed(uint value)
    {
        Span<byte> s = Reserve(5);
        s[0] = MessagePackCode.UInt32;
        BinaryPrimitives.WriteUInt32BigEndian(s[1..], value);
        Commit(5);
        _structure.ValueDone();
    }

    public void WriteSingle(float value)
    {
        Span<byte> s = Reserve(5);
        s[0] = MessagePackCode.Float32;
        BinaryPrimitives.WriteSingleBigEndian(s[1..], value);
        Commit(5);
        _structure.ValueDone();
    }

    public void WriteDouble(double value)
    {
        Span<byte> s = Reserve(9);
        s[0] = MessagePackCode.Float64;
        BinaryPrimitives.WriteDoubleBigEndian(s[1..], value);
        Commit(9);
        _structure.ValueDone();
    }

    /// <summary>Writes a UTF-8 str; throws ArgumentException for strings with unpaired surrogates.</summary>
    public void WriteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        int bytes = StrictUtf8.GetByteCount(value);
        WriteStringHeader(bytes);
        if (bytes <= _buffer.Length - _used)
        {
            int n = StrictUtf8.GetBytes(value, _buffer.AsSpan(_used));
            Commit(n);
            _structure.Consume(n);
            return;
        }
        byte[] encoded = StrictUtf8.GetBytes(value);
        WriteRaw(encoded);
    }

    /// <summary>Writes a str whose bytes are already UTF-8 (not validated).</summary>
    public void WriteStringUtf8(ReadOnlySpan<byte> utf8)
    {
        WriteStringHeader(utf8.Length);
        WriteRaw(utf8);
    }

    /// <summary>Starts a str of <paramref name="byteLength"/> UTF-8 bytes, to be supplied with WriteRaw.</summary>
    public void WriteStringHeader(long byteLength)
    {
        CheckLength(byteLength);
        Span<byte> s = Reserve(5);
        int n;
        if (byteLength <= 31) { s[0] = (byte)(MessagePackCode.MinFixStr | byteLength); n = 1; }
        else if (byteLength <= byte.MaxValue) { s[0] = MessagePackCode.Str8; s[1] = (byte)byteLength; n = 2; }
        else if (byteLength <= ushort.MaxValue) { s[0] = MessagePackCode.Str16; BinaryPrimitives.WriteUInt16BigEndian(s[1..], (ushort)byteLength); n = 3; }
        else { s[0] = MessagePackCode.Str32; BinaryPrimitives.WriteUInt32BigEndian(s[1..], (uint)byteLength); n = 5; }
        Commit(n);
        _structure.Payload(byteLength);
    }

    public void WriteBin(ReadOnlySpan<byte> data)
    {
        WriteBinHeader(data.Length);
        WriteRaw(data);
    }

    /// <summary>Starts a bin of <paramref name="length"/> bytes, to be supplied with WriteRaw in any number of chunks.</summary>
    public void WriteBinHeader(long length)
    {
        CheckLength(length);
        Span<byte> s = Reserve(5);
        int n;
        if (length <= byte.MaxValue) { s[0] = MessagePackCode.Bin8; s[1] = (byte)length; n = 2; }
        else if (length <= ushort.MaxValue) { s[0] = MessagePackCode.Bin16; BinaryPrimitives.WriteUInt16BigEndian(s[1..], (ushort)length); n = 3; }
        else { s[0] = MessagePackCode.Bin32; BinaryPrimitives.WriteUInt32BigEndian(s[1..], (uint)length); n = 5; }
        Commit(n);
        _structure.Payload(length);
    }

    public void WriteArrayHeader(long count)
    {
        CheckLength(count);
        Span<byte> s = Reserve(5);
        int n;
        if (count <= 15) { s[0] = (byte)(MessagePackCode.MinFixArray | count); n = 1; }
        else if (count <= ushort.MaxValue) { s[0] = MessagePackCode.Array16; BinaryPrimitives.WriteUInt16BigEndian(s[1..], (ushort)count); n = 3; }
        else { s[0] = MessagePackCode.Array32; BinaryPrimitives.WriteUInt32BigEndian(s[1..], (uint)count); n = 5; }
        Commit(n);
        _structure.Open(count);
    }

    /// <summary>Starts a map of <paramref name="count"/> entries; write key, value, key, value, ...</summary>
    public void WriteMapHeader(long count)
    {
        CheckLength(count);
        Span<byte> s = Reserve(5);
        int n;
        if (count <= 15) { s[0] = (byte)(MessagePackCode.MinFixMap | count); n = 1; }
        else if (count <= ushort.MaxValue) { s[0] = MessagePackCode.Map16; BinaryPrimitives.WriteUInt16BigEndian(s[1..], (ushort)count); n = 3; }
        else { s[0] = MessagePackCode.Map32; BinaryPrimitives.WriteUInt32BigEndian(s[1..], (uint)count); n = 5; }
        Commit(n);
        _structure.Open(count * 2);
    }

    /// <summary>Starts an ext value of <paramref name="length"/> bytes (fixext1..16 when the length allows).</summary>
    public void WriteExtHeader(sbyte type, long length)
    {
        CheckLength(length);
        Span<byte> s = Reserve(6);
        int n;
        switch (length)
        {
            case 1: s[0] = MessagePackCode.FixExt1; n = 1; break;
            case 2: s[0] = MessagePackCode.FixExt2; n = 1; break;
            case 4: s[0] = MessagePackCode.FixExt4; n = 1; break;
            case 8: s[0] = MessagePackCode.FixExt8; n = 1; break;
            case 16: s[0] = MessagePackCode.FixExt16; n = 1; break;
            case <= byte.MaxValue: s[0] = MessagePackCode.Ext8; s[1] = (byte)length; n = 2; break;
            case <= ushort.MaxValue: s[0] = MessagePackCode.Ext16; BinaryPrimitives.WriteUInt16BigEndian(s[1..], (ushort)length); n = 3; break;
            default: s[0] = MessagePackCode.Ext32; BinaryPrimitives.WriteUInt32BigEndian(s[1..], (uint)length); n = 5; break;
        }
        s[n++] = unchecked((byte)type);
        Commit(n);
        _structure.Payload(length);
    }

    public void WriteExt(sbyte type, ReadOnlySpan<byte> data)
    {
        WriteExtHeader(type, data.Length);
        WriteRaw(data);
    }

    /// <summary>Writes the timestamp extension in its smallest form (32, 64 or 96 bit).</summary>
    public void WriteTimestamp(MessagePackTimestamp time)
    {
        if (time.Nanoseconds > 999_999_999)
            throw new ArgumentOutOfRangeException(nameof(time), "timestamp nanoseconds must be 0..999,999,999");
        Span<byte> data = stackalloc byte[12];
        int n;
        if ((time.Seconds >> 34) == 0)
        {
            ulong packed = ((ulong)time.Nanoseconds << 34) | (ulong)time.Seconds;
            if ((packed & 0xffffffff00000000UL) == 0)
            {
                BinaryPrimitives.WriteUInt32BigEndian(data, (uint)packed);
                n = 4;
            }
            else
            {
                BinaryPrimitives.WriteUInt64BigEndian(data, packed);
                n = 8;
            }
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(data, time.Nanoseconds);
            BinaryPrimitives.WriteInt64BigEndian(data[4..], time.Seconds);
            n = 12;
        }
        WriteExt(MessagePackTimestamp.ExtensionType, data[..n]);
    }

    public void WriteTimestamp(DateTimeOffset time) => WriteTimestamp(MessagePackTimestamp.FromDateTimeOffset(time));

    /// <summary>Writes payload bytes owed by the last str/bin/ext header. Large spans bypass the buffer.</summary>
    public void WriteRaw(ReadOnlySpan<byte> data)
    {
        if (data.Length > _structure.PendingBytes)
            throw new InvalidOperationException($"WriteRaw of {data.Length} bytes, but only {_structure.PendingBytes} payload bytes are owed by the last header");
        if (data.Length <= _buffer.Length - _used)
        {
            data.CopyTo(_buffer.AsSpan(_used));
            _used += data.Length;
        }
        else
        {
            FlushBuffer();
            if (data.Length >= _buffer.Length)
            {
                _stream.Write(data);
                _flushed += data.Length;
            }
            else
            {
                data.CopyTo(_buffer);
                _used = data.Length;
            }
        }
        _structure.Consume(data.Length);
    }

    /// <summary>Pushes buffered bytes to the stream and flushes it.</summary>
    public void Flush()
    {
        FlushBuffer();
        _stream.Flush();
    }

    public void Dispose() => FlushBuffer();

    private static void CheckLength(long length)
    {
        if (length < 0 || length > uint.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(length), length, "MessagePack lengths are 0..2^32-1");
    }

    private Span<byte> Reserve(int bytes)
    {
        if (_structure.PendingBytes != 0)
            throw new InvalidOperationException($"{_structure.PendingBytes} payload bytes are still owed by the last str/bin/ext header");
        if (_buffer.Length - _used < bytes)
            FlushBuffer();
        return _buffer.AsSpan(_used);
    }

    private void Commit(int bytes) => _used += bytes;

    private void FlushBuffer()
    {
        if (_used == 0)
            return;
        _stream.Write(_buffer, 0, _used);
        _flushed += _used;
        _used = 0;
    }
}
