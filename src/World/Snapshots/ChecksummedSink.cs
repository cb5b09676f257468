// The buffer MessagePackWriter writes into: each full chunk is added to the CRC-32C and written to the file, so a snapshot never sits whole in memory; large bins skip the buffer.
using System.Buffers;

namespace Nas.World.Snapshots;

public sealed class ChecksummedSink(Stream file, int chunkBytes) : IBufferWriter<byte>
{
    private byte[] _buffer = new byte[chunkBytes];
    private int _used;

    /// <summary>CRC-32C of every byte written to the file so far (call <see cref="Drain"/> first).</summary>
    public uint Crc { get; private set; }

    /// <summary>
    /// Writes a bin whose payload goes from <paramref name="data"/> through the CRC to the file without a copy into the
    /// buffer (for tensors). <paramref name="writer"/> must write into this sink.
    /// </summary>
    public void WriteBin(ref MessagePack.MessagePackWriter writer, ReadOnlySpan<byte> data)
    {
        SnapshotValues.WriteBinHeader(ref writer, data.Length);
        if (data.Length < _buffer.Length / 4)
        {
            writer.WriteRaw(data);
            return;
        }
        writer.Flush(); // the writer hands its bytes to this sink and takes a new span for what follows
        Drain();
        Crc = Crc32C.Append(Crc, data);
        file.Write(data);
    }

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_used + count > _buffer.Length) throw new InvalidOperationException("advanced past the span handed out");
        _used += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(_used);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(_used);
    }

    /// <summary>Writes what is buffered to the file.</summary>
    public void Drain()
    {
        if (_used == 0) return;
        var span = _buffer.AsSpan(0, _used);
        Crc = Crc32C.Append(Crc, span);
        file.Write(span);
        _used = 0;
    }

    private void Reserve(int sizeHint)
    {
        int need = Math.Max(sizeHint, 1);
        if (_buffer.Length - _used >= need) return;
        Drain();
        if (_buffer.Length < need) _buffer = new byte[need];
    }
}
