// BNAS-v2 Confident Learning Rate (methods.md §4.4): the alpha step size grows with the confidence ((e+1)/E)^p in the supernet's weights.
namespace Nas.Systems.Techniques;

/// <summary>How CLR acts on a second-order (unrolled) alpha step.</summary>
public enum ClrSecondOrder
{
    /// <summary>Our default: scale the Adam learning rate, exactly as in first order. This is the rule the paper describes.</summary>
    ScaleLr,
    /// <summary>The authors' code (`architect_confidence.py`, `--unrolled`): multiply the unrolled validation loss by c(e), leave the lr alone.
    /// Adam is nearly invariant to a constant gradient scale, so this mostly shifts the balance against the coupled weight decay and eps.</summary>
    ScaleLoss,
}

/// <summary>What one alpha step multiplies: its learning rate and its loss.</summary>
public readonly record struct ClrScaling(double LrFactor, double LossFactor);

public static class ConfidentLr
{
    /// <summary>c(e) = ((e + 1) / E)^p for 0-based epoch e of E (p = 2 in BNAS-v2): 4e-4 at e = 0 and 1 at e = E − 1 for E = 50.</summary>
    public static double Confidence(int epoch, int epochs, double power = 2)
    {
        if (epochs < 1) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "CLR needs at least one epoch");
        if (epoch < 0 || epoch >= epochs) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, $"epoch must be in 0..{epochs - 1}");
        if (!(power >= 0)) throw new ArgumentOutOfRangeException(nameof(power), power, "the CLR power must be a non-negative number");
        return Math.Pow((epoch + 1.0) / epochs, power);
    }

    /// <summary>First-order rule of the authors' code: before every alpha step set Adam's lr to baseLr · c(e) (3e-4 · c(e) in BNAS-v2).</summary>
    public static double AlphaLr(double baseLr, int epoch, int epochs, double power = 2) => baseLr * Confidence(epoch, epochs, power);

    /// <summary>
    /// The factors for one alpha step. First order always scales the lr. Second order scales the lr under
    /// <see cref="ClrSecondOrder.ScaleLr"/> (ours) or the loss under <see cref="ClrSecondOrder.ScaleLoss"/> (the authors' code, §4.4 pitfall).
    /// </summary>
    public static ClrScaling Scaling(int epoch, int epochs, double power, bool secondOrder, ClrSecondOrder mode = ClrSecondOrder.ScaleLr)
    {
        var c = Confidence(epoch, epochs, power);
        return secondOrder && mode == ClrSecondOrder.ScaleLoss ? new ClrScaling(1, c) : new ClrScaling(c, 1);
    }
}
