// PC-DARTS partial channel connections (methods.md §3.1a): which channels go through an edge's mixed op, which bypass it, and the channel shuffle.
namespace Nas.Systems.Techniques;

/// <summary>The split of an edge's C input channels: the first C/K through the mixed op, the rest straight past it.</summary>
public readonly record struct ChannelSplit(int Channels, int K)
{
    public int Mixed => Channels / K;
    public int Bypass => Channels - Mixed;
    /// <summary>Channels [0, Mixed) go through the mixed op (the reference takes the first C/K, not a random subset: §3.6 pitfall 1).</summary>
    public Range MixedRange => 0..Mixed;
    public Range BypassRange => Mixed..Channels;
}

public static class PartialChannels
{
    /// <summary>The channel split of an edge, after <see cref="Validate"/>.</summary>
    public static ChannelSplit Split(int channels, int k)
    {
        Validate(channels, k);
        return new ChannelSplit(channels, k);
    }

    /// <summary>
    /// Throws when K cannot split C: C must be divisible by K, and C/K even because the stride-2 skip op on C/K channels
    /// is a FactorizedReduce whose two halves need an even count (§1.2, §3.1). <paramref name="where"/> names the cell or layer in the message.
    /// </summary>
    public static void Validate(int channels, int k, string where = "edge")
    {
        if (k < 1) throw new ArgumentException($"{where}: partial-channel K must be at least 1, got {k}");
        if (channels < 1) throw new ArgumentException($"{where}: channel count must be at least 1, got {channels}");
        if (k == 1) return;
        if (channels % k != 0)
            throw new ArgumentException($"{where}: partial-channel K = {k} must divide the edge's {channels} channels (§3.1)");
        if (channels / k % 2 != 0)
            throw new ArgumentException($"{where}: {channels}/{k} = {channels / k} channels go through the mixed op, which must be even: the stride-2 skip is a FactorizedReduce (§3.1); use a K that leaves an even count");
    }

    /// <summary>
    /// The channel shuffle with K groups as a gather: <c>output[c] = input[source[c]]</c>, source[c] = (c mod K)·(C/K) + ⌊c/K⌋.
    /// It is the reference's view(K, C/K) → transpose → flatten.
    /// </summary>
    public static int[] Shuffle(int channels, int k)
    {
        Validate(channels, k);
        var perGroup = channels / k;
        var source = new int[channels];
        for (var c = 0; c < channels; c++) source[c] = c % k * perGroup + c / k;
        return source;
    }

    /// <summary>The gather that undoes <see cref="Shuffle"/>: <c>input[i] = output[inverse[i]]</c>.</summary>
    public static int[] InverseShuffle(int channels, int k) => Inverse(Shuffle(channels, k));

    /// <summary>Inverse of a permutation given as a gather index.</summary>
    public static int[] Inverse(IReadOnlyList<int> permutation)
    {
        var inverse = new int[permutation.Count];
        Array.Fill(inverse, -1);
        for (var i = 0; i < permutation.Count; i++)
        {
            var p = permutation[i];
            if (p < 0 || p >= permutation.Count || inverse[p] >= 0)
                throw new ArgumentException($"not a permutation: entry {i} is {p}", nameof(permutation));
            inverse[p] = i;
        }
        return inverse;
    }

    /// <summary>
    /// The random-mask variant (§3.6 pitfall 1, not the reference's default): a uniform permutation to apply to an edge's input
    /// channels for one step before taking the first C/K; apply the same permutation to the bypass part. Fisher-Yates.
    /// </summary>
    public static int[] RandomPermutation(int channels, ref Xoshiro256StarStar rng)
    {
        var p = new int[channels];
        for (var i = 0; i < channels; i++) p[i] = i;
        for (var i = channels - 1; i > 0; i--)
        {
            var j = rng.NextInt(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }
}
