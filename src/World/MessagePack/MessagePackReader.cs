// Pulls MessagePack values from a Stream; strict: every malformed input becomes a MessagePackException.
using System.Buffers.Binary;
using System.Text;

namespace Nas.World.MessagePack;

/// <summary>
/// A pull reader over a Stream. Limits (<see cref="MessagePackReaderOptions"/>) are checked before
/// anything is allocated; when the stream can seek, a declared length larger than the bytes that
/// remain is rejected at the header. Input problems raise <see cref="MessagePackException"/> with the
/// byte offset; API misuse (reading a header while payload bytes are owed) raises
/// InvalidOperationException; I/O errors of the stream itself propagate unchanged. After an
/// exception the reader's position is unspecified.
/// </summary>
public sealed partial class MessagePackReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Stream _stream;
    private readonly byte[] _buffer;
    private readonly MessagePackReaderOptions _options;
    private readonly MessagePackStructure _structure = new();
    private readonly long _length;
    private int _pos;
    private int _end;
    private long _bufferOrigin;

    public MessagePackReader(Stream stream, MessagePackReaderOptions? options = null, int bufferSize = 64 * 1024)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, 16);
        _stream = stream;
        _options = options ?? MessagePackReaderOptions.Default;
        _options.Validate();
        _buffer = new byte[bufferSize];
        _length = -1;
        if (stream.CanSeek)
        {
            try { _length = Math.Max(0, stream.Length - stream.Position); }
            catch (NotSupportedException) { _length = -1; }
        }
    }

    /// <summary>Bytes consumed since the reader was created.</summary>
    public long Offset => _bufferOrigin + _pos;

    /// <summary>Bytes left in the input, when the stream's length is known.</summary>
    public long? Remaining => _length < 0 ? null : _length - Offset;

    /// <summary>Number of open arrays/maps.</summary>
    public int Depth => _structure.Depth;

    /// <summary>Payload bytes of the last str/bin/ext header not yet read.</summary>
    public long PendingBytes => _structure.PendingBytes;

    /// <summary>True when the input has no more bytes.</summary>
    public bool IsAtEnd => !Ensure(1);

    public MessagePackType PeekType()
    {
        long at = Offset;
        byte code = PeekCode("a value");
        return MessagePackCode.TypeOf(code) ?? throw Unexpected(at, code, "a value");
    }

    public void ReadNil()
    {
        long at = Offset;
        byte code = PeekCode("nil");
        if (code != MessagePackCode.Nil)
            throw Unexpected(at, code, "nil");
        _pos++;
        _structure.ValueDone();
    }

    /// <summary>Consumes a nil and returns true, or returns false and consumes nothing.</summary>
    public bool TryReadNil()
    {
        if (PeekCode("a value") != MessagePackCode.Nil)
            return false;
        _pos++;
        _structure.ValueDone();
        return true;
    }

    public bool ReadBool()
    {
        long at = Offset;
        byte code = PeekCode("bool");
        bool value = code switch
        {
            MessagePackCode.True => true,
            MessagePackCode.False => false,
            _ => throw Unexpected(at, code, "bool"),
        };
        _pos++;
        _structure.ValueDone();
        return value;
    }

    public long ReadInt64()
    {
        long at = Offset;
        byte code = PeekCode("integer");
        long value;
        if (code <= MessagePackCode.MaxPositiveFixInt) { _pos++; value = code; }
        else if (code >= MessagePackCode.MinNegativeFixInt) { _pos++; value = (sbyte)code; }
        else
        {
            value = code switch
            {
                MessagePackCode.UInt8 => (long)Field(1, at, code),
                MessagePackCode.UInt16 => (long)Field(2, at, code),
                MessagePackCode.UInt32 => (long)Field(4, at, code),
                MessagePackCode.UInt64 => Field(8, at, code) is var u && u <= long.MaxValue
                    ? (long)u : throw new MessagePackException(at, $"uint 64 value {u} does not fit in Int64"),
                MessagePackCode.Int8 => (sbyte)Field(1, at, code),
                MessagePackCode.Int16 => (short)Field(2, at, code),
                MessagePackCode.Int32 => (int)Field(4, at, code),
                MessagePackCode.Int64 => (long)Field(8, at, code),
                _ => throw Unexpected(at, code, "integer"),
            };
        }
        _structure.ValueDone();
        return value;
    }

    public ulong ReadUInt64()
    {
        long at = Offset;
        byte code = PeekCode("unsigned integer");
        if (code == MessagePackCode.UInt64)
        {
            ulong big = Field(8, at, code);
            _structure.ValueDone();
            return big;
        }
        if (MessagePackCode.TypeOf(code) != MessagePackType.Integer)
            throw Unexpected(at, code, "unsigned integer");
        long value = ReadInt64();
        return value >= 0 ? (ulong)value : throw new MessagePackException(at, $"expected unsigned integer, found negative value {value}");
    }

    public int ReadInt32()
    {
        long at = Offset;
        long value = ReadInt64();
        return value is >= int.MinValue and <= int.MaxValue
            ? (int)value : throw new MessagePackException(at, $"integer {value} does not fit in Int32");
    }

    /// <summary>Reads a float 32 exactly.</summary>
    public float ReadSingle()
    {
        long at = Offset;
        byte code = PeekCode("float 32");
        if (code != MessagePackCode.Float32)
            throw Unexpected(at, code, "float 32");
        float value = BitConverter.Int32BitsToSingle((int)Field(4, at, code));
        _structure.ValueDone();
        return value;
    }

    /// <summary>Reads a float 32 or float 64; integers are accepted and converted.</summary>
    public double ReadDouble()
    {
        long at = Offset;
        byte code = PeekCode("float");
        switch (code)
        {
            case MessagePackCode.Float32:
                return ReadSingle();
            case MessagePackCode.Float64:
                double value = BitConverter.Int64BitsToDouble((long)Field(8, at, code));
                _structure.ValueDone();
                return value;
            case MessagePackCode.UInt64:
                return ReadUInt64();
            default:
                if (MessagePackCode.TypeOf(code) != MessagePackType.Integer)
                    throw Unexpected(at, code, "float");
                return ReadInt64();
        }
    }

    /// <summary>Reads a str header; the UTF-8 bytes follow (ReadRaw / SkipRaw).</summary>
    public long ReadStringHeader()
    {
        long at = Offset;
        byte code = PeekCode("str header");
        long length;
        if (code is >= MessagePackCode.MinFixStr and <= MessagePackCode.MaxFixStr) { _pos++; length = code & 0x1f; }
        else
        {
            length = code switch
            {
                MessagePackCode.Str8 => (long)Field(1, at, code),
                MessagePackCode.Str16 => (long)Field(2, at, code),
                MessagePackCode.Str32 => (long)Field(4, at, code),
                _ => throw Unexpected(at, code, "str header"),
            };
        }
        CheckCount(at, length, _options.MaxStringLength, "str length", 1);
        _structure.Payload(length);
        return length;
    }

    public string ReadString()
    {
        long at = Offset;
        long length = ReadStringHeader();
        byte[] bytes = ReadPayload(length, at);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new MessagePackException(at, "str is not valid UTF-8", e);
        }
    }

    /// <summary>Reads a bin header; the payload follows (ReadRaw into the caller's span, or SkipRaw).</summary>
    public long ReadBinHeader()
    {
        long at = Offset;
        byte code = PeekCode("bin header");
        long length = code switch
        {
            MessagePackCode.Bin8 => (long)Field(1, at, code),
            MessagePackCode.Bin16 => (long)Field(2, at, code),
            MessagePackCode.Bin32 => (long)Field(4, at, code),
            _ => throw Unexpected(at, code, "bin header"),
        };
        CheckCount(at, length, _options.MaxBinLength, "bin length", 1);
        _structure.Payload(length);
        return length;
    }

    public byte[] ReadBin()
    {
        long at = Offset;
        return ReadPayload(ReadBinHeader(), at);
    }

    public long ReadArrayHeader()
    {
        long at = Offset;
        byte code = PeekCode("array header");
        long count;
        if (code is >= MessagePackCode.MinFixArray and <= MessagePackCode.MaxFixArray) { _pos++; count = code & 0x0f; }
        else
        {
            count = code switch
            {
                MessagePackCode.Array16 => (long)Field(2, at, code),
                MessagePackCode.Array32 => (long)Field(4, at, code),
                _ => throw Unexpected(at, code, "array header"),
            };
        }
        CheckDepth(at);
        CheckCount(at, count, _options.MaxArrayLength, "array length", 1);
        _structure.Open(count);
        return count;
    }

    /// <summary>Reads a map header; then read key, value, key, value, ... (count entries).</summary>
    public long ReadMapHeader()
    {
        long at = Offset;
        byte code = PeekCode("map header");
        long count;
        if (code is >= MessagePackCode.MinFixMap and <= MessagePackCode.MaxFixMap) { _pos++; count = code & 0x0f; }
        else
        {
            count = code switch
            {
                MessagePackCode.Map16 => (long)Field(2, at, code),
                MessagePackCode.Map32 => (long)Field(4, at, code),
                _ => throw Unexpected(at, code, "map header"),
            };
        }
        CheckDepth(at);
        CheckCount(at, count, _options.MaxMapLength, "map length", 2);
        _structure.Open(count * 2);
        return count;
    }

    /// <summary>Reads an ext header (type code and payload length); the payload follows.</summary>
    public (sbyte Type, long Length) ReadExtHeader()
    {
        long at = Offset;
        byte code = PeekCode("ext header");
        long length = code switch
        {
            MessagePackCode.FixExt1 => 1,
            MessagePackCode.FixExt2 => 2,
            MessagePackCode.FixExt4 => 4,
            MessagePackCode.FixExt8 => 8,
            MessagePackCode.FixExt16 => 16,
            MessagePackCode.Ext8 => -1,
            MessagePackCode.Ext16 => -2,
            MessagePackCode.Ext32 => -4,
            _ => throw Unexpected(at, code, "ext header"),
        };
        int lengthBytes = length < 0 ? (int)-length : 0;
        if (!Ensure(2 + lengthBytes))
            throw Truncated(at, code, 1 + lengthBytes);
        if (lengthBytes > 0)
            length = (long)BigEndian(_buffer.AsSpan(_pos + 1, lengthBytes));
        sbyte type = unchecked((sbyte)_buffer[_pos + 1 + lengthBytes]);
        _pos += 2 + lengthBytes;
        CheckCount(at, length, _options.MaxBinLength, "ext length", 1);
        _structure.Payload(length);
        return (type, length);
    }

    public MessagePackExtension ReadExt()
    {
        long at = Offset;
        var (type, length) = ReadExtHeader();
        return new MessagePackExtension(type, ReadPayload(length, at));
    }

    /// <summary>Reads the timestamp extension (type -1) in any of its 32, 64 and 96-bit forms.</summary>
    public MessagePackTimestamp ReadTimestamp()
    {
        long at = Offset;
        byte code = PeekCode("timestamp");
        if (MessagePackCode.TypeOf(code) != MessagePackType.Extension)
            throw Unexpected(at, code, "timestamp");
        var (type, length) = ReadExtHeader();
        if (type != MessagePackTimestamp.ExtensionType)
            throw new MessagePackException(at, $"expected timestamp (ext type -1), found ext type {type}");
        if (length is not (4 or 8 or 12))
            throw new MessagePackException(at, $"timestamp payload must be 4, 8 or 12 bytes, found {length}");
        Span<byte> data = stackalloc byte[12];
        ReadRaw(data[..(int)length]);
        return DecodeTimestamp(data[..(int)length], at);
    }

    /// <summary>Reads payload bytes owed by the last str/bin/ext header into <paramref name="destination"/>.</summary>
    public void ReadRaw(Span<byte> destination)
    {
        if (destination.Length > _structure.PendingBytes)
            throw new InvalidOperationException($"ReadRaw of {destination.Length} bytes, but only {_structure.PendingBytes} payload bytes are pending");
        FillExactly(destination);
        _structure.Consume(destination.Length);
    }

    /// <summary>Skips <paramref name="count"/> payload bytes owed by the last str/bin/ext header.</summary>
    public void SkipRaw(long count)
    {
        if (count < 0 || count > _structure.PendingBytes)
            throw new InvalidOperationException($"SkipRaw of {count} bytes, but only {_structure.PendingBytes} payload bytes are pending");
        long left = count;
        while (left > 0)
        {
            if (_pos == _end && !Ensure(1))
                throw new MessagePackException(Offset, $"truncated: expected {left} more payload bytes, found end of input");
            int step = (int)Math.Min(left, _end - _pos);
            _pos += step;
            left -= step;
        }
        _structure.Consume(count);
    }

    /// <summary>Skips the next value, however deeply nested (iteratively, within the depth limit).</summary>
    public void Skip()
    {
        int depth = _structure.Depth;
        do
        {
            long at = Offset;
            switch (PeekType())
            {
                case MessagePackType.Nil: ReadNil(); break;
                case MessagePackType.Boolean: ReadBool(); break;
                case MessagePackType.Integer:
                    if (PeekCode("integer") == MessagePackCode.UInt64) ReadUInt64(); else ReadInt64();
                    break;
                case MessagePackType.Float: ReadDouble(); break;
                case MessagePackType.String: SkipRaw(ReadStringHeader()); break;
                case MessagePackType.Binary: SkipRaw(ReadBinHeader()); break;
                case MessagePackType.Extension: SkipRaw(ReadExtHeader().Length); break;
                case MessagePackType.Array: ReadArrayHeader(); break;
                case MessagePackType.Map: ReadMapHeader(); break;
                default: throw new MessagePackException(at, "unknown value type");
            }
        }
        while (_structure.Depth > depth);
    }
}
