// BNAS-v2 Confident Learning Rate (methods.md §4.4): the alpha step size grows with the confidence ((e+1)/E)^p in the supernet's weights.
namespace Nas.Systems.Techniques;

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
}
