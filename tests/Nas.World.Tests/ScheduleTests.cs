// Schedules: phase order, declaration order within a phase, every-N conditions, command buffers applied between systems.
namespace Nas.World.Tests;

public sealed class ScheduleTests
{
    private static LambdaSystem Logging(string name, List<string> log) =>
        new(name, Access.None, (_, ctx) => log.Add($"{name}@{ctx.Step}"));

    [Fact]
    public void PhasesRunInTheirListedOrderRegardlessOfWhenSystemsWereAdded()
    {
        var log = new List<string>();
        var schedule = new Schedule(["Feed", "Forward", "Report"])
            .Add(Logging("report", log), "Report")
            .Add(Logging("forward", log), "Forward")
            .Add(Logging("feed", log), "Feed");
        schedule.Run(new World(), 0);

        Assert.Equal(["feed@0", "forward@0", "report@0"], log);
    }

    [Fact]
    public void SystemsInOnePhaseRunInDeclarationOrder()
    {
        var log = new List<string>();
        var schedule = new Schedule(["Update"])
            .Add(Logging("b", log), "Update")
            .Add(Logging("a", log), "Update")
            .Add(Logging("c", log), "Update");
        schedule.Run(new World(), 0);

        Assert.Equal(["b@0", "a@0", "c@0"], log);
    }

    [Fact]
    public void AnEveryNSystemRunsOnlyOnStepsWhereStepModNEqualsItsOffset()
    {
        var log = new List<string>();
        var schedule = new Schedule()
            .Add(Logging("each", log), "Update")
            .Add(Logging("third", log), "Maintenance", every: 3)
            .Add(Logging("odd", log), "Report", every: 2, offset: 1);
        var world = new World();
        for (var step = 0; step < 4; step++) schedule.Run(world, step);

        Assert.Equal(["each@0", "third@0", "each@1", "odd@1", "each@2", "each@3", "third@3", "odd@3"], log);
    }

    [Fact]
    public void AddingToAnUnknownPhaseThrowsNamingThePhases()
    {
        var schedule = new Schedule(["Feed"]);
        var ex = Assert.Throws<ArgumentException>(() => schedule.Add(Logging("x", []), "Forward"));
        Assert.Contains("Feed", ex.Message);
    }

    [Fact]
    public void CommandsRecordedByOneSystemAreVisibleToTheNextSystem()
    {
        var world = new World();
        var seen = -1;
        var spawn = new LambdaSystem("spawn", Access.None.Creates().Write<Charge>(), (w, ctx) =>
        {
            var p = ctx.Commands.Create();
            ctx.Commands.Add(p, new Charge(7));
            Assert.Equal(0, w.CountOf<Charge>());   // deferred until the system returns
        });
        var count = new LambdaSystem("count", Access.None.Read<Charge>(), (w, _) => seen = w.Query<Charge>().Count());
        new Schedule(["Update"]).Add(spawn, "Update").Add(count, "Update").Run(world, 0);

        Assert.Equal(1, seen);
    }

    [Fact]
    public void ACommandBufferLetsAQueryDestroyWhatItVisits()
    {
        var world = new World();
        for (var i = 0; i < 5; i++) world.Create(new Charge(i));
        var prune = new LambdaSystem("prune", Access.None.Read<Charge>().Destroys(), (w, ctx) =>
        {
            var commands = ctx.Commands;
            w.Query<Charge>().ForEachReadOnly((Entity e, in Charge c) => { if (c.Value % 2 == 1) commands.Destroy(e); });
        });
        world.RunSystem(prune);

        var left = new List<int>();
        world.Query<Charge>().ForEachReadOnly((Entity _, in Charge c) => left.Add(c.Value));
        Assert.Equal([0, 2, 4], left);
    }

    [Fact]
    public void PlaybackAppliesCommandsInRecordingOrder()
    {
        var world = new World();
        var e = world.Create(new Mass(1));
        var buffer = new CommandBuffer();
        buffer.Set(e, new Mass(2));
        buffer.Remove<Mass>(e);
        buffer.Add(e, new Mass(3));
        buffer.Destroy(e);
        buffer.Destroy(e);   // a second destroy of a dead entity is a no-op
        buffer.Playback(world);

        Assert.False(world.IsAlive(e));
        Assert.Equal(0, buffer.Count);
    }
}
