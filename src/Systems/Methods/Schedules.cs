// Which schedule a configuration runs: the differentiable family's or the one-shot family's.
using Nas.Components;
using Nas.World;

namespace Nas.Systems.Methods;

public static class Schedules
{
    public static Schedule For(SearchConfig c, int worldSize = 1) =>
        OneShotMethod.IsOneShot(c.Method) ? OneShotMethod.Schedule(c, worldSize: worldSize) : DifferentiableMethod.Schedule(c, worldSize);
}
