// Maintenance: counts the step and rolls the epoch over when its steps are done.
using Nas.Components;
using Nas.World;

namespace Nas.Systems.Search;

public sealed class AdvanceClockSystem : ISystem
{
    public string Name => "advance-clock";
    public Access Access { get; } = new Access().Write<SearchClock>();

    public void Run(World.World world, in SystemContext ctx)
    {
        ref var clock = ref world.Resource<SearchClock>();
        clock = Advance(clock);
    }

    public static SearchClock Advance(SearchClock c) =>
        c.StepInEpoch + 1 >= c.StepsPerEpoch
            ? c with { Step = c.Step + 1, Epoch = c.Epoch + 1, StepInEpoch = 0 }
            : c with { Step = c.Step + 1, StepInEpoch = c.StepInEpoch + 1 };
}
