// Resources: one-of-a-kind values on the world, with ref access and enumeration by registered name.
namespace Nas.World.Tests;

public sealed class ResourceTests
{
    [Fact]
    public void ASetResourceCanBeMutatedThroughItsRef()
    {
        var world = new World();
        world.SetResource(new StepCount(3));
        world.Resource<StepCount>().Value += 2;

        Assert.Equal(5, world.ReadResource<StepCount>().Value);
        Assert.True(world.TryResource<StepCount>(out var s));
        Assert.Equal(5, s.Value);
    }

    [Fact]
    public void AMissingResourceThrowsOnRefAccessAndIsFalseOnTry()
    {
        var world = new World();
        Assert.False(world.TryResource<StepCount>(out _));
        Assert.Throws<KeyNotFoundException>(() => world.Resource<StepCount>());
    }

    [Fact]
    public void SetResourceReplacesTheValue()
    {
        var world = new World();
        world.SetResource(new StepCount(1));
        world.SetResource(new StepCount(2));
        Assert.Equal(2, world.ReadResource<StepCount>().Value);
        Assert.Single(world.AllResources());
    }

    [Fact]
    public void AllResourcesListsNamedOnesByNameThenUnnamedOnes()
    {
        var world = new World();
        world.Types.Register<StepCount>("nas.step", 1);
        world.SetResource("unnamed");
        world.SetRng("main", new Rng(1));
        world.SetResource(new StepCount(4));

        var names = world.AllResources().Select(r => r.Type.Name).ToList();
        Assert.Equal(["nas.rng.streams", "nas.step", null], names);
        Assert.Equal(new StepCount(4), world.AllResources()[1].Value);
    }
}
