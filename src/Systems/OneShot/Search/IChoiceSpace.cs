// What the evolutionary search needs from a search space: per-layer gene choices, a canonical form and FLOPs.
using Nas.World;

namespace Nas.Systems.OneShot.Search;

/// <summary>
/// A genome is an int array with one gene per layer (§1.5). Random draws, mutation and crossover only ever pick
/// genes from <see cref="Choices"/>, so a layer with a single choice (a forced identity, §2.6) never changes and a
/// shrunk space (§4.5) is a space whose choice lists are shorter.
/// </summary>
public interface IChoiceSpace
{
    int Layers { get; }

    /// <summary>The admissible genes of one layer, in a fixed order; never empty.</summary>
    IReadOnlyList<int> Choices(int layer);

    /// <summary>Rewrites genes that mean the same architecture to one form (applied after every draw, mutation and crossover).</summary>
    void Canonicalize(Span<int> genome);

    /// <summary>The FLOPs (multiply-accumulates) the legality check compares to the limit.</summary>
    double Flops(ReadOnlySpan<int> genome);

    /// <summary>
    /// The parameter count the params limit is compared to: the network the genome names as it would be retrained
    /// (affine BatchNorms and the classifier included), whatever BN the supernet itself uses.
    /// </summary>
    double Params(ReadOnlySpan<int> genome);

    /// <summary>
    /// The smallest FLOPs and the smallest parameter count of any genome of the space (each minimised on its own, exactly):
    /// a limit below either admits no architecture at all.
    /// </summary>
    (double Flops, double Params) Smallest();

    /// <summary>
    /// The evolution's memo key (§1.5): two genomes with the same key count as one architecture, so only the first
    /// is evaluated. By default the genes themselves; a space may merge equivalent genomes (NB-201 isomorphism).
    /// </summary>
    string Key(ReadOnlySpan<int> genome) => ChoiceSpaces.Key(genome);
}

/// <summary>Sampling that every space shares.</summary>
public static class ChoiceSpaces
{
    /// <summary>Each layer uniform over its choices, then canonicalized.</summary>
    public static int[] Uniform(IChoiceSpace space, Rng rng) => Uniform(space, rng.NextInt);

    /// <summary>Each layer uniform over its choices (index <paramref name="nextInt"/>(count)), then canonicalized.</summary>
    public static int[] Uniform(IChoiceSpace space, Func<int, int> nextInt)
    {
        var g = new int[space.Layers];
        for (int l = 0; l < g.Length; l++)
        {
            var choices = space.Choices(l);
            g[l] = choices[nextInt(choices.Count)];
        }
        space.Canonicalize(g);
        return g;
    }

    /// <summary>
    /// Uniform draws until one has FLOPs ≤ <paramref name="limit"/>; null after <paramref name="maxTries"/> draws.
    /// The cap on tries is ours [I]; SPOS's own random fill has none.
    /// </summary>
    public static int[]? UnderFlops(IChoiceSpace space, double limit, Rng rng, int maxTries = 10_000)
    {
        for (int t = 0; t < maxTries; t++)
        {
            var g = Uniform(space, rng);
            if (space.Flops(g) <= limit) return g;
        }
        return null;
    }

    /// <summary>
    /// SPOS's "uniform constraint sampling" (§1.3): split [lo, hi] into bins of <paramref name="bin"/> (the last one
    /// may be shorter), pick a bin uniformly with <paramref name="nextInt"/>, call <paramref name="draw"/> until a
    /// genome's FLOPs land in it (both ends included), at most <paramref name="maxTries"/> times, else return one more
    /// unconstrained draw. The caller's draw decides the per-layer distribution (uniform, shrunk or broadened).
    /// </summary>
    public static int[] InFlopsBin(IChoiceSpace space, double lo, double hi, double bin, Func<int, int> nextInt, Func<int[]> draw, int maxTries = 500)
    {
        int k = nextInt(FlopsBins(lo, hi, bin));
        double from = lo + k * bin, to = Math.Min(hi, from + bin);
        for (int t = 0; t < maxTries; t++)
        {
            var g = draw();
            var f = space.Flops(g);
            if (f >= from && f <= to) return g;
        }
        return draw();
    }

    /// <summary>How many bins of <paramref name="bin"/> cover [lo, hi]: SPOS's [290M, 360M] in 10M bins gives 7.</summary>
    public static int FlopsBins(double lo, double hi, double bin)
    {
        if (!(hi > lo) || !(bin > 0)) throw new ArgumentException($"need lo < hi and bin > 0, got [{lo}, {hi}] bin {bin}");
        return (int)Math.Ceiling((hi - lo) / bin - 1e-9);
    }

    public static string Key(ReadOnlySpan<int> genome)
    {
        var parts = new string[genome.Length];
        for (int i = 0; i < parts.Length; i++) parts[i] = genome[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
        return string.Join(",", parts);
    }

    /// <summary>Number of genomes the space holds (before canonicalization merges any).</summary>
    public static double Size(IChoiceSpace space)
    {
        double n = 1;
        for (int l = 0; l < space.Layers; l++) n *= space.Choices(l).Count;
        return n;
    }
}
