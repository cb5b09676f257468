// Stochastic gradient descent as torch.optim.SGD, as a stateless function: the momentum buffers are tensors the caller owns.
namespace Nas.Torch;

/// <summary>torch.optim.SGD's hyper-parameters (maximize is not supported).</summary>
public readonly record struct SgdOptions(double Lr, double Momentum = 0, double Dampening = 0, double WeightDecay = 0, bool Nesterov = false)
{
    internal void Validate()
    {
        if (!(Lr >= 0)) throw new ArgumentOutOfRangeException(nameof(Lr), Lr, "SGD learning rate must be >= 0");
        if (!(Momentum >= 0)) throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum, "SGD momentum must be >= 0");
        if (!(WeightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "SGD weight decay must be >= 0");
        if (double.IsNaN(Dampening)) throw new ArgumentOutOfRangeException(nameof(Dampening), Dampening, "SGD dampening is NaN");
        if (Nesterov && (Momentum <= 0 || Dampening != 0))
            throw new ArgumentException("Nesterov momentum requires a momentum > 0 and zero dampening (as torch.optim.SGD)");
    }
}

/// <summary>
/// One SGD step over all parameters in one native call, updating parameters and momentum buffers in place
/// under no-grad. For each parameter p with gradient g (torch.optim.SGD, PyTorch 1.13):
/// <code>
/// g = g + weightDecay * p
/// buf = first ? g : momentum * buf + (1 - dampening) * g      (only when momentum != 0)
/// g = nesterov ? g + momentum * buf : buf                     (only when momentum != 0)
/// p = p - lr * g
/// </code>
/// A null gradient skips that parameter entirely (no decay, its buffer untouched), as PyTorch skips a
/// parameter whose <c>.grad</c> is None.
/// </summary>
public static unsafe class Sgd
{
    /// <summary>
    /// Steps every parameter. <paramref name="firstStep"/> says the buffers hold no history yet (PyTorch's
    /// "buffer is None"): they are set to the gradient rather than decayed. With one flag for all parameters,
    /// a parameter that had no gradient on the first step later starts from a zero buffer, which equals
    /// PyTorch exactly only when dampening is 0; use the per-parameter overload when gradients can be null.
    /// <paramref name="momentumBuffers"/> may be empty when momentum is 0.
    /// </summary>
    public static void Step(ReadOnlySpan<Tensor> parameters, ReadOnlySpan<Tensor?> grads, ReadOnlySpan<Tensor> momentumBuffers,
        in SgdOptions o, bool firstStep)
    {
        Span<bool> started = parameters.Length <= 256 ? stackalloc bool[parameters.Length] : new bool[parameters.Length];
        started.Fill(!firstStep);
        Run(parameters, grads, momentumBuffers, o, started);
    }

    /// <summary>
    /// Steps every parameter, tracking per parameter whether its buffer has started (PyTorch's per-parameter
    /// <c>momentum_buffer</c> being set): a parameter with a gradient and <c>bufferStarted[i] == false</c> has its
    /// buffer set to the gradient, and the flag is set to true. Exact PyTorch semantics when gradients can be null.
    /// </summary>
    public static void Step(ReadOnlySpan<Tensor> parameters, ReadOnlySpan<Tensor?> grads, ReadOnlySpan<Tensor> momentumBuffers,
        in SgdOptions o, Span<bool> bufferStarted)
    {
        if (bufferStarted.Length != parameters.Length)
            throw new ArgumentException($"Sgd.Step: {parameters.Length} parameters but {bufferStarted.Length} bufferStarted flags", nameof(bufferStarted));
        Run(parameters, grads, momentumBuffers, o, bufferStarted);
        if (o.Momentum != 0)
            for (var i = 0; i < grads.Length; i++)
                if (grads[i] is not null) bufferStarted[i] = true;
    }

    /// <summary>Zero momentum buffers shaped, typed and placed like <paramref name="parameters"/>; the caller owns them.</summary>
    public static Tensor[] NewState(ReadOnlySpan<Tensor> parameters) => OptimState.ZerosLike(parameters);

    private static void Run(ReadOnlySpan<Tensor> parameters, ReadOnlySpan<Tensor?> grads, ReadOnlySpan<Tensor> momentumBuffers,
        in SgdOptions o, ReadOnlySpan<bool> started)
    {
        o.Validate();
        var n = parameters.Length;
        if (grads.Length != n) throw new ArgumentException($"Sgd.Step: {n} parameters but {grads.Length} grads", nameof(grads));
        var useMomentum = o.Momentum != 0;
        if (useMomentum && momentumBuffers.Length != n)
            throw new ArgumentException($"Sgd.Step: {n} parameters but {momentumBuffers.Length} momentum buffers (momentum is {o.Momentum})", nameof(momentumBuffers));
        if (n == 0) return;

        Span<byte> first = n <= 256 ? stackalloc byte[n] : new byte[n];
        for (var i = 0; i < n; i++) first[i] = started[i] ? (byte)0 : (byte)1;

        using var p = new BorrowedHandles(parameters!, "parameters", allowNull: false);
        using var g = new BorrowedHandles(grads, "grads", allowNull: true);
        using var b = new BorrowedHandles(useMomentum ? momentumBuffers! : default, "momentumBuffers", allowNull: false);
        fixed (IntPtr* pp = p.Pointers)
        fixed (IntPtr* gp = g.Pointers)
        fixed (IntPtr* bp = b.Pointers)
        fixed (byte* fp = first)
            Native.Check(Native.nt_optim_sgd(pp, gp, useMomentum ? bp : null, fp, n,
                o.Lr, o.Momentum, o.Dampening, o.WeightDecay, o.Nesterov ? 1 : 0));
    }
}
