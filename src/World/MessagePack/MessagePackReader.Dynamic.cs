// Reads any MessagePack value into plain .NET objects (the dynamic model used by tests and `nas inspect`).
namespace Nas.World.MessagePack;

public sealed partial class MessagePackReader
{
    /// <summary>
    /// Reads the next value as: null, bool, long (or ulong above long.MaxValue), float (float 32),
    /// double (float 64), string, byte[], object?[] (array), <see cref="MessagePackMap"/>,
    /// <see cref="MessagePackTimestamp"/> (ext -1) or <see cref="MessagePackExtension"/>.
    /// </summary>
    public object? Read()
    {
        long at = Offset;
        switch (PeekType())
        {
            case MessagePackType.Nil:
                ReadNil();
                return null;
            case MessagePackType.Boolean:
                return ReadBool();
            case MessagePackType.Integer:
                if (PeekCode("integer") != MessagePackCode.UInt64)
                    return ReadInt64();
                ulong big = ReadUInt64();
                return big <= long.MaxValue ? (long)big : big;
            case MessagePackType.Float:
                return PeekCode("float") == MessagePackCode.Float32 ? (object)ReadSingle() : ReadDouble();
            case MessagePackType.String:
                return ReadString();
            case MessagePackType.Binary:
                return ReadBin();
            case MessagePackType.Array:
            {
                long count = ReadArrayHeader();
                var items = new List<object?>((int)Math.Min(count, 1024));
                for (long i = 0; i < count; i++)
                    items.Add(Read());
                return items.ToArray();
            }
            case MessagePackType.Map:
            {
                long count = ReadMapHeader();
                var map = new MessagePackMap((int)Math.Min(count, 1024));
                for (long i = 0; i < count; i++)
                {
                    object? key = Read();
                    map.Add(key, Read());
                }
                return map;
            }
            default:
            {
                var (type, length) = ReadExtHeader();
                byte[] data = ReadPayload(length, at);
                return type == MessagePackTimestamp.ExtensionType
                    ? DecodeTimestamp(data, at)
                    : new MessagePackExtension(type, data);
            }
        }
    }
}
