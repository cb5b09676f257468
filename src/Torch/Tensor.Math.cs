// Element-wise math, comparisons and in-place updates, with the C# operators (each returns a new owned tensor).
namespace Nas.Torch;

public sealed unsafe partial class Tensor
{
    private Tensor Unary(Native.Unary op) => From(Native.nt_unary(Handle, (int)op, out var r), r);
    private Tensor Binary(Tensor other, Native.Binary op) => From(Native.nt_binary(Handle, other.Handle, (int)op, out var r), r);
    private Tensor Binary(double s, Native.Binary op) => From(Native.nt_binary_scalar(Handle, s, (int)op, out var r), r);

    public Tensor Add(Tensor other) => Binary(other, Native.Binary.Add);
    public Tensor Add(double s) => Binary(s, Native.Binary.Add);
    public Tensor Sub(Tensor other) => Binary(other, Native.Binary.Sub);
    public Tensor Sub(double s) => Binary(s, Native.Binary.Sub);
    public Tensor Mul(Tensor other) => Binary(other, Native.Binary.Mul);
    public Tensor Mul(double s) => Binary(s, Native.Binary.Mul);
    public Tensor Div(Tensor other) => Binary(other, Native.Binary.Div);
    public Tensor Div(double s) => Binary(s, Native.Binary.Div);
    public Tensor Pow(Tensor exponent) => Binary(exponent, Native.Binary.Pow);
    public Tensor Pow(double exponent) => Binary(exponent, Native.Binary.Pow);
    public Tensor Maximum(Tensor other) => Binary(other, Native.Binary.Maximum);
    public Tensor Minimum(Tensor other) => Binary(other, Native.Binary.Minimum);
    /// <summary>Matrix product with torch.matmul's broadcasting rules.</summary>
    public Tensor MatMul(Tensor other) => Binary(other, Native.Binary.MatMul);

    public Tensor Neg() => Unary(Native.Unary.Neg);
    public Tensor Exp() => Unary(Native.Unary.Exp);
    public Tensor Log() => Unary(Native.Unary.Log);
    public Tensor Sqrt() => Unary(Native.Unary.Sqrt);
    public Tensor Abs() => Unary(Native.Unary.Abs);
    public Tensor Sigmoid() => Unary(Native.Unary.Sigmoid);
    public Tensor Tanh() => Unary(Native.Unary.Tanh);
    public Tensor Relu() => Unary(Native.Unary.Relu);
    public Tensor Square() => Unary(Native.Unary.Square);
    public Tensor Reciprocal() => Unary(Native.Unary.Reciprocal);
    public Tensor Sign() => Unary(Native.Unary.Sign);
    public Tensor LogicalNot() => Unary(Native.Unary.LogicalNot);

    /// <summary>
    /// min(max(x, <paramref name="min"/>), <paramref name="max"/>) (F.hardtanh; ReLU6 with 0 and 6): the values of
    /// <see cref="Clamp"/>, with one fused backward node; the gradient passes where min &lt; x &lt; max (clamp's also at
    /// the bounds themselves).
    /// </summary>
    public Tensor Hardtanh(double min, double max) => From(Native.nt_hardtanh(Handle, min, max, out var r), r);

    /// <summary>Clamps to [min, max]; a null bound is open.</summary>
    public Tensor Clamp(double? min = null, double? max = null) =>
        From(Native.nt_clamp(Handle, min.HasValue ? 1 : 0, min ?? 0, max.HasValue ? 1 : 0, max ?? 0, out var r), r);

    // Comparisons return bool tensors; they are methods, not operators, so == keeps reference equality.
    public Tensor Gt(Tensor other) => Binary(other, Native.Binary.Gt);
    public Tensor Gt(double s) => Binary(s, Native.Binary.Gt);
    public Tensor Lt(Tensor other) => Binary(other, Native.Binary.Lt);
    public Tensor Lt(double s) => Binary(s, Native.Binary.Lt);
    public Tensor Ge(Tensor other) => Binary(other, Native.Binary.Ge);
    public Tensor Ge(double s) => Binary(s, Native.Binary.Ge);
    public Tensor Le(Tensor other) => Binary(other, Native.Binary.Le);
    public Tensor Le(double s) => Binary(s, Native.Binary.Le);
    public Tensor Eq(Tensor other) => Binary(other, Native.Binary.Eq);
    public Tensor Eq(double s) => Binary(s, Native.Binary.Eq);
    public Tensor Ne(Tensor other) => Binary(other, Native.Binary.Ne);
    public Tensor Ne(double s) => Binary(s, Native.Binary.Ne);

    /// <summary>Element-wise choice: <paramref name="ifTrue"/> where <paramref name="condition"/> holds, else <paramref name="ifFalse"/> (broadcasting).</summary>
    public static Tensor Where(Tensor condition, Tensor ifTrue, Tensor ifFalse) =>
        From(Native.nt_where(condition.Handle, ifTrue.Handle, ifFalse.Handle, out var r), r);

    // ---- operators: each allocates a new tensor the caller owns (use a TensorScope for chains) ----

    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);
    public static Tensor operator +(Tensor a, double s) => a.Add(s);
    public static Tensor operator +(double s, Tensor a) => a.Add(s);
    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);
    public static Tensor operator -(Tensor a, double s) => a.Sub(s);
    public static Tensor operator -(double s, Tensor a) => a.Binary(s, Native.Binary.ScalarMinus);
    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);
    public static Tensor operator *(Tensor a, double s) => a.Mul(s);
    public static Tensor operator *(double s, Tensor a) => a.Mul(s);
    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);
    public static Tensor operator /(Tensor a, double s) => a.Div(s);
    public static Tensor operator /(double s, Tensor a) => a.Binary(s, Native.Binary.ScalarOver);
    public static Tensor operator -(Tensor a) => a.Neg();

    // ---- in place: these change this tensor and return nothing new. On a leaf that requires grad,
    // libtorch refuses them unless grad mode is off (use NoGrad.Enter()).

    /// <summary>this += alpha * other (broadcasting other).</summary>
    public void AddInPlace(Tensor other, double alpha = 1) => Native.Check(Native.nt_inplace_tensor(Handle, other.Handle, alpha, (int)Native.InPlaceTensor.Add));
    public void MulInPlace(Tensor other) => Native.Check(Native.nt_inplace_tensor(Handle, other.Handle, 1, (int)Native.InPlaceTensor.Mul));
    public void DivInPlace(Tensor other) => Native.Check(Native.nt_inplace_tensor(Handle, other.Handle, 1, (int)Native.InPlaceTensor.Div));
    /// <summary>Copies <paramref name="source"/>'s values into this tensor (broadcasting and casting as copy_ does).</summary>
    public void CopyFrom(Tensor source) => Native.Check(Native.nt_inplace_tensor(Handle, source.Handle, 1, (int)Native.InPlaceTensor.Copy));
    public void AddInPlace(double s) => Native.Check(Native.nt_inplace_scalar(Handle, s, (int)Native.InPlaceScalar.Add));
    public void MulInPlace(double s) => Native.Check(Native.nt_inplace_scalar(Handle, s, (int)Native.InPlaceScalar.Mul));
    public void DivInPlace(double s) => Native.Check(Native.nt_inplace_scalar(Handle, s, (int)Native.InPlaceScalar.Div));
    public void FillInPlace(double value) => Native.Check(Native.nt_inplace_scalar(Handle, value, (int)Native.InPlaceScalar.Fill));
    public void ZeroInPlace() => Native.Check(Native.nt_inplace_scalar(Handle, 0, (int)Native.InPlaceScalar.Zero));

    /// <summary>
    /// Σ_i weights[i] · ys[i] (ys of one shape, weights 0-dim): DARTS's mixed-op sum. Float32 on the CPU runs as one fused
    /// pass with its own backward (dy_i = w_i·g and dw_i = ⟨g, y_i⟩ in one pass over g), where a mul and an add per op cost
    /// five passes over memory and two temporaries; the result keeps the layout of ys[0] (channels-last stays so). Other
    /// inputs go to libtorch's mul and add. No double backward.
    /// </summary>
    public static Tensor WeightedSum(ReadOnlySpan<Tensor> ys, ReadOnlySpan<Tensor> weights)
    {
        if (ys.Length == 0) throw new ArgumentException("weighted sum of no tensors", nameof(ys));
        if (ys.Length != weights.Length)
            throw new ArgumentException($"weighted sum of {ys.Length} tensors with {weights.Length} weights", nameof(weights));
        var y = ys.Length <= 32 ? stackalloc IntPtr[ys.Length] : new IntPtr[ys.Length];
        var w = ys.Length <= 32 ? stackalloc IntPtr[ys.Length] : new IntPtr[ys.Length];
        for (var i = 0; i < ys.Length; i++) { y[i] = ys[i].Raw; w[i] = weights[i].Raw; }
        int status;
        IntPtr r;
        fixed (IntPtr* py = y)
        fixed (IntPtr* pw = w)
            status = Native.nt_weighted_sum(py, pw, ys.Length, out r);
        foreach (var t in ys) GC.KeepAlive(t);
        foreach (var t in weights) GC.KeepAlive(t);
        return From(status, r);
    }

    /// <summary>
    /// Σ_i weights[i]·BN(bnInputs[i]) + Σ_j weights[nb + j]·plain[j] in one native node, BN the affine-free training batch
    /// norm of <see cref="BatchNormTrain"/> (each BN's running stats, when given, updated in place). The BN outputs are
    /// never written: they go straight into the sum, and the backward computes each input's gradient from the sum's
    /// gradient (the mixed op of the search cells, whose ops mostly end in such a BN; docs/performance.md). 4-D float32 CPU
    /// tensors of one shape; weights 0-dim float32. Differentiable once.
    /// </summary>
    public static Tensor BnWeightedSum(ReadOnlySpan<Tensor> bnInputs, ReadOnlySpan<Tensor?> runningMeans, ReadOnlySpan<Tensor?> runningVars,
        ReadOnlySpan<Tensor> plain, ReadOnlySpan<Tensor> weights, double momentum = 0.1, double eps = 1e-5)
    {
        var nb = bnInputs.Length;
        var np = plain.Length;
        if (runningMeans.Length != nb || runningVars.Length != nb)
            throw new ArgumentException($"{nb} BN inputs need {nb} running means and variances, got {runningMeans.Length} and {runningVars.Length}");
        if (weights.Length != nb + np)
            throw new ArgumentException($"{nb} BN inputs and {np} plain terms need {nb + np} weights, got {weights.Length}", nameof(weights));
        var h = RawsOrZero(bnInputs);
        var m = RawsOrZero(runningMeans);
        var v = RawsOrZero(runningVars);
        var y = RawsOrZero(plain);
        var w = RawsOrZero(weights);
        int status;
        IntPtr r;
        fixed (IntPtr* ph = h)
        fixed (IntPtr* pm = m)
        fixed (IntPtr* pv = v)
        fixed (IntPtr* py = y)
        fixed (IntPtr* pw = w)
            status = Native.nt_bn_weighted_sum(ph, pm, pv, nb, py, np, pw, momentum, eps, out r);
        foreach (var t in bnInputs) GC.KeepAlive(t);
        foreach (var t in runningMeans) GC.KeepAlive(t);
        foreach (var t in runningVars) GC.KeepAlive(t);
        foreach (var t in plain) GC.KeepAlive(t);
        foreach (var t in weights) GC.KeepAlive(t);
        return From(status, r);
    }
}
