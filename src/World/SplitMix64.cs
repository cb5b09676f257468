// SplitMix64: the seeding function of Rng and the counter-keyed draws of the data; never a run's stateful stream.
namespace Nas.World;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014), whose whole state is one word. Two roles only: <see cref="Next"/> and
/// <see cref="Mix"/> expand or derive seeds (<see cref="Rng"/>'s state, as the xoshiro authors recommend, and derived
/// seeds such as the trainer's); <see cref="Derive"/> gives the draws of one coordinate (seed, tag, epoch, sample) of
/// the data (the epoch permutation of <c>BatchStream</c>, the crops and flips of <c>Augmentation</c>, the images of
/// <c>Synthetic</c>), so the data's draws are pure functions of the stream position and never need replaying on resume.
/// Those keyed draws fix the data order of every run and golden: their arithmetic must not change. A run's stateful
/// random streams are never this type: every generator a system draws from and a snapshot carries is an
/// <see cref="Rng"/> (<c>world.Rng(name)</c>). A mutable struct: pass it by <c>ref</c>; a copy continues separately.
/// </summary>
public record struct SplitMix64(ulong State)
{
    private const ulong Gamma = 0x9E3779B97F4A7C15UL;

    /// <summary>One step: advances <paramref name="state"/> and returns the next output.</summary>
    public static ulong Next(ref ulong state)
    {
        state += Gamma;
        return Mix(state);
    }

    public ulong NextUInt64()
    {
        State += Gamma;
        return Mix(State);
    }

    /// <summary>
    /// Uniform in [0, <paramref name="bound"/>) by one multiply-high, no rejection (bias below 2^-32 for bounds under 2^32):
    /// the data's draws (crops, flips, the epoch permutation), kept so batches stay bit-identical to earlier runs.
    /// </summary>
    public int NextIntMultiplyHigh(int bound)
    {
        if (bound <= 0) throw new ArgumentOutOfRangeException(nameof(bound), $"bound {bound} must be positive");
        return (int)Math.BigMul(NextUInt64(), (ulong)bound, out _);
    }

    /// <summary>A fair coin (the top bit).</summary>
    public bool NextBool() => (NextUInt64() >> 63) != 0;

    /// <summary>Fills <paramref name="permutation"/> with 0..n-1 shuffled by Fisher-Yates (from the last element down, <see cref="NextIntMultiplyHigh"/>).</summary>
    public void FillPermutation(Span<int> permutation)
    {
        for (var i = 0; i < permutation.Length; i++) permutation[i] = i;
        for (var i = permutation.Length - 1; i > 0; i--)
        {
            var j = NextIntMultiplyHigh(i + 1);
            (permutation[i], permutation[j]) = (permutation[j], permutation[i]);
        }
    }

    /// <summary>SplitMix64's output function: a bijective avalanche mix of 64 bits.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The generator of the coordinate (<paramref name="seed"/>, <paramref name="a"/>, <paramref name="b"/>, <paramref name="c"/>).</summary>
    public static SplitMix64 Derive(ulong seed, ulong a, ulong b = 0, ulong c = 0) =>
        new(Mix(Mix(Mix(Mix(seed) ^ a) + Gamma ^ b) + 0xD1B54A32D192ED03UL ^ c));
}
