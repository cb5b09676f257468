// Resources of a running search: where it is, what it measured, and the optimizer counters that are not tensors.
using Nas.World;

namespace Nas.Components;

/// <summary>Position of the search: steps done in total and in the current epoch.</summary>
[Resource("nas.search.clock", 1)]
public record struct SearchClock(long Step, int Epoch, long StepInEpoch, long StepsPerEpoch, int Epochs)
{
    public readonly bool Finished => Epoch >= Epochs;
}

/// <summary>Figures of the last step, for logs and metrics (NaN where the method has none).</summary>
[Resource("nas.search.metrics", 1)]
public record struct StepMetrics(double TrainLoss, double TrainAccuracy, double ValLoss, double ValAccuracy, double Lr, double ArchLr, double GradNorm);

/// <summary>
/// The optimizer counters kept beside the state tensors: per weight whether its SGD momentum buffer started,
/// per architecture tensor Adam's step count (torch's state['step']). Orders match <c>SearchParameters</c>.
/// </summary>
[Resource("nas.search.optimizer", 1)]
public sealed record OptimizerCounters(bool[] MomentumStarted, long[] ArchSteps);
