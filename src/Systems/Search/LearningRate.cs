// Learning-rate schedules as pure functions of the epoch.
namespace Nas.Systems.Search;

public static class LearningRate
{
    /// <summary>Cosine annealing stepped per epoch: lrMin + ½(lr − lrMin)(1 + cos(π·e/E)) (§2.3 step 4).</summary>
    public static double Cosine(double lr, double lrMin, int epoch, int epochs) =>
        lrMin + 0.5 * (lr - lrMin) * (1 + Math.Cos(Math.PI * epoch / epochs));

    /// <summary>The confident learning rate factor c(e) = ((e+1)/E)^p (§4.4); 1 when p = 0 (off).</summary>
    public static double Confidence(int epoch, int epochs, double power) =>
        power == 0 ? 1 : Math.Pow((epoch + 1.0) / epochs, power);
}
