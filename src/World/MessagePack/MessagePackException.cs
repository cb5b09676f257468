// The one exception type the MessagePack reader raises for malformed, truncated or over-limit input.
namespace Nas.World.MessagePack;

public sealed class MessagePackException : Exception
{
    public MessagePackException(long offset, string message, Exception? inner = null)
        : base($"offset {offset}: {message}", inner)
    {
        Offset = offset;
    }

    /// <summary>Byte offset (from the start of the reader's input) where the problem was found.</summary>
    public long Offset { get; }
}
