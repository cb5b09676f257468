// Entity handles: creation, destruction, recycling with a new generation, stale handle detection.
namespace Nas.World.Tests;

public sealed class EntityTests
{
    [Fact]
    public void ADestroyedEntitysHandleIsDetectedAsStale()
    {
        var world = new World();
        var e = world.Create(new Position(1, 2));
        world.Destroy(e);

        Assert.False(world.IsAlive(e));
        Assert.Throws<StaleEntityException>(() => world.Get<Position>(e));
        Assert.Throws<StaleEntityException>(() => world.Destroy(e));
    }

    [Fact]
    public void ARecycledSlotGetsANewGenerationSoTheOldHandleStaysStale()
    {
        var world = new World();
        var old = world.Create();
        world.Destroy(old);
        var fresh = world.Create(new Position(5, 5));

        Assert.Equal(old.Index, fresh.Index);
        Assert.NotEqual(old.Generation, fresh.Generation);
        Assert.False(world.IsAlive(old));
        Assert.Throws<StaleEntityException>(() => world.Add(old, new Velocity(0, 0)));
        Assert.Equal(new Position(5, 5), world.Get<Position>(fresh));
    }

    [Fact]
    public void SequenceNumbersGrowAndAreNeverReusedAfterDestroy()
    {
        var world = new World();
        var a = world.Create();
        var b = world.Create();
        world.Destroy(a);
        var c = world.Create();

        Assert.Equal(1, world.SequenceOf(b));
        Assert.Equal(2, world.SequenceOf(c));
        Assert.Equal(3, world.NextSequence);
        Assert.Equal(2, world.Count);
    }

    [Fact]
    public void TheNullHandleIsNeverAlive()
    {
        var world = new World();
        world.Create();
        Assert.True(Entity.Null.IsNull);
        Assert.False(world.IsAlive(Entity.Null));
    }
}
