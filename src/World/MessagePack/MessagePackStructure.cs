// Tracks where a reader or writer is inside nested arrays/maps and pending str/bin/ext payload bytes.
namespace Nas.World.MessagePack;

/// <summary>
/// Invariant: <see cref="Depth"/> counts open containers; each open container's remaining count is
/// the number of values (map: keys plus values) still to come. A value is complete once its header
/// and payload are consumed; completing the last value of a container completes the container.
/// </summary>
internal sealed class MessagePackStructure
{
    private long[] _remaining = new long[16];

    public int Depth { get; private set; }

    public long PendingBytes { get; private set; }

    public long TopLevelValues { get; private set; }

    /// <summary>Values still owed to the innermost open container (0 at top level).</summary>
    public long RemainingInInnermost => Depth == 0 ? 0 : _remaining[Depth - 1];

    public void ValueDone()
    {
        while (Depth > 0)
        {
            if (--_remaining[Depth - 1] > 0)
                return;
            Depth--;
        }
        TopLevelValues++;
    }

    public void Open(long items)
    {
        if (items == 0)
        {
            ValueDone();
            return;
        }
        if (Depth == _remaining.Length)
            Array.Resize(ref _remaining, _remaining.Length * 2);
        _remaining[Depth++] = items;
    }

    public void Payload(long bytes)
    {
        if (bytes == 0)
            ValueDone();
        else
            PendingBytes = bytes;
    }

    public void Consume(long bytes)
    {
        PendingBytes -= bytes;
        if (PendingBytes == 0 && bytes > 0)
            ValueDone();
    }
}
