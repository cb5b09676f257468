// The one seeded random generator of a run: xoshiro256** with a readable and writable state; the world holds named streams of it.
using System.Runtime.CompilerServices;

namespace Nas.World;

/// <summary>
/// xoshiro256** 1.0 (Blackman and Vigna, https://prng.di.unimi.it/xoshiro256starstar.c), seeded by expanding a 64-bit
/// seed with SplitMix64 as the authors recommend. Integer arithmetic only, so the stream is the same on every platform.
/// Derived draws (<see cref="NextDouble"/>, <see cref="NextInt(int)"/>, <see cref="NextGaussian"/>) keep no hidden
/// state: the four state words are the whole state. A run's streams are instances on the world by name
/// (<see cref="World.Rng(string)"/>, snapshotted as <see cref="RngStreams"/>), each derived from the run seed.
/// </summary>
public sealed class Rng
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>The state SplitMix64 expands <paramref name="seed"/> into.</summary>
    public Rng(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix64.Next(ref x);
        _s1 = SplitMix64.Next(ref x);
        _s2 = SplitMix64.Next(ref x);
        _s3 = SplitMix64.Next(ref x);
    }

    private Rng() { }

    /// <summary>
    /// Stream <paramref name="stream"/> of <paramref name="seed"/>: the seed is first mixed with the stream number, so
    /// streams of one seed look independent. <see cref="StreamId"/> turns a stream's name into its number.
    /// </summary>
    public static Rng ForStream(ulong seed, ulong stream)
    {
        var x = seed ^ (stream * 0xD1B54A32D192ED03UL);
        return new Rng(SplitMix64.Next(ref x));
    }

    /// <summary>Stream <paramref name="name"/> of <paramref name="seed"/> (<see cref="ForStream(ulong, ulong)"/> of <see cref="StreamId"/>).</summary>
    public static Rng ForStream(ulong seed, string name) => ForStream(seed, StreamId(name));

    /// <summary>
    /// A stream's number from its name: the upper-cased name's ASCII letters, digits or '-', '_', read as one big-endian
    /// number (1 to 8 characters), so "drop" is 0x44524F50 ("DROP").
    /// </summary>
    public static ulong StreamId(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 8 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new ArgumentException($"a stream name is 1 to 8 ASCII letters, digits, '-' or '_'; got '{name}'", nameof(name));
        ulong id = 0;
        foreach (var c in name.ToUpperInvariant()) id = (id << 8) | c;
        return id;
    }

    /// <summary>A generator continuing from a saved state; the state must not be all zeros.</summary>
    public static Rng FromState(ReadOnlySpan<ulong> state)
    {
        var rng = new Rng();
        rng.SetState(state);
        return rng;
    }

    /// <summary>The four state words, s0..s3.</summary>
    public ulong[] GetState() => [_s0, _s1, _s2, _s3];

    public void SetState(ReadOnlySpan<ulong> state)
    {
        if (state.Length != 4) throw new ArgumentException($"xoshiro256** state is 4 words, got {state.Length}", nameof(state));
        if ((state[0] | state[1] | state[2] | state[3]) == 0) throw new ArgumentException("xoshiro256** state must not be all zeros", nameof(state));
        (_s0, _s1, _s2, _s3) = (state[0], state[1], state[2], state[3]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, 1) with 24 random bits.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>Uniform in [0, <paramref name="maxExclusive"/>), unbiased (Lemire's multiply-and-reject).</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "must be positive");
        var range = (ulong)maxExclusive;
        var m = (UInt128)NextUInt64() * range;
        if ((ulong)m < range)
        {
            var threshold = (0UL - range) % range;
            while ((ulong)m < threshold) m = (UInt128)NextUInt64() * range;
        }
        return (int)(ulong)(m >> 64);
    }

    public int NextInt(int minInclusive, int maxExclusive)
    {
        if (maxExclusive <= minInclusive) throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, $"must exceed {minInclusive}");
        return minInclusive + NextInt(maxExclusive - minInclusive);
    }

    public bool NextBool(double probabilityTrue) => NextDouble() < probabilityTrue;

    /// <summary>A standard normal draw (Box-Muller, both uniforms drawn each call, no cached spare).</summary>
    public double NextGaussian()
    {
        var u1 = 1.0 - NextDouble(); // (0, 1]
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Fisher-Yates shuffle, from the last element down.</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (var i = items.Length - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>Advances 2^128 draws: call on a copy to get a stream that never overlaps this one.</summary>
    public void Jump()
    {
        ReadOnlySpan<ulong> jump = [0x180ec6d33cfd0abaUL, 0xd5a61266f0c9392cUL, 0xa9582618e03fc9aaUL, 0x39abdc4529b1661cUL];
        ulong s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        foreach (var word in jump)
            for (var b = 0; b < 64; b++)
            {
                if ((word & (1UL << b)) != 0) { s0 ^= _s0; s1 ^= _s1; s2 ^= _s2; s3 ^= _s3; }
                NextUInt64();
            }
        (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);
    }

    public Rng Clone() => FromState(GetState());
}
