// Autograd on one tensor: requires_grad, backward, .grad, detach and clone.
namespace Nas.Torch;

public sealed unsafe partial class Tensor
{
    public bool RequiresGrad
    {
        get { Native.Check(Native.nt_requires_grad(Handle, out var y)); return y != 0; }
        set => Native.Check(Native.nt_set_requires_grad(Handle, value ? 1 : 0));
    }

    /// <summary>Sets requires_grad and returns this tensor, for one-line parameter creation.</summary>
    public Tensor SetRequiresGrad(bool on = true)
    {
        RequiresGrad = on;
        return this;
    }

    public bool IsLeaf { get { Native.Check(Native.nt_is_leaf(Handle, out var y)); return y != 0; } }

    /// <summary>Back-propagates from this scalar, accumulating into the .grad of the leaves.</summary>
    public void Backward(bool retainGraph = false, bool createGraph = false) =>
        Native.Check(Native.nt_backward(Handle, IntPtr.Zero, retainGraph ? 1 : 0, createGraph ? 1 : 0));

    /// <summary>Back-propagates <paramref name="gradient"/> (same shape as this tensor).</summary>
    public void Backward(Tensor gradient, bool retainGraph = false, bool createGraph = false)
    {
        var status = Native.nt_backward(Handle, gradient.Raw, retainGraph ? 1 : 0, createGraph ? 1 : 0);
        GC.KeepAlive(gradient);
        Native.Check(status);
    }

    /// <summary>
    /// A new owned handle to this tensor's .grad, or null when it has none. The handle shares the gradient's
    /// storage: in-place ops on it (MulInPlace for clipping, say) change the gradient itself.
    /// </summary>
    public Tensor? Grad
    {
        get
        {
            Native.Check(Native.nt_grad(Handle, out var r));
            return r == IntPtr.Zero ? null : new Tensor(r);
        }
    }

    /// <summary>Replaces .grad with <paramref name="gradient"/> (shared, not copied); null clears it.</summary>
    public void SetGrad(Tensor? gradient)
    {
        var status = Native.nt_set_grad(Handle, RawOrZero(gradient));
        GC.KeepAlive(gradient);
        Native.Check(status);
    }

    /// <summary>
    /// Zeroes .grad in place and keeps its buffer (PyTorch 1.13's zero_grad() default; a missing grad stays
    /// missing). Use <see cref="ClearGrad"/> to drop it instead.
    /// </summary>
    public void ZeroGrad() => Native.Check(Native.nt_zero_grad(Handle, 0));

    /// <summary>Drops .grad (zero_grad(set_to_none=True)): the next backward allocates a fresh one, and optimizers can tell "no gradient" from "zero".</summary>
    public void ClearGrad() => Native.Check(Native.nt_zero_grad(Handle, 1));

    /// <summary>A new tensor sharing storage but cut from the graph (requires_grad false).</summary>
    public Tensor Detach() => From(Native.nt_detach(Handle, out var r), r);

    /// <summary>A copy with its own storage; gradients flow back through it to this tensor.</summary>
    public Tensor Clone() => From(Native.nt_clone(Handle, out var r), r);
}
