// Writes plain .NET objects (the dynamic model) as MessagePack.
using System.Collections;

namespace Nas.World.MessagePack;

public sealed partial class MessagePackWriter
{
    /// <summary>
    /// Writes null, bool, any integer type, float, double, string, byte[] / ReadOnlyMemory&lt;byte&gt;,
    /// <see cref="MessagePackMap"/>, IDictionary (in its enumeration order), IEnumerable (as array),
    /// <see cref="MessagePackTimestamp"/>, DateTimeOffset, DateTime (UTC) and <see cref="MessagePackExtension"/>.
    /// </summary>
    public void Write(object? value)
    {
        switch (value)
        {
            case null: WriteNil(); break;
            case bool b: WriteBool(b); break;
            case sbyte v: WriteInt64(v); break;
            case short v: WriteInt64(v); break;
            case int v: WriteInt64(v); break;
            case long v: WriteInt64(v); break;
            case byte v: WriteUInt64(v); break;
            case ushort v: WriteUInt64(v); break;
            case uint v: WriteUInt64(v); break;
            case ulong v: WriteUInt64(v); break;
            case float f: WriteSingle(f); break;
            case double d: WriteDouble(d); break;
            case string s: WriteString(s); break;
            case byte[] bytes: WriteBin(bytes); break;
            case ReadOnlyMemory<byte> memory: WriteBin(memory.Span); break;
            case MessagePackTimestamp t: WriteTimestamp(t); break;
            case DateTimeOffset t: WriteTimestamp(t); break;
            case DateTime t: WriteTimestamp(new DateTimeOffset(t.ToUniversalTime())); break;
            case MessagePackExtension e: WriteExt(e.Type, e.Data); break;
            case MessagePackMap map:
                WriteMapHeader(map.Count);
                foreach (var entry in map)
                {
                    Write(entry.Key);
                    Write(entry.Value);
                }
                break;
            case IDictionary dictionary:
                WriteMapHeader(dictionary.Count);
                foreach (DictionaryEntry entry in dictionary)
                {
                    Write(entry.Key);
                    Write(entry.Value);
                }
                break;
            case ICollection collection:
                WriteArrayHeader(collection.Count);
                foreach (object? item in collection)
                    Write(item);
                break;
            case IEnumerable sequence:
                var items = sequence.Cast<object?>().ToList();
                WriteArrayHeader(items.Count);
                foreach (object? item in items)
                    Write(item);
                break;
            default:
                throw new ArgumentException($"cannot write a {value.GetType()} as MessagePack", nameof(value));
        }
    }
}
