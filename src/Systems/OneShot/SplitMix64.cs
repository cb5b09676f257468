// A seeded PRNG whose whole state is one ulong, so a search that holds it can be snapshotted and resumed bit for bit.
namespace Nas.Systems.OneShot;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014). Mutating: call it on a local or through <c>ref</c>, then store the
/// state back. The same <see cref="State"/> always yields the same stream on every platform.
/// </summary>
public record struct SplitMix64(ulong State)
{
    public ulong NextULong()
    {
        State += 0x9E3779B97F4A7C15UL;
        var z = State;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, n) without modulo bias (rejects the short top bucket).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "must be positive");
        var bound = (ulong)n;
        var threshold = (0UL - bound) % bound;
        while (true)
        {
            var r = NextULong();
            if (r >= threshold) return (int)(r % bound);
        }
    }

    /// <summary>One element of a non-empty list, uniformly.</summary>
    public T Pick<T>(IReadOnlyList<T> items) => items[NextInt(items.Count)];
}
