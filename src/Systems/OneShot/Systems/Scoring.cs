// How a candidate is scored on the trained supernet: SPOS accuracy (§1.4), BN-NAS's γ table (§2.2), BNNAS++'s facets E, T, U (§3.3).
using Nas.Components;
using Nas.Systems.OneShot.Indicators;
using Nas.Systems.OneShot.NasBench201;
using Nas.Systems.OneShot.Search;
using Nas.Systems.OneShot.Supernet;
using Nas.Torch;
using Nas.World;

namespace Nas.Systems.OneShot.Systems;

public static class Scoring
{
    /// <summary>Top-1 error after BN recalibration (§1.4; lower is better).</summary>
    public static double Error(OneShotSupernet net, EvalData data, int[] genome)
    {
        net.Recalibrate(genome, data.Recalibration);
        return 1 - net.Accuracy(genome, data.Eval);
    }

    /// <summary>
    /// mean |γ| of each op's output BN (§2.2); 0 for ops without one. NB-201: the mean over the cells' instances of the
    /// edge (§2.5(c) [I]). Mobile columns are genes 0..5 (identity is −1 and scores 0).
    /// </summary>
    public static double[][] BnTable(OneShotSupernet net)
    {
        if (net.Spec.Space == OneShotSpaceKind.Darts) return Darts.DartsSupernet.BnTable(net); // rows per (cell type, edge)
        int ops = net.Spec.Space == OneShotSpaceKind.Nb201 ? Nb201Cell.OpCount : Mobile.MobileSpace.Ops.Count;
        int cells = net.Spec.Space == OneShotSpaceKind.Nb201 ? net.CellCount : 1;
        var table = new double[net.Layers][];
        for (int l = 0; l < net.Layers; l++)
        {
            table[l] = new double[ops];
            for (int o = 0; o < ops; o++)
            {
                double sum = 0;
                for (int c = 0; c < cells; c++)
                    if (net.TryOp(l, o, c, out var e) && net.Tensors.OutputBns.TryGetValue(e, out var bn) && bn.Weight is { } gamma)
                        sum += BnIndicator.OpScore(gamma.ToFloatArray());
                table[l][o] = sum / cells;
            }
        }
        return table;
    }

    /// <summary>
    /// E, T, U of one path on the BN-only supernet [I]. E: NASWOT log|det K_H| over every ReLU unit, train-mode BN on
    /// the probe batch (momentum 0, so running statistics stay). T: −log κ of J Jᵀ, J = ∂Σ_k f_k(x_i)/∂θ over the path's
    /// trainable BN parameters, one row per probe image. U: mean per-class variance of softmax over K BN-statistics draws
    /// (running statistics set to recalibration batch k, then eval on the probe); statistics are restored afterwards.
    /// </summary>
    public static Facets ComputeFacets(OneShotSupernet net, EvalData data, int[] genome, FacetSettings c)
    {
        var probeImages = data.Eval[0].Images;
        int n = (int)Math.Min(c.Probe, probeImages.Size(0));
        using var scope = new TensorScope();
        var probe = n == probeImages.Size(0) ? probeImages : scope.Own(probeImages.Narrow(0, 0, n));

        double e;
        using (NoGrad.Enter())
        {
            var acts = new ActivationProbe();
            net.Forward(genome, probe, training: true, scope, bnMomentum: 0, probe: acts);
            var layers = acts.PreActivations.Select(a => (a.Contiguous().ToFloatArray(), (int)(a.Numel / n)));
            e = BnnasPlusPlus.Expressivity(BnnasPlusPlus.ActivationKernel(n, layers));
        }

        var theta = net.PathOps(genome).SelectMany(op => net.Tensors.OutputBns.TryGetValue(op, out var bn) ? new[] { bn.Weight, bn.Bias } : [])
            .Where(t => t is { RequiresGrad: true }).Select(t => t!).ToArray();
        double tr = double.NegativeInfinity;
        var logits = theta.Length > 0 ? net.Forward(genome, probe, training: true, scope, bnMomentum: 0) : null;
        // A path whose output reaches none of its trainable BN parameters (their ops feed only nodes that 'none' edges
        // cut off) has an empty Jacobian: as untrainable as a path without them, not an error.
        if (logits is { RequiresGrad: true })
        {
            long p = theta.Sum(t => t.Numel);
            var jac = new float[n * p];
            for (int i = 0; i < n; i++)
            {
                var row = scope.Own(scope.Own(logits.Select(0, i)).Sum());
                var grads = Autograd.Grad([row], theta, retainGraph: i < n - 1);
                long at = i * p;
                for (int k = 0; k < theta.Length; k++)
                {
                    using var g = grads[k];
                    if (g is not null) g.ToFloatArray().CopyTo(jac, at);
                    at += theta[k].Numel;
                }
            }
            tr = BnnasPlusPlus.Trainability(jac, n);
        }

        var backup = net.BackupRunningStatistics(scope);
        var draws = Math.Min(c.Draws, data.Recalibration.Count);
        var probs = new double[draws][][];
        using (NoGrad.Enter())
            for (int k = 0; k < draws; k++)
            {
                net.ResetRunningStatistics();
                net.Forward(genome, data.Recalibration[k], training: true, scope, bnMomentum: 1.0);
                var soft = scope.Own(net.Forward(genome, probe, training: false, scope).Softmax(1));
                var flat = soft.ToFloatArray();
                int classes = (int)soft.Size(1);
                probs[k] = Enumerable.Range(0, n).Select(i => Enumerable.Range(0, classes).Select(j => (double)flat[i * classes + j]).ToArray()).ToArray();
            }
        net.RestoreRunningStatistics(backup);
        return new Facets(e, tr, draws > 0 ? BnnasPlusPlus.Uncertainty(probs) : 0);
    }

    /// <summary>Weights of the facets named in <paramref name="letters"/> (e, t, u); a facet left out weighs 0.</summary>
    public static (double E, double T, double U) Weights(string letters)
    {
        var l = letters.ToLowerInvariant();
        var w = (l.Contains('e') ? 1.0 : 0, l.Contains('t') ? 1.0 : 0, l.Contains('u') ? 1.0 : 0);
        if (w is (0, 0, 0)) throw new ArgumentException($"facets must name at least one of e, t, u; got '{letters}'");
        return w;
    }

    /// <summary>
    /// The pool of §3.3: facets of <see cref="FacetSettings.Pool"/> uniform draws from the space, computed once; each layer's
    /// choice is <paramref name="nextInt"/>(count), e.g. <c>new Rng(seed).NextInt</c>.
    /// </summary>
    public static FacetPoolState Pool(OneShotSupernet net, EvalData data, IChoiceSpace space, FacetSettings c, Func<int, int> nextInt)
    {
        var facets = Enumerable.Range(0, c.Pool).Select(_ => ComputeFacets(net, data, ChoiceSpaces.Uniform(space, nextInt), c)).ToArray();
        return new FacetPoolState(facets.Select(f => f.E).ToArray(), facets.Select(f => f.T).ToArray(), facets.Select(f => f.U).ToArray());
    }

    public static IReadOnlyList<Facets> AsList(FacetPoolState p) => p.E.Select((e, i) => new Facets(e, p.T[i], p.U[i])).ToArray();
}
