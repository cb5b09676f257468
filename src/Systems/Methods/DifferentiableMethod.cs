// The schedule of the differentiable methods: the one place that lists a search step's systems in order, like a training loop.
using Nas.Systems.Search;
using Nas.World;

namespace Nas.Systems.Methods;

public static class DifferentiableMethod
{
    public static readonly string[] Phases = ["Feed", "Sample", "Architecture", "Weights", "Maintenance"];

    public static Schedule Schedule(SearchConfig config)
    {
        var schedule = new Schedule(Phases);
        schedule.Add(new FeedBatchesSystem(), "Feed");
        if (!config.OneLevel)
        {
            schedule.Add(new ArchitectureStepSystem(), "Architecture"); // alpha first (§2.3), on the architecture batch
            schedule.Add(new WeightStepSystem(), "Weights");            // then w, on the training batch
        }
        else
        {
            if (config.DropRate > 0) schedule.Add(new SampleDropMasksSystem(), "Sample"); // masks first (§5.3), shared by all cells of a type
            schedule.Add(new OneLevelStepSystem(), "Weights");                             // w and alpha on one batch, decay step, shift (§5.4)
        }
        schedule.Add(new AdvanceClockSystem(), "Maintenance");
        return schedule;
    }
}
