// Renders a dynamic MessagePack value as short, readable JSON-like text (for `nas inspect` and test messages).
using System.Globalization;
using System.Text;

namespace Nas.World.MessagePack;

public static class MessagePackText
{
    /// <summary>Formats <paramref name="value"/> (as returned by MessagePackReader.Read) on one line; bins show only their length and first bytes.</summary>
    public static string Format(object? value, int maxItems = 32)
    {
        var text = new StringBuilder();
        Append(text, value, maxItems);
        return text.ToString();
    }

    private static void Append(StringBuilder text, object? value, int maxItems)
    {
        switch (value)
        {
            case null: text.Append("null"); break;
            case bool b: text.Append(b ? "true" : "false"); break;
            case string s: AppendString(text, s); break;
            case float f: text.Append(f.ToString("R", CultureInfo.InvariantCulture)).Append('f'); break;
            case double d: text.Append(d.ToString("R", CultureInfo.InvariantCulture)); break;
            case IFormattable number when value is long or ulong or int or uint or short or ushort or byte or sbyte:
                text.Append(number.ToString(null, CultureInfo.InvariantCulture));
                break;
            case byte[] bytes:
                text.Append("<bin ").Append(bytes.Length).Append(" bytes");
                if (bytes.Length > 0)
                    text.Append(' ').Append(Convert.ToHexString(bytes, 0, Math.Min(bytes.Length, 8)).ToLowerInvariant()).Append(bytes.Length > 8 ? "..." : "");
                text.Append('>');
                break;
            case MessagePackTimestamp t: text.Append(t.ToString()); break;
            case MessagePackExtension e: text.Append("<ext ").Append(e.Type).Append(", ").Append(e.Data.Length).Append(" bytes>"); break;
            case MessagePackMap map:
                text.Append('{');
                for (int i = 0; i < map.Count; i++)
                {
                    if (i > 0) text.Append(", ");
                    if (i == maxItems) { text.Append("... ").Append(map.Count - i).Append(" more"); break; }
                    Append(text, map[i].Key, maxItems);
                    text.Append(": ");
                    Append(text, map[i].Value, maxItems);
                }
                text.Append('}');
                break;
            case object?[] array:
                text.Append('[');
                for (int i = 0; i < array.Length; i++)
                {
                    if (i > 0) text.Append(", ");
                    if (i == maxItems) { text.Append("... ").Append(array.Length - i).Append(" more"); break; }
                    Append(text, array[i], maxItems);
                }
                text.Append(']');
                break;
            default: text.Append(value); break;
        }
    }

    private static void AppendString(StringBuilder text, string s)
    {
        text.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case < ' ': text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: text.Append(c); break;
            }
        }
        text.Append('"');
    }
}
