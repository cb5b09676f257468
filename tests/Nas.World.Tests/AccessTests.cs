// Checked mode: world accesses made while a system runs are validated against its Access declaration.
namespace Nas.World.Tests;

public sealed class AccessTests
{
    private static World CheckedWorld()
    {
        var world = new World { CheckAccesses = true };
        world.Create(new Position(1, 1), new Velocity(1, 1));
        return world;
    }

    [Fact]
    public void AnUndeclaredReadThrowsNamingTheSystemAndType()
    {
        var world = CheckedWorld();
        var system = new LambdaSystem("reader", Access.None.Read<Position>(),
            (w, _) => w.Query<Velocity>().ForEachReadOnly((Entity _, in Velocity _) => { }));

        var ex = Assert.Throws<UndeclaredAccessException>(() => world.RunSystem(system));
        Assert.Equal("reader", ex.System);
        Assert.Equal(typeof(Velocity), ex.Type);
        Assert.Contains("reader", ex.Message);
        Assert.Contains("Velocity", ex.Message);
    }

    [Fact]
    public void AnUndeclaredWriteThroughGetThrowsWhenOnlyAReadWasDeclared()
    {
        var world = CheckedWorld();
        var e = world.Query<Position>().ToList()[0];
        var system = new LambdaSystem("mover", Access.None.Read<Position>(), (w, _) => w.Get<Position>(e).X = 5);

        var ex = Assert.Throws<UndeclaredAccessException>(() => world.RunSystem(system));
        Assert.Contains("wrote Position", ex.Message);
        Assert.Equal(1, world.Read<Position>(e).X);
    }

    [Fact]
    public void ARefQueryCallbackIsAWriteOfItsTypes()
    {
        var world = CheckedWorld();
        var system = new LambdaSystem("integrate", Access.None.Write<Position>().Read<Velocity>(),
            (w, _) => w.Query<Position, Velocity>().ForEach((Entity _, ref Position p, ref Velocity v) => p.X += v.X));

        var ex = Assert.Throws<UndeclaredAccessException>(() => world.RunSystem(system));
        Assert.Equal(typeof(Velocity), ex.Type);
    }

    [Fact]
    public void DeclaredAccessesPass()
    {
        var world = CheckedWorld();
        world.SetResource(new StepCount(0));
        var system = new LambdaSystem("integrate", Access.None.Write<Position>().Write<Velocity>().Write<StepCount>(), (w, _) =>
        {
            w.Query<Position, Velocity>().ForEach((Entity _, ref Position p, ref Velocity v) => p.X += v.X);
            w.Resource<StepCount>().Value++;
        });
        world.RunSystem(system);

        Assert.Equal(1, world.ReadResource<StepCount>().Value);
    }

    [Fact]
    public void UndeclaredResourceAndStructuralAccessesThrow()
    {
        var world = CheckedWorld();
        world.SetResource(new StepCount(0));
        var readsStep = new LambdaSystem("r", Access.None, (w, ctx) => w.TryResource<StepCount>(out _));
        var creates = new LambdaSystem("c", Access.None, (w, ctx) => ctx.Commands.Create());
        var removes = new LambdaSystem("d", Access.None.Read<Position>(), (w, ctx) => ctx.Commands.Remove<Position>(w.Query<Position>().ToList()[0]));

        Assert.Throws<UndeclaredAccessException>(() => world.RunSystem(readsStep));
        Assert.Throws<UndeclaredAccessException>(() => world.RunSystem(creates));
        Assert.Throws<UndeclaredAccessException>(() => world.RunSystem(removes));
        Assert.Equal(1, world.Count);
    }

    [Fact]
    public void ChecksAreOffUnlessEnabledAndOffOutsideSystems()
    {
        var world = new World();
        world.Create(new Position(1, 1));
        var n = 0;
        world.RunSystem(new LambdaSystem("lax", Access.None, (w, _) => n = w.Query<Position>().Count()));
        Assert.Equal(1, n);

        var checkedWorld = CheckedWorld();
        Assert.Equal(1, checkedWorld.Query<Position>().Count());   // no system running: nothing to check against
    }
}
