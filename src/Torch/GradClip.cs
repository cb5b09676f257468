// Gradient-norm clipping as torch.nn.utils.clip_grad_norm_ (L2), over all gradients in one native call.
namespace Nas.Torch;

public static unsafe class GradClip
{
    /// <summary>
    /// Computes the L2 norm of all <paramref name="grads"/> taken as one vector and, when it exceeds
    /// <paramref name="maxNorm"/>, scales every gradient in place by maxNorm / (norm + 1e-6); returns the norm
    /// before clipping. Like PyTorch it always multiplies by min(1, coef), which leaves gradients bit for bit
    /// unchanged when the norm is below the maximum. Null entries (parameters without a gradient) are skipped;
    /// with no gradients at all the norm is 0.
    /// </summary>
    public static double ClipByNorm(ReadOnlySpan<Tensor?> grads, double maxNorm)
    {
        if (!(maxNorm >= 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "max norm must be >= 0");
        if (grads.Length == 0) return 0;
        using var g = new BorrowedHandles(grads, "grads", allowNull: true);
        fixed (IntPtr* gp = g.Pointers)
        {
            Native.Check(Native.nt_clip_grad_norm(gp, grads.Length, maxNorm, out var total));
            return total;
        }
    }
}
