// A ReadOnlySequence over a file whose segments are read on first touch and dropped soon after: parsing a large snapshot holds a few segments, never the file.
using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Nas.World.Snapshots;

internal static class FileSequence
{
    /// <summary>Below the large-object heap threshold, so a dropped segment dies young.</summary>
    public const int SegmentBytes = 64 * 1024;

    /// <summary>How many loaded segments stay referenced; older ones are dropped (and read again if touched again).</summary>
    public const int Window = 4;

    /// <summary>The first <paramref name="length"/> bytes of <paramref name="file"/>. A read that comes up short raises IOException.</summary>
    public static ReadOnlySequence<byte> Open(SafeFileHandle file, long length)
    {
        if (length == 0) return ReadOnlySequence<byte>.Empty;
        var recent = new Queue<Chunk>();
        Segment first = new(new Chunk(file, 0, (int)Math.Min(SegmentBytes, length), recent).Unloaded, 0), last = first;
        for (long at = SegmentBytes; at < length; at += SegmentBytes)
            last = last.Append(new Chunk(file, at, (int)Math.Min(SegmentBytes, length - at), recent).Unloaded, at);
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            var next = new Segment(memory, runningIndex);
            Next = next;
            return next;
        }
    }

    /// <summary>
    /// One segment's bytes, loaded on GetSpan. Dropping a chunk only forgets its array: a span handed out earlier keeps that
    /// array alive and its contents never change, so a reader holding one still sees the file's bytes.
    /// </summary>
    /// <summary>
    /// Copies <paramref name="source"/> into <paramref name="destination"/>; when it is a slice of a file sequence, straight
    /// from the file in one positioned read per GiB, without loading (or allocating) its segments.
    /// </summary>
    public static void CopyTo(in ReadOnlySequence<byte> source, Span<byte> destination)
    {
        if (source.IsEmpty) return;
        if (source.Start.GetObject() is Segment segment && MemoryMarshal.TryGetMemoryManager(segment.Memory, out Chunk? chunk))
        {
            long offset = segment.RunningIndex + source.Start.GetInteger();
            destination = destination[..checked((int)source.Length)];
            for (int done = 0; done < destination.Length;)
            {
                int read = RandomAccess.Read(chunk!.File, destination[done..], offset + done);
                if (read <= 0) throw new IOException($"the file ended at byte {offset + done} while it was read (it shrank?)");
                done += read;
            }
            return;
        }
        foreach (var memory in source)
        {
            memory.Span.CopyTo(destination);
            destination = destination[memory.Length..];
        }
    }

    private sealed class Chunk(SafeFileHandle file, long offset, int length, Queue<Chunk> recent) : MemoryManager<byte>
    {
        private byte[]? _data;

        public SafeFileHandle File => file;

        /// <summary>The chunk's memory without loading it (MemoryManager.Memory would call GetSpan for the length).</summary>
        public Memory<byte> Unloaded => CreateMemory(length);

        public override Span<byte> GetSpan()
        {
            var data = _data;
            if (data is not null) return data;
            data = new byte[length];
            for (int done = 0; done < length;)
            {
                int read = RandomAccess.Read(file, data.AsSpan(done), offset + done);
                if (read <= 0) throw new IOException($"the file ended at byte {offset + done} while it was read (it shrank?)");
                done += read;
            }
            _data = data;
            recent.Enqueue(this);
            if (recent.Count > Window) recent.Dequeue()._data = null;
            return data;
        }

        public override MemoryHandle Pin(int elementIndex = 0) => throw new NotSupportedException("file segments are not pinned");

        public override void Unpin() { }

        protected override void Dispose(bool disposing) { }
    }
}
