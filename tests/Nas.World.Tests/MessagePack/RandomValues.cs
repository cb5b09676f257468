// Seeded generator of random nested MessagePack values and a deep equality for the dynamic model.
using Nas.World.Snapshots;

namespace Nas.World.Tests.MessagePack;

internal sealed class RandomValues(int seed, int maxDepth = 6, int maxItems = 6)
{
    /// <summary>Integers on both sides of every MessagePack format boundary.</summary>
    public static readonly long[] BoundaryIntegers =
    [
        0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296, long.MaxValue,
        -1, -32, -33, -128, -129, -32768, -32769, int.MinValue, (long)int.MinValue - 1, long.MinValue,
    ];

    private static readonly int[] BoundaryLengths = [0, 1, 15, 16, 31, 32, 255, 256, 65535, 65536];

    private readonly Random _random = new(seed);

    public object? Next() => Next(0);

    public object? Next(int depth)
    {
        int kinds = depth >= maxDepth ? 9 : 11;
        switch (_random.Next(kinds))
        {
            case 0: return null;
            case 1: return _random.Next(2) == 0;
            case 2: return _random.Next(3) == 0 ? BoundaryIntegers[_random.Next(BoundaryIntegers.Length)] : _random.NextInt64(long.MinValue, long.MaxValue) >> _random.Next(64);
            case 3: return (ulong)long.MaxValue + 1 + (ulong)_random.NextInt64(0, long.MaxValue);
            case 4: return NextSingle();
            case 5: return NextDouble();
            case 6: return NextString();
            case 7: return NextBytes(NextLength());
            case 8: return NextExtension();
            case 9:
            {
                var items = new object?[_random.Next(maxItems + 1)];
                for (int i = 0; i < items.Length; i++)
                    items[i] = Next(depth + 1);
                return items;
            }
            default:
            {
                var map = new Dictionary<object, object?>();
                int count = _random.Next(maxItems + 1);
                for (int i = 0; i < count; i++)
                    map.TryAdd(_random.Next(2) == 0 ? NextString() : Next(depth + 1) ?? "nil", Next(depth + 1));
                return map;
            }
        }
    }

    public byte[] NextBytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    private int NextLength() =>
        _random.Next(4) == 0 ? BoundaryLengths[_random.Next(BoundaryLengths.Length)] : _random.Next(40);

    private float NextSingle() => _random.Next(6) switch
    {
        0 => float.NaN,
        1 => float.PositiveInfinity,
        2 => float.NegativeInfinity,
        3 => -0.0f,
        _ => BitConverter.Int32BitsToSingle(_random.Next()),
    };

    private double NextDouble() => _random.Next(6) switch
    {
        0 => double.NaN,
        1 => double.PositiveInfinity,
        2 => double.NegativeInfinity,
        3 => double.Epsilon,
        _ => BitConverter.Int64BitsToDouble(_random.NextInt64()),
    };

    private string NextString()
    {
        int length = NextLength();
        var chars = new System.Text.StringBuilder(length);
        while (chars.Length < length)
        {
            switch (_random.Next(4))
            {
                case 0: chars.Append((char)_random.Next(0x20, 0x7f)); break;
                case 1: chars.Append((char)_random.Next(0x80, 0x800)); break;
                case 2: chars.Append((char)_random.Next(0x3000, 0xd7ff)); break;
                default: chars.Append(char.ConvertFromUtf32(_random.Next(0x10000, 0x10ffff))); break;
            }
        }
        return chars.ToString();
    }

    private object NextExtension()
    {
        switch (_random.Next(4))
        {
            // Timestamps in DateTimeOffset's range and 100 ns resolution: 32-bit, 64-bit and 96-bit forms.
            case 0: return DateTimeOffset.UnixEpoch.AddSeconds(_random.NextInt64(0, 1L << 32));
            case 1: return DateTimeOffset.UnixEpoch.AddTicks(_random.NextInt64(0, 10_000_000L << 34));
            case 2: return new DateTimeOffset(_random.NextInt64(DateTimeOffset.MinValue.Ticks, DateTimeOffset.MaxValue.Ticks), TimeSpan.Zero);
            default:
                int[] sizes = [1, 2, 3, 4, 8, 16, 17, 255, 256, 70000];
                return new SnapshotExtension((sbyte)_random.Next(0, 128), NextBytes(sizes[_random.Next(sizes.Length)]));
        }
    }
}

/// <summary>Deep equality of dynamic values: floats compared bit for bit (so NaN equals itself), bins and arrays elementwise, maps in order, extensions by type and data.</summary>
internal static class ValueEquality
{
    public static bool Same(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (float x, float y) => BitConverter.SingleToInt32Bits(x) == BitConverter.SingleToInt32Bits(y),
        (double x, double y) => BitConverter.DoubleToInt64Bits(x) == BitConverter.DoubleToInt64Bits(y),
        (byte[] x, byte[] y) => x.AsSpan().SequenceEqual(y),
        (object?[] x, object?[] y) => x.Length == y.Length && x.Zip(y).All(p => Same(p.First, p.Second)),
        (Dictionary<object, object?> x, Dictionary<object, object?> y) => x.Count == y.Count
            && x.Zip(y).All(p => Same(p.First.Key, p.Second.Key) && Same(p.First.Value, p.Second.Value)),
        (SnapshotExtension x, SnapshotExtension y) => x.Type == y.Type && x.Data.AsSpan().SequenceEqual(y.Data),
        (null, _) or (_, null) => false,
        _ => a.GetType() == b.GetType() && a.Equals(b),
    };
}
