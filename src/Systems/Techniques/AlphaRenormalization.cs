// DropNAS alpha bookkeeping (methods.md §5.3, §5.4): softmax over kept ops, the kept-mass ratio rho, and the shift that restores rho after the update.
namespace Nas.Systems.Techniques;

public static class AlphaRenormalization
{
    /// <summary>Mixing weights of one edge with dropped ops: exp(α_o) / Σ_kept exp(α) for kept ops, 0 for dropped; no 1/(1−p) rescaling (§5.3 rule 4).</summary>
    public static float[] KeptSoftmax(IReadOnlyList<float> alpha, IReadOnlyList<bool> kept)
    {
        CheckShapes(alpha, kept);
        var lse = LogSumExp(alpha, kept, true);
        if (double.IsNegativeInfinity(lse)) throw new ArgumentException("every op of the edge is dropped; each group keeps at least one", nameof(kept));
        var w = new float[alpha.Count];
        for (var o = 0; o < w.Length; o++) w[o] = kept[o] ? (float)Math.Exp(alpha[o] - lse) : 0f;
        return w;
    }

    /// <summary>ρ = Σ_kept exp(α) / Σ_all exp(α), from the alphas before the update (§5.3 rule 5).</summary>
    public static double KeptMass(IReadOnlyList<float> alpha, IReadOnlyList<bool> kept)
    {
        CheckShapes(alpha, kept);
        return Math.Exp(LogSumExp(alpha, kept, true) - LogSumExp(alpha, kept, null));
    }

    /// <summary>ln(ρ/(1−ρ)) computed from the alphas directly, without the cancellation of 1 − ρ when ρ is near 1.</summary>
    public static double KeptLogOdds(IReadOnlyList<float> alpha, IReadOnlyList<bool> kept)
    {
        CheckShapes(alpha, kept);
        return LogSumExp(alpha, kept, true) - LogSumExp(alpha, kept, false);
    }

    /// <summary>
    /// k = ln(ρ/(1−ρ) · S_d/S_k) with S_k, S_d the kept and dropped exp-sums of the alphas after both steps (§5.4 step 4).
    /// Adding k to every kept alpha makes the kept softmax mass ρ again. 0 when no op was dropped (the reference skips such edges).
    /// </summary>
    public static double Shift(IReadOnlyList<float> alphaAfter, IReadOnlyList<bool> kept, double rho)
    {
        if (!(rho > 0 && rho <= 1)) throw new ArgumentOutOfRangeException(nameof(rho), rho, "the kept mass must be in (0, 1]");
        if (!DropMaskSampler.AnyDropped(kept)) return 0;
        return ShiftFromLogOdds(alphaAfter, kept, Math.Log(rho) - Math.Log(1 - rho));
    }

    /// <summary>The same shift from ln(ρ/(1−ρ)) (see <see cref="KeptLogOdds"/>), the numerically safe form.</summary>
    public static double ShiftFromLogOdds(IReadOnlyList<float> alphaAfter, IReadOnlyList<bool> kept, double keptLogOdds)
    {
        CheckShapes(alphaAfter, kept);
        if (!DropMaskSampler.AnyDropped(kept)) return 0;
        if (double.IsInfinity(keptLogOdds) || double.IsNaN(keptLogOdds))
            throw new ArgumentOutOfRangeException(nameof(keptLogOdds), keptLogOdds, "the kept mass must be strictly between 0 and 1 on an edge with dropped ops");
        return keptLogOdds + LogSumExp(alphaAfter, kept, false) - LogSumExp(alphaAfter, kept, true);
    }

    /// <summary>The edge's alphas with <paramref name="shift"/> added to the kept ones; dropped ones unchanged.</summary>
    public static float[] Shifted(IReadOnlyList<float> alpha, IReadOnlyList<bool> kept, double shift)
    {
        CheckShapes(alpha, kept);
        var result = new float[alpha.Count];
        for (var o = 0; o < result.Length; o++) result[o] = kept[o] ? (float)(alpha[o] + shift) : alpha[o];
        return result;
    }

    /// <summary>Step 4 on a whole alpha matrix: every edge with a dropped op gets its kept alphas shifted back to its stored ρ.</summary>
    public static float[][] Renormalize(float[][] alphaAfter, bool[][] kept, double[] rho)
    {
        if (alphaAfter.Length != kept.Length || alphaAfter.Length != rho.Length)
            throw new ArgumentException($"alpha has {alphaAfter.Length} rows, masks {kept.Length}, rho {rho.Length}");
        var result = new float[alphaAfter.Length][];
        for (var e = 0; e < alphaAfter.Length; e++)
            result[e] = DropMaskSampler.AnyDropped(kept[e]) ? Shifted(alphaAfter[e], kept[e], Shift(alphaAfter[e], kept[e], rho[e])) : (float[])alphaAfter[e].Clone();
        return result;
    }

    /// <summary>ρ for every edge of a matrix (before the update).</summary>
    public static double[] KeptMasses(float[][] alpha, bool[][] kept) =>
        alpha.Select((row, e) => KeptMass(row, kept[e])).ToArray();

    /// <summary>log Σ exp(α_o) over ops whose kept flag equals <paramref name="which"/> (all ops when null); −∞ for an empty set.</summary>
    private static double LogSumExp(IReadOnlyList<float> alpha, IReadOnlyList<bool> kept, bool? which)
    {
        var max = double.NegativeInfinity;
        for (var o = 0; o < alpha.Count; o++)
            if (which is null || kept[o] == which) max = Math.Max(max, alpha[o]);
        if (double.IsNegativeInfinity(max)) return max;
        var sum = 0.0;
        for (var o = 0; o < alpha.Count; o++)
            if (which is null || kept[o] == which) sum += Math.Exp(alpha[o] - max);
        return max + Math.Log(sum);
    }

    private static void CheckShapes(IReadOnlyList<float> alpha, IReadOnlyList<bool> kept)
    {
        if (alpha.Count != kept.Count) throw new ArgumentException($"the edge has {alpha.Count} alphas but {kept.Count} mask entries");
    }
}
