// Learning-rate schedules as pure functions of the epoch.
namespace Nas.Systems.Search;

public static class LearningRate
{
    /// <summary>Cosine annealing stepped per epoch: lrMin + ½(lr − lrMin)(1 + cos(π·e/E)) (§2.3 step 4).</summary>
    public static double Cosine(double lr, double lrMin, int epoch, int epochs) =>
        lrMin + 0.5 * (lr - lrMin) * (1 + Math.Cos(Math.PI * epoch / epochs));
}
