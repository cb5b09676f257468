// [RuntimeComponent] types: on entities, queried and access-checked like any component, left out of snapshots.
using Nas.World.Snapshots;

namespace Nas.World.Tests;

[Component("rtest.payload", 1)]
public record struct Payload([SnapshotKey("kg")] double Kg);

/// <summary>A per-step value recomputed before it is read: never saved.</summary>
[RuntimeComponent]
public record struct Scratch(double[] Values);

/// <summary>Neither named nor runtime: a snapshot refuses it.</summary>
public record struct Anonymous(int X);

public sealed class RuntimeComponentTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nas-runtime-comp-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static World WorldWithScratch()
    {
        var world = new World { CheckAccesses = true };
        world.Create(new Payload(1), new Scratch([1, 2]));
        world.Create(new Payload(2));
        world.Create(new Payload(3), new Scratch([3]));
        return world;
    }

    [Fact]
    public void ARuntimeComponentIsQueriedInCreationOrderLikeAnyOther()
    {
        using var world = WorldWithScratch();
        var seen = new List<double>();
        world.Query<Payload, Scratch>().ForEachReadOnly((Entity _, in Payload m, in Scratch s) => seen.Add(m.Kg * 10 + s.Values.Length));
        Assert.Equal([12.0, 31.0], seen);
    }

    [Fact]
    public void AnUndeclaredWriteOfARuntimeComponentThrowsInCheckedMode()
    {
        using var world = WorldWithScratch();
        var reader = new LambdaSystem("scratch-reader", Access.None.Read<Scratch>(),
            (w, _) => w.Query<Scratch>().ForEach((Entity _, ref Scratch s) => s.Values[0] = 0));

        var ex = Assert.Throws<UndeclaredAccessException>(() => world.RunSystem(reader));
        Assert.Equal(typeof(Scratch), ex.Type);
        Assert.Equal("scratch-reader", ex.System);
    }

    [Fact]
    public void ADeclaredWriteOfARuntimeComponentRuns()
    {
        using var world = WorldWithScratch();
        var writer = new LambdaSystem("scratch-writer", Access.None.Write<Scratch>(),
            (w, _) => w.Query<Scratch>().ForEach((Entity _, ref Scratch s) => s.Values[0] = -1));
        world.RunSystem(writer);
        Assert.Equal([-1.0, -1.0], world.Query<Scratch>().ToList().Select(e => world.Read<Scratch>(e).Values[0]));
    }

    [Fact]
    public void ASnapshotLeavesRuntimeComponentsOutAndKeepsTheEntities()
    {
        using var world = WorldWithScratch();
        var path = Path.Combine(_dir, "w.msgpack");
        WorldSnapshot.Write(path, world, step: 1);
        var loaded = WorldSnapshot.Read(path, t => t.Register<Payload>("rtest.payload", 1));
        using var copy = loaded.Body;
        Assert.Equal(3, copy.Count);
        Assert.Equal(0, copy.CountOf<Scratch>());
        Assert.Equal([1.0, 2.0, 3.0], copy.Query<Payload>().ToList().Select(e => copy.Read<Payload>(e).Kg));
        var schema = (Dictionary<object, object?>)WorldSnapshot.HeaderFields(world, null).Single(f => f.Key == "schema").Value!;
        Assert.Equal(["rtest.payload"], ((Dictionary<object, object?>)schema["components"]!).Keys.Cast<string>());
    }

    [Fact]
    public void AnUnnamedComponentThatIsNotRuntimeStillMakesTheSnapshotThrow()
    {
        using var world = WorldWithScratch();
        world.Create(new Anonymous(1));
        var ex = Assert.Throws<InvalidOperationException>(() => WorldSnapshot.Write(Path.Combine(_dir, "x.msgpack"), world, step: 1));
        Assert.Contains(nameof(Anonymous), ex.Message);
    }

    [Fact]
    public void ARuntimeComponentCannotBeGivenASnapshotName()
    {
        var types = new TypeRegistry();
        var ex = Assert.Throws<InvalidOperationException>(() => types.Register<Scratch>("rtest.scratch"));
        Assert.Contains("RuntimeComponent", ex.Message);
        Assert.True(types.Of(typeof(Scratch)).IsRuntime);
        Assert.False(types.Of(typeof(Payload)).IsRuntime);
    }
}
