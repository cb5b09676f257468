// BN-NAS's indicator (§2.2): mean |γ| of each op's last BatchNorm, summed over the chosen op of every layer.
namespace Nas.Systems.OneShot.Indicators;

public static class BnIndicator
{
    /// <summary>s(l, o) = (1/C_out) Σ_c |γ[c]|: the per-channel mean, so layers of different widths compare.</summary>
    public static double OpScore(ReadOnlySpan<float> gamma)
    {
        if (gamma.Length == 0) throw new ArgumentException("a BatchNorm has at least one channel");
        double sum = 0;
        foreach (var g in gamma) sum += Math.Abs(g);
        return sum / gamma.Length;
    }

    /// <summary>
    /// The L × |O| score table built once after supernet training. <paramref name="lastBnGamma"/>[l][o] is γ of
    /// op o's last BN in layer l, or null for an op without a BN (identity, NB-201's none/skip/pool), which scores 0.
    /// </summary>
    public static double[][] Table(IReadOnlyList<IReadOnlyList<float[]?>> lastBnGamma) =>
        lastBnGamma.Select(layer => layer.Select(g => g is null ? 0.0 : OpScore(g)).ToArray()).ToArray();

    /// <summary>S(a) = Σ_l table[l][a_l]; a negative gene (identity, −1) contributes 0. Higher is better.</summary>
    public static double Score(double[][] table, ReadOnlySpan<int> genome)
    {
        if (genome.Length != table.Length) throw new ArgumentException($"table has {table.Length} layers, genome has {genome.Length} genes");
        double s = 0;
        for (int l = 0; l < genome.Length; l++)
            if (genome[l] >= 0) s += table[l][genome[l]];
        return s;
    }

    /// <summary>The EA minimizes, so BN-NAS's fitness is −S(a) (§2.2).</summary>
    public static double Fitness(double[][] table, ReadOnlySpan<int> genome) => -Score(table, genome);
}
