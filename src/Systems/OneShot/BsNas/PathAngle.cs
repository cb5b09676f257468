// ABS's angle-based metric (§4.4, [C] for ABS, `megvii-model/AngleNAS`): the angle between a path's weights now and at initialisation.
using Nas.Torch;

namespace Nas.Systems.OneShot.BsNas;

/// <summary>
/// A path's weight vector is the concatenation of the weights its forward reads (ABS: the convolutions and the
/// classifier, no BatchNorm); its angle is arccos of the cosine similarity between that vector now and the same
/// slices at initialisation. A path that trained little keeps a small angle, and ABS turns off the options whose
/// paths have the smallest mean angle.
/// </summary>
public static class PathAngle
{
    /// <summary>
    /// arccos(dot / √(|a|² |b|²)), the cosine clamped to [−1, 1] against rounding. Identical vectors give 0 exactly and
    /// negated ones π exactly (their sums are bit-equal up to sign, and √(x²) = |x| in IEEE arithmetic).
    /// </summary>
    public static double FromSums(double dot, double initNorm2, double nowNorm2)
    {
        if (!(initNorm2 > 0) || !(nowNorm2 > 0))
            throw new ArgumentException($"the angle of a zero weight vector is undefined (|init|² = {initNorm2}, |now|² = {nowNorm2})");
        return Math.Acos(Math.Clamp(dot / Math.Sqrt(initNorm2 * nowNorm2), -1, 1));
    }

    /// <summary>
    /// The angle between the concatenation of the <c>Init</c> pieces and that of the <c>Now</c> pieces, pairwise of equal
    /// shape; sums are taken in float64 per piece and added up, so nothing is concatenated.
    /// </summary>
    public static double Of(IEnumerable<(Tensor Init, Tensor Now)> pieces)
    {
        using var _ = NoGrad.Enter();
        double dot = 0, a2 = 0, b2 = 0;
        foreach (var (init, now) in pieces)
        {
            if (!init.Shape.AsSpan().SequenceEqual(now.Shape))
                throw new ArgumentException($"initial weights {init} and current weights {now} differ in shape");
            using var scope = new TensorScope();
            var a = scope.Own(init.To(DType.Float64));
            var b = scope.Own(now.To(DType.Float64));
            dot += scope.Own(scope.Own(a.Mul(b)).Sum()).Item();
            a2 += scope.Own(scope.Own(a.Mul(a)).Sum()).Item();
            b2 += scope.Own(scope.Own(b.Mul(b)).Sum()).Item();
        }
        return FromSums(dot, a2, b2);
    }
}
