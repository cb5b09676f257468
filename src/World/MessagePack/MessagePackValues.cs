// Small value types of the dynamic model: extension values, timestamps and order-keeping maps.
namespace Nas.World.MessagePack;

/// <summary>An extension value: an application type code (0..127; negative codes are reserved by the spec) and its bytes.</summary>
public sealed record MessagePackExtension(sbyte Type, byte[] Data)
{
    public bool Equals(MessagePackExtension? other) =>
        other is not null && other.Type == Type && other.Data.AsSpan().SequenceEqual(Data);

    public override int GetHashCode() => HashCode.Combine(Type, Data.Length);
}

/// <summary>The timestamp extension (type -1): seconds since 1970-01-01T00:00:00Z plus nanoseconds (0..999,999,999).</summary>
public readonly record struct MessagePackTimestamp(long Seconds, uint Nanoseconds)
{
    public const sbyte ExtensionType = -1;

    public static MessagePackTimestamp FromDateTimeOffset(DateTimeOffset time)
    {
        long ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        long seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long rest);
        if (rest < 0)
        {
            seconds -= 1;
            rest += TimeSpan.TicksPerSecond;
        }
        return new MessagePackTimestamp(seconds, (uint)(rest * 100));
    }

    /// <summary>Converts to DateTimeOffset (UTC), truncating to 100 ns ticks; throws ArgumentOutOfRangeException outside years 1..9999.</summary>
    public DateTimeOffset ToDateTimeOffset() =>
        DateTimeOffset.UnixEpoch.AddSeconds(Seconds).AddTicks(Nanoseconds / 100);

    public override string ToString()
    {
        try
        {
            return ToDateTimeOffset().ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (ArgumentOutOfRangeException)
        {
            return $"timestamp({Seconds}s, {Nanoseconds}ns)";
        }
    }
}

/// <summary>A MessagePack map as read: entries in document order, keys of any type, duplicates kept.</summary>
public sealed class MessagePackMap : List<KeyValuePair<object?, object?>>
{
    public MessagePackMap() { }

    public MessagePackMap(int capacity) : base(capacity) { }

    public void Add(object? key, object? value) => Add(new KeyValuePair<object?, object?>(key, value));

    /// <summary>The value of the first entry whose key is the string <paramref name="key"/>.</summary>
    public bool TryGetValue(string key, out object? value)
    {
        foreach (var entry in this)
        {
            if (entry.Key is string s && s == key)
            {
                value = entry.Value;
                return true;
            }
        }
        value = null;
        return false;
    }

    public object? this[string key] =>
        TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"map has no key '{key}'");
}
