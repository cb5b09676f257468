// Adam as torch.optim.Adam, as a stateless function: the moments and the step count are state the caller owns.
namespace Nas.Torch;

/// <summary>torch.optim.Adam's hyper-parameters (no amsgrad, no maximize). WeightDecay is L2 added to the gradient, not AdamW.</summary>
public readonly record struct AdamOptions(double Lr = 1e-3, double Beta1 = 0.9, double Beta2 = 0.999, double Eps = 1e-8, double WeightDecay = 0)
{
    internal void Validate()
    {
        if (!(Lr >= 0)) throw new ArgumentOutOfRangeException(nameof(Lr), Lr, "Adam learning rate must be >= 0");
        if (!(Eps >= 0)) throw new ArgumentOutOfRangeException(nameof(Eps), Eps, "Adam eps must be >= 0");
        if (!(Beta1 >= 0 && Beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(Beta1), Beta1, "Adam beta1 must be in [0, 1)");
        if (!(Beta2 >= 0 && Beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(Beta2), Beta2, "Adam beta2 must be in [0, 1)");
        if (!(WeightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "Adam weight decay must be >= 0");
    }
}

/// <summary>
/// One Adam step over all parameters in one native call, updating parameters and both moments in place
/// under no-grad. For each parameter p with gradient g at 1-based step t (torch.optim.Adam, PyTorch 1.13):
/// <code>
/// g = g + weightDecay * p
/// m = beta1 * m + (1 - beta1) * g
/// v = beta2 * v + (1 - beta2) * g * g
/// p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
/// </code>
/// A null gradient skips that parameter entirely (its moments untouched), as PyTorch skips a parameter
/// whose <c>.grad</c> is None.
/// </summary>
public static unsafe class Adam
{
    /// <summary>
    /// Steps every parameter with the same 1-based step number <paramref name="step"/> (1 on the first call;
    /// the caller keeps the counter). PyTorch counts steps per parameter, so this equals PyTorch exactly when
    /// every parameter has had a gradient at every step; use the per-parameter overload otherwise.
    /// </summary>
    public static void Step(ReadOnlySpan<Tensor> parameters, ReadOnlySpan<Tensor?> grads, ReadOnlySpan<Tensor> expAvg,
        ReadOnlySpan<Tensor> expAvgSq, long step, in AdamOptions o)
    {
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), step, "Adam steps are 1-based: pass 1 on the first step");
        Span<long> steps = parameters.Length <= 256 ? stackalloc long[parameters.Length] : new long[parameters.Length];
        steps.Fill(step);
        Run(parameters, grads, expAvg, expAvgSq, steps, o);
    }

    /// <summary>
    /// Steps every parameter with its own step count, as PyTorch's <c>state['step']</c>: <paramref name="stepCounts"/>[i]
    /// is how many steps parameter i has taken (0 at the start); it is incremented for each parameter that has
    /// a gradient, and the incremented value is the t of its bias correction.
    /// </summary>
    public static void Step(ReadOnlySpan<Tensor> parameters, ReadOnlySpan<Tensor?> grads, ReadOnlySpan<Tensor> expAvg,
        ReadOnlySpan<Tensor> expAvgSq, Span<long> stepCounts, in AdamOptions o)
    {
        if (stepCounts.Length != parameters.Length)
            throw new ArgumentException($"Adam.Step: {parameters.Length} parameters but {stepCounts.Length} step counts", nameof(stepCounts));
        if (grads.Length != parameters.Length)
            throw new ArgumentException($"Adam.Step: {parameters.Length} parameters but {grads.Length} grads", nameof(grads));
        Span<long> next = parameters.Length <= 256 ? stackalloc long[parameters.Length] : new long[parameters.Length];
        for (var i = 0; i < next.Length; i++)
        {
            if (stepCounts[i] < 0) throw new ArgumentOutOfRangeException(nameof(stepCounts), stepCounts[i], $"Adam.Step: stepCounts[{i}] is negative");
            next[i] = grads[i] is null ? Math.Max(1, stepCounts[i]) : stepCounts[i] + 1;
        }
        Run(parameters, grads, expAvg, expAvgSq, next, o);
        for (var i = 0; i < next.Length; i++)
            if (grads[i] is not null) stepCounts[i] = next[i];
    }

    /// <summary>Zero first and second moments shaped, typed and placed like <paramref name="parameters"/>; the caller owns them.</summary>
    public static (Tensor[] ExpAvg, Tensor[] ExpAvgSq) NewState(ReadOnlySpan<Tensor> parameters)
    {
        var m = OptimState.ZerosLike(parameters);
        try
        {
            return (m, OptimState.ZerosLike(parameters));
        }
        catch
        {
            foreach (var t in m) t.Dispose();
            throw;
        }
    }

    private static void Run(ReadOnlySpan<Tensor> parameters, ReadOnlySpan<Tensor?> grads, ReadOnlySpan<Tensor> expAvg,
        ReadOnlySpan<Tensor> expAvgSq, ReadOnlySpan<long> steps, in AdamOptions o)
    {
        o.Validate();
        var n = parameters.Length;
        if (grads.Length != n) throw new ArgumentException($"Adam.Step: {n} parameters but {grads.Length} grads", nameof(grads));
        if (expAvg.Length != n) throw new ArgumentException($"Adam.Step: {n} parameters but {expAvg.Length} expAvg tensors", nameof(expAvg));
        if (expAvgSq.Length != n) throw new ArgumentException($"Adam.Step: {n} parameters but {expAvgSq.Length} expAvgSq tensors", nameof(expAvgSq));
        if (n == 0) return;

        using var p = new BorrowedHandles(parameters!, "parameters", allowNull: false);
        using var g = new BorrowedHandles(grads, "grads", allowNull: true);
        using var m = new BorrowedHandles(expAvg!, "expAvg", allowNull: false);
        using var v = new BorrowedHandles(expAvgSq!, "expAvgSq", allowNull: false);
        fixed (IntPtr* pp = p.Pointers)
        fixed (IntPtr* gp = g.Pointers)
        fixed (IntPtr* mp = m.Pointers)
        fixed (IntPtr* vp = v.Pointers)
        fixed (long* sp = steps)
            Native.Check(Native.nt_optim_adam(pp, gp, mp, vp, sp, n, o.Lr, o.Beta1, o.Beta2, o.Eps, o.WeightDecay));
    }
}
