// The world's snapshot surface: enumerate entities and boxed components, restore them with the same ids and order.
namespace Nas.World.Tests;

public sealed class SnapshotApiTests
{
    [Fact]
    public void ComponentsOfListsBoxedValuesByStableName()
    {
        var world = new World();
        var e = world.Create(new Velocity(3, 4), new Position(1, 2), new Mass(5));

        var parts = world.ComponentsOf(e);
        Assert.Equal(["test.position", "test.velocity", null], parts.Select(p => p.Type.Name));
        Assert.Equal(2, parts[1].Type.Version);
        Assert.Equal(new Position(1, 2), parts[0].Value);
        Assert.Equal(new Mass(5), parts[2].Value);
    }

    [Fact]
    public void RegisteringOneNameForTwoTypesThrows()
    {
        var types = new TypeRegistry();
        types.Register<Mass>("nas.mass");
        Assert.Throws<InvalidOperationException>(() => types.Register<Charge>("nas.mass"));
        Assert.Equal(typeof(Mass), types.Find("nas.mass")!.Type);
    }

    [Fact]
    public void ARestoredWorldHasTheSameHandlesOrderComponentsAndFutureIds()
    {
        var original = new World();
        var es = Enumerable.Range(0, 6).Select(i => original.Create(new Charge(i))).ToList();
        original.Add(es[2], new Frozen());
        original.Destroy(es[1]);
        original.Destroy(es[4]);
        original.Create(new Charge(10));   // recycles slot 4 with a new generation

        var copy = new World();
        foreach (var e in original.Entities())
            copy.Restore(e, original.SequenceOf(e), original.ComponentsOf(e).Select(c => c.Value));
        copy.RestoreAllocator(original.CaptureAllocator());

        Assert.Equal(original.Entities(), copy.Entities());
        Assert.Equal(original.Entities().Select(original.SequenceOf), copy.Entities().Select(copy.SequenceOf));
        Assert.True(copy.Has<Frozen>(es[2]));
        Assert.Equal(original.Query<Charge>().ToList(), copy.Query<Charge>().ToList());
        Assert.Equal(original.Create(), copy.Create());
        Assert.Equal(original.Create(), copy.Create());
        Assert.Equal(original.NextSequence, copy.NextSequence);
    }

    [Fact]
    public void RestoringOutOfSequenceOrderThrows()
    {
        var world = new World();
        world.Restore(new Entity(0, 1), 5, []);
        Assert.Throws<ArgumentException>(() => world.Restore(new Entity(1, 1), 3, []));
    }
}
