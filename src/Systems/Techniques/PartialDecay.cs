// DropNAS partial decay (methods.md §5.4 step 3): L2 only on the weights and alphas of ops kept this step, as a second optimiser step.
namespace Nas.Systems.Techniques;

/// <summary>Where a weight tensor sits, which decides whether dropout can exclude it from decay.</summary>
public enum WeightOwner
{
    /// <summary>Stem, preprocessing, classifier: always in the forward pass, always decayed.</summary>
    Shared,
    /// <summary>A weight of one candidate op on one edge: decayed only when that op was kept.</summary>
    Op,
}

public static class PartialDecay
{
    /// <summary>DropNAS defaults: R = 3e-4 · Σ‖w‖² + 1e-3 · Σ α² over kept entries (§5.5).</summary>
    public const double WeightRate = 3e-4;
    public const double AlphaRate = 1e-3;

    /// <summary>
    /// Whether a weight counts as kept for decay. We use the mask directly; the reference tests whether the first element of the
    /// weight's gradient is non-zero (§5.9 pitfall 5), which agrees except when a kept op's gradient happens to start with an exact 0.
    /// </summary>
    public static bool Decays(WeightOwner owner, bool opKept) => owner == WeightOwner.Shared || opKept;

    /// <summary>
    /// The gradient factor of R: ∂(λ‖w‖²)/∂w = 2λ·w, so the decay step behaves like PyTorch weight_decay 2λ (§5.4). Multiply each
    /// decayed weight by this to get its gradient.
    /// </summary>
    public static double GradientFactor(double rate) => 2 * rate;

    /// <summary>λ · Σ over kept entries of α²: the alpha part of R for one alpha matrix (entries with a dropped op excluded).</summary>
    public static double AlphaPenalty(float[][] alpha, bool[][] kept, double rate = AlphaRate)
    {
        if (alpha.Length != kept.Length) throw new ArgumentException($"alpha has {alpha.Length} rows but masks {kept.Length}");
        var sum = 0.0;
        for (var e = 0; e < alpha.Length; e++)
            for (var o = 0; o < alpha[e].Length; o++)
                if (kept[e][o]) sum += (double)alpha[e][o] * alpha[e][o];
        return rate * sum;
    }

    /// <summary>∂R/∂α: 2λα on kept entries, 0 on dropped ones.</summary>
    public static float[][] AlphaPenaltyGradient(float[][] alpha, bool[][] kept, double rate = AlphaRate)
    {
        if (alpha.Length != kept.Length) throw new ArgumentException($"alpha has {alpha.Length} rows but masks {kept.Length}");
        var factor = GradientFactor(rate);
        return alpha.Select((row, e) => row.Select((a, o) => kept[e][o] ? (float)(factor * a) : 0f).ToArray()).ToArray();
    }

    /// <summary>λ · Σ‖w‖² over the weights that <see cref="Decays"/>; each weight given as its values, its owner and its op's kept flag.</summary>
    public static double WeightPenalty(IEnumerable<(IReadOnlyList<float> Values, WeightOwner Owner, bool OpKept)> weights, double rate = WeightRate)
    {
        var sum = 0.0;
        foreach (var (values, owner, opKept) in weights)
            if (Decays(owner, opKept))
                foreach (var v in values) sum += (double)v * v;
        return rate * sum;
    }
}
