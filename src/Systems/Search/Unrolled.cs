// Second-order DARTS (§2.3 step 2): the gradient of alpha through one virtual SGD step, with the finite-difference Hessian-vector term.
using Nas.Components;
using Nas.Systems.Data;
using Nas.Torch;

namespace Nas.Systems.Search;

public static class Unrolled
{
    /// <summary>The supernet form: losses are cross-entropy of the supernet on the train and architecture batches.</summary>
    public static (Tensor?[] Grads, double ValLoss) ArchGradient(World.World world, SupernetRuntime net, Batch train, Batch val,
        double eta, WeightOptimizerSettings optimizer, TensorScope scope)
    {
        var counters = world.ReadResource<OptimizerCounters>();
        var stats = net.RunningStats(world, write: true); // the pass at w′ moves them; restored after it
        Tensor Loss(Batch b, TensorScope s) => s.Own(SearchForward.Logits(world, net, b.Images, s).CrossEntropy(b.Labels));
        return ArchGradient(s => Loss(train, s), s => Loss(val, s), net.Weights(world, write: true), net.Arch(world), net.Momentum(world), counters.MomentumStarted,
            eta, optimizer.Momentum, optimizer.WeightDecay, stats, scope);
    }

    /// <summary>
    /// g_α = ∇_α L_val(w′, α) − η·[∇_α L_tr(w⁺, α) − ∇_α L_tr(w⁻, α)] / (2ε), where w′ = w − η(μ·m + ∇_w L_tr + λw),
    /// v = ∇_w′ L_val(w′, α), ε = 0.01/‖v‖ and w± = w ± ε·v. Weights are moved in place and restored exactly;
    /// <paramref name="runningStats"/> are restored after the pass at w′ (the reference runs it on a copy of the model).
    /// Returns gradients owned by <paramref name="scope"/> and L_val(w′, α).
    /// </summary>
    public static (Tensor?[] Grads, double ValLoss) ArchGradient(
        Func<TensorScope, Tensor> trainLoss, Func<TensorScope, Tensor> valLoss,
        Tensor[] weights, Tensor[] arch, Tensor[] momentum, bool[] momentumStarted,
        double eta, double mu, double weightDecay, IReadOnlyList<Tensor> runningStats, TensorScope scope)
    {
        Tensor?[] Grad(Tensor loss, Tensor[] inputs)
        {
            var g = Autograd.Grad([loss], inputs);
            foreach (var t in g) if (t is not null) scope.Own(t);
            return g;
        }

        var gw = Grad(trainLoss(scope), weights);
        Tensor[] backup;
        Tensor[] statsBackup;
        using (NoGrad.Enter())
        {
            backup = weights.Select(w => scope.Own(w.Clone())).ToArray();
            statsBackup = runningStats.Select(s => scope.Own(s.Clone())).ToArray();
            for (var i = 0; i < weights.Length; i++)
            {
                var d = scope.Own(weights[i].Mul(weightDecay));
                if (gw[i] is { } g) d.AddInPlace(g);
                if (momentum.Length > 0 && momentumStarted[i]) d.AddInPlace(momentum[i], mu);
                weights[i].AddInPlace(d, -eta);
            }
        }

        var lv = valLoss(scope);
        var valLossValue = lv.Item();
        var all = Grad(lv, [.. arch, .. weights]);
        var g1 = all[..arch.Length];
        var v = all[arch.Length..];
        double sq = 0;
        foreach (var t in v) if (t is not null) sq += scope.Own(scope.Own(t.Square()).Sum()).Item();
        var eps = 0.01 / Math.Sqrt(sq);

        Tensor?[] gp, gn;
        using (NoGrad.Enter())
        {
            for (var i = 0; i < runningStats.Count; i++) runningStats[i].CopyFrom(statsBackup[i]);
            for (var i = 0; i < weights.Length; i++)
            {
                weights[i].CopyFrom(backup[i]);
                if (v[i] is { } vi) weights[i].AddInPlace(vi, eps);
            }
        }
        gp = Grad(trainLoss(scope), arch);
        using (NoGrad.Enter())
            for (var i = 0; i < weights.Length; i++)
                if (v[i] is { } vi) weights[i].AddInPlace(vi, -2 * eps);
        gn = Grad(trainLoss(scope), arch);
        using (NoGrad.Enter())
            for (var i = 0; i < weights.Length; i++) weights[i].CopyFrom(backup[i]);

        var result = new Tensor?[arch.Length];
        for (var i = 0; i < arch.Length; i++)
        {
            if (g1[i] is null && gp[i] is null) continue;
            var g = g1[i] is { } a ? scope.Own(a.Clone()) : scope.Own(arch[i].ZerosLike());
            if (gp[i] is { } p && gn[i] is { } n)
            {
                var h = scope.Own(p.Sub(n));
                g.AddInPlace(h, -eta / (2 * eps));
            }
            result[i] = g;
        }
        return (result, valLossValue);
    }
}
