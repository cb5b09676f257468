// Second-order DARTS: the finite-difference alpha gradient (§2.3) against the exact unrolled gradient on a 2-parameter toy.
using Nas.Systems.Search;
using Nas.Torch;

namespace Nas.Systems.Tests.Search;

public sealed class UnrolledTests
{
    // L_tr(w, α) = w³α/3 + (wα − 1)², L_val(w, α) = (w − 2α)² + w²α: cubic in w, so the central difference is not trivially exact.
    private static Tensor TrainLoss(Tensor w, Tensor a, TensorScope s)
    {
        var w3 = s.Own(s.Own(s.Own(w.Mul(w)).Mul(w)).Mul(a));
        var wa = s.Own(s.Own(w.Mul(a)).Sub(1.0));
        return s.Own(s.Own(s.Own(w3.Mul(1.0 / 3)).Add(s.Own(wa.Mul(wa)))).Sum());
    }

    private static Tensor ValLoss(Tensor w, Tensor a, TensorScope s)
    {
        var d = s.Own(w.Sub(s.Own(a.Mul(2.0))));
        var w2a = s.Own(s.Own(w.Mul(w)).Mul(a));
        return s.Own(s.Own(s.Own(d.Mul(d)).Add(w2a)).Sum());
    }

    [Fact]
    public void TheFiniteDifferenceGradientMatchesTheExactUnrolledGradient()
    {
        const double eta = 0.1;
        using var scope = new TensorScope();
        var w = scope.Own(Tensor.FromSpan(new[] { 0.7 }, [1])).SetRequiresGrad();
        var a = scope.Own(Tensor.FromSpan(new[] { 0.4 }, [1])).SetRequiresGrad();

        // (PyTorch's retain_graph defaults to create_graph; our binding needs both.)
        // Exact: w′ = w − η∇_w L_tr(w, α) kept in the graph (createGraph), then d L_val(w′, α)/dα, which holds the exact
        // Hessian-vector product −η ∇²_{αw} L_tr · ∇_{w′} L_val.
        var gw = scope.Own(Autograd.Grad([TrainLoss(w, a, scope)], [w], retainGraph: true, createGraph: true)[0]!);
        var wPrime = scope.Own(w.Sub(scope.Own(gw.Mul(eta))));
        var exact = scope.Own(Autograd.Grad([ValLoss(wPrime, a, scope)], [a])[0]!).ToDoubleArray()[0];

        var (grads, _) = Unrolled.ArchGradient(s => TrainLoss(w, a, s), s => ValLoss(w, a, s), [w], [a], [], [false],
            eta, mu: 0, weightDecay: 0, runningStats: [], scope);
        var approx = grads[0]!.ToDoubleArray()[0];
        // Central-difference error: η·(εv)²/6·|∂³_w ∂_α L_tr| = 0.1 · 1e-4/6 · 2 ≈ 3.3e-6 (εv = 0.01 by construction).
        Assert.Equal(exact, approx, 1e-5);
        Assert.NotEqual(0, exact);
    }
}
