// The schedule of the one-shot methods (SPOS, BN-NAS, BNNAS++, BS-NAS): supernet training steps, then one evolution generation per step.
using Nas.Components;
using Nas.Systems.OneShot.Systems;
using Nas.World;

namespace Nas.Systems.Methods;

public static class OneShotMethod
{
    public static readonly string[] Phases = ["Feed", "Sample", "Weights", "Shrink", "Search", "Maintenance"];

    public static bool IsOneShot(string method) => method is "spos" or "bn-nas" or "bnnas++" or "bs-nas";

    public static Schedule Schedule(SearchConfig config)
    {
        var schedule = new Schedule(Phases);
        schedule.Add(new OneShotFeedSystem(), "Feed");
        schedule.Add(new SamplePathSystem(), "Sample");
        schedule.Add(new SupernetStepSystem(), "Weights");
        if (config.Shrink)
        {
            schedule.Add(new ShrinkSystem(), "Shrink");        // tags underperforming ops Pruned at a stage end (§4.4)
            schedule.Add(new DestroyPrunedSystem(), "Shrink"); // then destroys them with their tensors
        }
        schedule.Add(new EvolveSystem(), "Search");
        schedule.Add(new OneShotClockSystem(), "Maintenance");
        return schedule;
    }
}
