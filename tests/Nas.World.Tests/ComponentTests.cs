// Add, get, set, remove and has on components, including ref mutation.
namespace Nas.World.Tests;

public sealed class ComponentTests
{
    [Fact]
    public void AddedComponentsCanBeReadAndTestedForAndRemoved()
    {
        var world = new World();
        var e = world.Create();
        world.Add(e, new Position(1, 2));
        world.Add(e, new Velocity(3, 4));

        Assert.True(world.Has<Position>(e));
        Assert.Equal(new Velocity(3, 4), world.Read<Velocity>(e));
        world.Remove<Position>(e);
        Assert.False(world.Has<Position>(e));
        Assert.True(world.Has<Velocity>(e));
        Assert.False(world.TryGet<Position>(e, out _));
        Assert.Throws<KeyNotFoundException>(() => world.Get<Position>(e));
    }

    [Fact]
    public void MutationThroughTheReturnedRefIsVisibleToLaterReads()
    {
        var world = new World();
        var e = world.Create(new Position(1, 2));
        ref var p = ref world.Get<Position>(e);
        p.X = 10;

        Assert.Equal(new Position(10, 2), world.Read<Position>(e));
    }

    [Fact]
    public void AddingAComponentTwiceThrowsButSetReplacesIt()
    {
        var world = new World();
        var e = world.Create(new Mass(1));

        Assert.Throws<InvalidOperationException>(() => world.Add(e, new Mass(2)));
        world.Set(e, new Mass(3));
        Assert.Equal(3, world.Read<Mass>(e).Value);
    }

    [Fact]
    public void RemovingAnAbsentComponentThrows()
    {
        var world = new World();
        var e = world.Create();
        Assert.Throws<InvalidOperationException>(() => world.Remove<Mass>(e));
    }

    [Fact]
    public void DestroyRemovesEveryComponentOfTheEntityOnly()
    {
        var world = new World();
        var a = world.Create(new Position(1, 1), new Mass(1));
        var b = world.Create(new Position(2, 2));
        world.Destroy(a);

        Assert.Equal(1, world.CountOf<Position>());
        Assert.Equal(0, world.CountOf<Mass>());
        Assert.Equal(new Position(2, 2), world.Read<Position>(b));
    }

    [Fact]
    public void ComponentsSurviveManyRemovalsOfOtherEntities()
    {
        // Removals leave holes that the pool compacts; the survivors must keep their own values.
        var world = new World();
        var all = Enumerable.Range(0, 500).Select(i => world.Create(new Charge(i))).ToList();
        foreach (var e in all.Where((_, i) => i % 3 != 0)) world.Destroy(e);

        foreach (var e in all.Where((_, i) => i % 3 == 0))
            Assert.Equal(all.IndexOf(e), world.Read<Charge>(e).Value);
    }
}
