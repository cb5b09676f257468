// BNNAS++'s three facets (§3.3: expressivity, trainability, uncertainty) and their combination, over plain arrays.
// The whole section is our reference design [I]: the paper names the facets but its formulas could not be read.
namespace Nas.Systems.OneShot.Indicators;

/// <summary>How the facets are combined (§3.3 [I]): rank aggregation against a fixed pool (default) or z-scores.</summary>
public enum FacetCombination { RankSum, ZScore }

/// <summary>One architecture's three facets, each oriented so that higher is better except U (lower is better).</summary>
public readonly record struct Facets(double E, double T, double U);

public static class BnnasPlusPlus
{
    /// <summary>
    /// E's kernel [I, NASWOT form]: K_H[i, j] = Σ_units [c_i c_j + (1−c_i)(1−c_j)] = N_A − Hamming(c_i, c_j),
    /// accumulated layer by layer. Each layer is an N×n row-major array of ReLU pre-activations; c = 1 where > 0.
    /// </summary>
    public static double[,] ActivationKernel(int n, IEnumerable<(float[] PreActivations, int Units)> layers)
    {
        var k = new double[n, n];
        foreach (var (pre, units) in layers)
        {
            if (pre.Length != n * units) throw new ArgumentException($"a layer of {units} units over {n} images needs {n * units} values, got {pre.Length}");
            for (int i = 0; i < n; i++)
                for (int j = i; j < n; j++)
                {
                    int same = 0;
                    for (int u = 0; u < units; u++) if (pre[i * units + u] > 0 == pre[j * units + u] > 0) same++;
                    k[i, j] += same;
                    if (j != i) k[j, i] += same;
                }
        }
        return k;
    }

    /// <summary>E(a) = log|det K_H| [I]. Higher = more input-distinguishing linear regions.</summary>
    public static double Expressivity(double[,] activationKernel) => Dense.LogAbsDet(activationKernel);

    /// <summary>
    /// T(a) = −log(λ_max / λ_min) of Θ = J Jᵀ, J the N×P gradients of the summed logits w.r.t. the path's trainable
    /// BN parameters (row-major) [I, TE-NAS form]. A numerically singular Θ (λ_min ≤ 1e-12·λ_max, e.g. N > P)
    /// gives −∞ [I].
    /// </summary>
    public static double Trainability(float[] jacobian, int n)
    {
        if (n <= 0 || jacobian.Length % n != 0) throw new ArgumentException($"jacobian of length {jacobian.Length} is not N×P with N = {n}");
        int p = jacobian.Length / n;
        var theta = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = i; j < n; j++)
            {
                double s = 0;
                for (int k = 0; k < p; k++) s += (double)jacobian[i * p + k] * jacobian[j * p + k];
                theta[i, j] = theta[j, i] = s;
            }
        var ev = Dense.SymmetricEigenvalues(theta);
        return ev[^1] <= 1e-12 * ev[0] ? double.NegativeInfinity : -Math.Log(ev[0] / ev[^1]);
    }

    /// <summary>The cheaper option `trainability = gradNorm` [I]: T = log ‖∂L/∂θ_BN‖₂.</summary>
    public static double GradNormTrainability(ReadOnlySpan<float> gradient)
    {
        double s = 0;
        foreach (var g in gradient) s += (double)g * g;
        return 0.5 * Math.Log(s);
    }

    /// <summary>
    /// U(a) = (1/N) Σ_i Σ_c Var_k[p_k(x_i)_c] [I, MC-BatchNorm]: <paramref name="probs"/>[k][i][c] are the softmax
    /// outputs of probe image i with BN statistics taken from minibatch k. Population variance (÷K). Lower is better.
    /// </summary>
    public static double Uncertainty(double[][][] probs)
    {
        int kCount = probs.Length, n = Shape(probs, out int classes);
        double total = 0;
        for (int i = 0; i < n; i++)
            for (int c = 0; c < classes; c++)
            {
                double mean = 0, sq = 0;
                for (int k = 0; k < kCount; k++) mean += probs[k][i][c];
                mean /= kCount;
                for (int k = 0; k < kCount; k++) sq += (probs[k][i][c] - mean) * (probs[k][i][c] - mean);
                total += sq / kCount;
            }
        return total / n;
    }

    /// <summary>The option `uncertainty = entropy` [I]: U = (1/N) Σ_i H(p̄(x_i)), natural log, 0·log 0 = 0.</summary>
    public static double EntropyUncertainty(double[][][] probs)
    {
        int kCount = probs.Length, n = Shape(probs, out int classes);
        double total = 0;
        for (int i = 0; i < n; i++)
            for (int c = 0; c < classes; c++)
            {
                double mean = 0;
                for (int k = 0; k < kCount; k++) mean += probs[k][i][c];
                mean /= kCount;
                if (mean > 0) total -= mean * Math.Log(mean);
            }
        return total / n;
    }

    /// <summary>
    /// Percentile rank of <paramref name="value"/> within pool ∪ {value}: its average 1-based rank (ties share the
    /// mean rank) divided by |pool| + 1, so it lies in (0, 1] and higher means larger.
    /// </summary>
    public static double PercentileRank(double value, IReadOnlyList<double> pool)
    {
        int below = 0, equal = 1; // the value ties with itself
        foreach (var p in pool) { if (p < value) below++; else if (p == value) equal++; }
        double avgRank = below + (equal + 1) / 2.0;
        return avgRank / (pool.Count + 1);
    }

    /// <summary>
    /// score(a) = w_E·ρ_E + w_T·ρ_T + w_U·ρ_U with ρ the percentile ranks against the fixed reference pool and U
    /// ranked as −U (default w = (1, 1, 1)) [I]; or, with <see cref="FacetCombination.ZScore"/>, Σ_f w_f (f − μ_f)/σ_f
    /// with population σ over the pool (a constant facet contributes 0). Higher is better.
    /// </summary>
    public static double Combine(Facets a, IReadOnlyList<Facets> pool, FacetCombination how = FacetCombination.RankSum, (double E, double T, double U)? weights = null)
    {
        var w = weights ?? (1, 1, 1);
        if (pool.Count == 0) throw new ArgumentException("the reference pool is empty");
        double[] e = pool.Select(f => f.E).ToArray(), t = pool.Select(f => f.T).ToArray(), u = pool.Select(f => -f.U).ToArray();
        return how switch
        {
            FacetCombination.RankSum => w.E * PercentileRank(a.E, e) + w.T * PercentileRank(a.T, t) + w.U * PercentileRank(-a.U, u),
            FacetCombination.ZScore => w.E * Z(a.E, e) + w.T * Z(a.T, t) + w.U * Z(-a.U, u),
            _ => throw new ArgumentOutOfRangeException(nameof(how), how, null),
        };
    }

    private static double Z(double x, double[] pool)
    {
        double mean = pool.Average();
        double sd = Math.Sqrt(pool.Sum(p => (p - mean) * (p - mean)) / pool.Length);
        return sd == 0 ? 0 : (x - mean) / sd;
    }

    private static int Shape(double[][][] probs, out int classes)
    {
        if (probs.Length == 0 || probs[0].Length == 0) throw new ArgumentException("need at least one minibatch and one probe image");
        int n = probs[0].Length;
        classes = probs[0][0].Length;
        foreach (var batch in probs)
        {
            if (batch.Length != n) throw new ArgumentException($"every minibatch must score the same {n} probe images");
            foreach (var row in batch) if (row.Length != classes) throw new ArgumentException($"every probability row must have {classes} classes");
        }
        return n;
    }
}
