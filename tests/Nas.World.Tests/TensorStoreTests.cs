// The tensor store: ownership per entity, release on Destroy and on world Dispose, enumeration and byte counts.
using Nas.Torch;

namespace Nas.World.Tests;

/// <summary>Tests that count live native tensors run alone, so no other test's tensors move the count.</summary>
[CollectionDefinition("native tensors", DisableParallelization = true)]
public sealed class NativeTensorCollection;

[Collection("native tensors")]
public sealed class TensorStoreTests
{
    [Fact]
    public void DestroyingAnEntityDisposesTheTensorsItOwns()
    {
        var baseline = Tensor.LiveCount;
        using var world = new World();
        var op = world.Create();
        var keep = world.Create();
        var w = world.Tensors.Add(op, "weight", Tensor.Zeros([4, 4]));
        world.Tensors.Add(op, "bias", Tensor.Zeros([4]));
        world.Tensors.Add(keep, "weight", Tensor.Zeros([2]));
        Assert.Equal(baseline + 3, Tensor.LiveCount);

        world.Destroy(op);

        Assert.True(w.IsDisposed);
        Assert.Equal(baseline + 1, Tensor.LiveCount);
        Assert.Equal(1, world.Tensors.Count);
        Assert.False(world.Tensors.TryGet(op, "weight", out _));
    }

    [Fact]
    public void DisposingTheWorldReleasesEveryTensorIncludingWorldLevelOnes()
    {
        var baseline = Tensor.LiveCount;
        var world = new World();
        world.Tensors.Add(world.Create(), "alpha", Tensor.Zeros([14, 8]));
        world.Tensors.Add(Entity.Null, "momentum", Tensor.Zeros([3]));
        world.Dispose();

        Assert.Equal(baseline, Tensor.LiveCount);
    }

    [Fact]
    public void ReplaceDisposesTheOldTensorAndRemoveDisposesTheStoredOne()
    {
        var baseline = Tensor.LiveCount;
        using var world = new World();
        var e = world.Create();
        var first = world.Tensors.Add(e, "w", Tensor.Zeros([2]));
        var second = world.Tensors.Replace(e, "w", Tensor.Zeros([3]));

        Assert.True(first.IsDisposed);
        Assert.Same(second, world.Tensors.Get(e, "w"));
        Assert.True(world.Tensors.Remove(e, "w"));
        Assert.True(second.IsDisposed);
        Assert.Equal(baseline, Tensor.LiveCount);
    }

    [Fact]
    public void TotalBytesIsElementsTimesElementSize()
    {
        using var world = new World();
        var e = world.Create();
        world.Tensors.Add(e, "f32", Tensor.Zeros([10, 3]));                 // 30 * 4 bytes
        world.Tensors.Add(e, "f64", Tensor.Zeros([5], DType.Float64));      // 5 * 8 bytes

        Assert.Equal(2, world.Tensors.Count);
        Assert.Equal(160, world.Tensors.TotalBytes);
    }

    [Fact]
    public void AllListsTensorsByOwnerCreationOrderThenName()
    {
        using var world = new World();
        var a = world.Create();
        var b = world.Create();
        world.Tensors.Add(b, "w", Tensor.Zeros([1]));
        world.Tensors.Add(a, "z", Tensor.Zeros([1]));
        world.Tensors.Add(a, "b", Tensor.Zeros([1]));
        world.Tensors.Add(Entity.Null, "global", Tensor.Zeros([1]));

        var keys = world.Tensors.All().Select(x => (x.Owner, x.Name)).ToList();
        Assert.Equal([(Entity.Null, "global"), (a, "b"), (a, "z"), (b, "w")], keys);
    }

    [Fact]
    public void AddingTwiceUnderOneNameOrToADeadOwnerThrows()
    {
        using var world = new World();
        var e = world.Create();
        world.Tensors.Add(e, "w", Tensor.Zeros([1]));
        using var spare = Tensor.Zeros([1]);
        Assert.Throws<InvalidOperationException>(() => world.Tensors.Add(e, "w", spare));
        world.Destroy(e);
        Assert.Throws<StaleEntityException>(() => world.Tensors.Add(e, "v", spare));
    }
}
