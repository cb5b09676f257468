// A seeded xoshiro256** generator whose whole state is four plain numbers, so masks are reproducible and a snapshot can resume the stream.
namespace Nas.Systems.Techniques;

/// <summary>
/// xoshiro256** (Blackman and Vigna, 2018), seeded through SplitMix64 as its authors recommend.
/// A mutable struct: pass it by <c>ref</c> (a copy continues the stream separately). All state is in
/// <see cref="S0"/>..<see cref="S3"/>, so storing the four numbers and constructing from them resumes exactly.
/// </summary>
public record struct Xoshiro256StarStar(ulong S0, ulong S1, ulong S2, ulong S3)
{
    /// <summary>Expands a 64-bit seed into a state with SplitMix64; never all zero.</summary>
    public static Xoshiro256StarStar FromSeed(ulong seed)
    {
        var sm = seed;
        return new Xoshiro256StarStar(SplitMix64(ref sm), SplitMix64(ref sm), SplitMix64(ref sm), SplitMix64(ref sm));
    }

    /// <summary>An independent-looking stream for a (seed, stream) pair, e.g. one stream per technique.</summary>
    public static Xoshiro256StarStar FromSeed(ulong seed, ulong stream)
    {
        var sm = seed ^ (stream * 0xD1B54A32D192ED03UL);
        var mixed = SplitMix64(ref sm);
        return FromSeed(mixed);
    }

    /// <summary>One step of SplitMix64 (Steele, Lea, Flood 2014): advances <paramref name="state"/> and returns the next output.</summary>
    public static ulong SplitMix64(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        var z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(S1 * 5, 7) * 9;
        var t = S1 << 17;
        S2 ^= S0;
        S3 ^= S1;
        S1 ^= S2;
        S0 ^= S3;
        S2 ^= t;
        S3 = ulong.RotateLeft(S3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, n), unbiased (Lemire's multiply-and-reject).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "the range must hold at least one value");
        var bound = (ulong)n;
        var threshold = (0UL - bound) % bound;
        while (true)
        {
            var hi = Math.BigMul(NextUInt64(), bound, out var lo);
            if (lo >= threshold) return (int)hi;
        }
    }
}
