// Drop-path (§1.7): per sample, zero a whole op output with probability p and scale the survivors by 1/(1−p).
using Nas.Torch;

namespace Nas.Systems.Spaces.Eval;

public static class DropPath
{
    /// <summary>p for epoch <paramref name="epoch"/> (0-based): drop_path_prob · e / epochs, a linear ramp from 0 (§1.7).</summary>
    public static double Probability(double dropPathProb, int epoch, int epochs) =>
        epochs <= 0 ? 0 : dropPathProb * epoch / epochs;

    /// <summary>
    /// x · mask / (1−p) with mask ~ Bernoulli(1−p) of shape N×1×1×1, as DARTS's utils.drop_path. Returns x itself when p is 0.
    /// The mask and the result are owned by <paramref name="scope"/>.
    /// </summary>
    public static Tensor Apply(Tensor x, double p, Generator generator, TensorScope scope)
    {
        if (p <= 0) return x;
        if (p >= 1) throw new ArgumentOutOfRangeException(nameof(p), p, "drop-path probability must be below 1");
        var keep = 1 - p;
        var mask = scope.Own(Tensor.Bernoulli([x.Size(0), 1, 1, 1], keep, generator));
        var scaled = scope.Own(x.Div(keep));
        return scope.Own(scaled.Mul(mask));
    }
}
