// A tiny PRNG (SplitMix64) whose whole state is one ulong, so every random choice of the data stream is a pure function of plain numbers.
namespace Nas.Systems.Data;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014; the seeding generator of xoshiro). A mutable struct: copy it and
/// both copies continue identically. Streams are derived with <see cref="Derive"/>, never from a clock.
/// </summary>
public struct SplitMix64(ulong state)
{
    private const ulong Gamma = 0x9E3779B97F4A7C15UL;

    public ulong State { readonly get; private set; } = state;

    public ulong NextUInt64()
    {
        State += Gamma;
        return Mix(State);
    }

    /// <summary>Uniform in [0, <paramref name="bound"/>) by the multiply-high method (bias below 2^-32 for bounds under 2^32).</summary>
    public int NextInt(int bound)
    {
        if (bound <= 0) throw new ArgumentOutOfRangeException(nameof(bound), $"bound {bound} must be positive");
        return (int)Math.BigMul(NextUInt64(), (ulong)bound, out _);
    }

    /// <summary>A fair coin.</summary>
    public bool NextBool() => (NextUInt64() >> 63) != 0;

    /// <summary>SplitMix64's output function: a bijective avalanche mix of 64 bits.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A generator for the sub-stream named by (<paramref name="seed"/>, <paramref name="a"/>, <paramref name="b"/>, <paramref name="c"/>).</summary>
    public static SplitMix64 Derive(ulong seed, ulong a, ulong b = 0, ulong c = 0) =>
        new(Mix(Mix(Mix(Mix(seed) ^ a) + Gamma ^ b) + 0xD1B54A32D192ED03UL ^ c));

    /// <summary>Fills <paramref name="permutation"/> with 0..n-1 shuffled by Fisher-Yates from this generator.</summary>
    public void Shuffle(Span<int> permutation)
    {
        for (var i = 0; i < permutation.Length; i++) permutation[i] = i;
        for (var i = permutation.Length - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (permutation[i], permutation[j]) = (permutation[j], permutation[i]);
        }
    }
}
