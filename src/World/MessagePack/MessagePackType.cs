// The kinds of MessagePack value, as returned by MessagePackReader.PeekType.
namespace Nas.World.MessagePack;

public enum MessagePackType
{
    Nil,
    Boolean,
    Integer,
    Float,
    String,
    Binary,
    Array,
    Map,
    Extension,
}
