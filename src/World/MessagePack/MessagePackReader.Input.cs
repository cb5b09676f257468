// The MessagePack reader's buffering, limit checks and error construction.
using System.Buffers.Binary;

namespace Nas.World.MessagePack;

public sealed partial class MessagePackReader
{
    /// <summary>Payloads above this size are read in chunks when the input length is unknown, so a lying length cannot force a big allocation.</summary>
    private const int UncheckedAllocationLimit = 1 << 20;

    private byte PeekCode(string expected)
    {
        if (_structure.PendingBytes != 0)
            throw new InvalidOperationException($"{_structure.PendingBytes} payload bytes of the last str/bin/ext are still pending; read or skip them first");
        if (!Ensure(1))
            throw new MessagePackException(Offset, $"expected {expected}, found end of input");
        return _buffer[_pos];
    }

    /// <summary>Consumes the format byte and a big-endian field of <paramref name="size"/> bytes after it.</summary>
    private ulong Field(int size, long at, byte code)
    {
        if (!Ensure(1 + size))
            throw Truncated(at, code, size);
        ulong value = BigEndian(_buffer.AsSpan(_pos + 1, size));
        _pos += 1 + size;
        return value;
    }

    private static ulong BigEndian(ReadOnlySpan<byte> field) => field.Length switch
    {
        1 => field[0],
        2 => BinaryPrimitives.ReadUInt16BigEndian(field),
        4 => BinaryPrimitives.ReadUInt32BigEndian(field),
        _ => BinaryPrimitives.ReadUInt64BigEndian(field),
    };

    private bool Ensure(int count)
    {
        while (_end - _pos < count)
        {
            if (_pos > 0)
            {
                Buffer.BlockCopy(_buffer, _pos, _buffer, 0, _end - _pos);
                _bufferOrigin += _pos;
                _end -= _pos;
                _pos = 0;
            }
            int read = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read <= 0)
                return false;
            _end += read;
        }
        return true;
    }

    private void FillExactly(Span<byte> destination)
    {
        int fromBuffer = Math.Min(destination.Length, _end - _pos);
        _buffer.AsSpan(_pos, fromBuffer).CopyTo(destination);
        _pos += fromBuffer;
        Span<byte> rest = destination[fromBuffer..];
        if (rest.Length >= _buffer.Length)
        {
            // The buffer is empty here: read big payloads straight into the caller's span.
            _bufferOrigin += _end;
            _pos = _end = 0;
            while (rest.Length > 0)
            {
                int read = _stream.Read(rest);
                if (read <= 0)
                    throw new MessagePackException(Offset, $"truncated: expected {rest.Length} more payload bytes, found end of input");
                _bufferOrigin += read;
                rest = rest[read..];
            }
            return;
        }
        if (rest.Length > 0)
        {
            if (!Ensure(rest.Length))
                throw new MessagePackException(Offset, $"truncated: expected {rest.Length} more payload bytes, found end of input ({_end - _pos} left)");
            _buffer.AsSpan(_pos, rest.Length).CopyTo(rest);
            _pos += rest.Length;
        }
    }

    /// <summary>Reads a whole pending payload into a new array; chunked when the input length is unknown.</summary>
    private byte[] ReadPayload(long length, long at)
    {
        if (length > Array.MaxLength)
            throw new MessagePackException(at, $"payload of {length} bytes is too large for one array; read it with ReadRaw in chunks");
        if (_length >= 0 || length <= UncheckedAllocationLimit)
        {
            byte[] exact = new byte[length];
            ReadRaw(exact);
            return exact;
        }
        using var collected = new MemoryStream();
        byte[] chunk = new byte[UncheckedAllocationLimit];
        long left = length;
        while (left > 0)
        {
            int step = (int)Math.Min(left, chunk.Length);
            ReadRaw(chunk.AsSpan(0, step));
            collected.Write(chunk, 0, step);
            left -= step;
        }
        return collected.ToArray();
    }

    private void CheckDepth(long at)
    {
        if (_structure.Depth + 1 > _options.MaxDepth)
            throw new MessagePackException(at, $"nesting deeper than the limit of {_options.MaxDepth}");
    }

    private void CheckCount(long at, long count, long limit, string what, int minBytesEach)
    {
        if (count > limit)
            throw new MessagePackException(at, $"{what} {count} exceeds the limit of {limit}");
        if (_length >= 0 && count * minBytesEach > _length - Offset)
            throw new MessagePackException(at, $"{what} {count} declared, but only {_length - Offset} bytes remain");
    }

    private static MessagePackTimestamp DecodeTimestamp(ReadOnlySpan<byte> data, long at)
    {
        MessagePackTimestamp time;
        switch (data.Length)
        {
            case 4:
                time = new MessagePackTimestamp(BinaryPrimitives.ReadUInt32BigEndian(data), 0);
                break;
            case 8:
                ulong packed = BinaryPrimitives.ReadUInt64BigEndian(data);
                time = new MessagePackTimestamp((long)(packed & 0x3_ffff_ffffUL), (uint)(packed >> 34));
                break;
            case 12:
                time = new MessagePackTimestamp(BinaryPrimitives.ReadInt64BigEndian(data[4..]), BinaryPrimitives.ReadUInt32BigEndian(data));
                break;
            default:
                throw new MessagePackException(at, $"timestamp payload must be 4, 8 or 12 bytes, found {data.Length}");
        }
        if (time.Nanoseconds > 999_999_999)
            throw new MessagePackException(at, $"timestamp nanoseconds {time.Nanoseconds} exceed 999999999");
        return time;
    }

    private static MessagePackException Unexpected(long at, byte code, string expected) =>
        new(at, $"expected {expected}, found 0x{code:x2} ({MessagePackCode.Describe(code)})");

    private MessagePackException Truncated(long at, byte code, int fieldBytes) =>
        new(at, $"truncated: {MessagePackCode.Describe(code)} needs {fieldBytes} bytes after 0x{code:x2}, found {Math.Max(0, _end - _pos - 1)} before end of input");
}
