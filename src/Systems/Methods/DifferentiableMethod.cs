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
            throw new NotSupportedException("one-level search (DropNAS) is not built yet");
        }
        schedule.Add(new AdvanceClockSystem(), "Maintenance");
        return schedule;
    }
}
