// The spawned broad (BCNN) supernet against the analytic counter (§4.2, §1.8) and its forward shape.
using Nas.Components;
using Nas.Systems.Spaces.Broad;
using Nas.Systems.Spaces.Darts;
using Nas.Torch;

namespace Nas.Systems.Tests.Broad;

public sealed class BroadSpaceTests
{
    private static long SpawnedParameters(int partialK)
    {
        using var world = new World.World();
        using var g = new Generator(1);
        var layout = new BroadSearchLayout(16, 2, 1, 3, 32, 10);
        var runtime = BroadSpace.Spawn(world, layout, OpKinds.DartsOrder, partialK, edgeNormalization: false, g);
        return runtime.Weights(world).Sum(w => w.Numel);
    }

    [Fact]
    public void TheSpawnedBroadSupernetHasTheCountedTrainableParameters()
    {
        // BNAS-D search network, C = 16, L = 2, E = 1, CIFAR: 1,224,762 [count] (methods.md §4.2), also BroadCounting's figure.
        var expected = BroadCounting.SearchNetwork(new BroadSearchLayout(16, 2, 1, 3, 32, 10), OpKinds.DartsOrder).Params;
        Assert.Equal(1_224_762, expected);
        Assert.Equal(expected, SpawnedParameters(1));
    }

    [Fact]
    public void TheSpawnedPartialChannelBroadSupernetHasTheCountedTrainableParameters()
    {
        // BNAS-v2-PC, K = 4: 289,242 [count].
        var expected = BroadCounting.SearchNetwork(new BroadSearchLayout(16, 2, 1, 3, 32, 10), OpKinds.DartsOrder, 4).Params;
        Assert.Equal(289_242, expected);
        Assert.Equal(expected, SpawnedParameters(4));
    }

    [Fact]
    public void TheBroadForwardGivesOneLogitRowPerImage()
    {
        using var world = new World.World();
        using var g = new Generator(1);
        var runtime = BroadSpace.Spawn(world, new BroadSearchLayout(4, 2, 1, 1, 8, 5), OpKinds.DartsOrder, 1, false, g);
        using var scope = new TensorScope();
        var x = scope.Own(Tensor.Randn([2, 1, 8, 8], g));
        var normal = new CellWeights(scope.Own(runtime.Alpha(world, CellType.Normal).Softmax(-1)));
        var reduce = new CellWeights(scope.Own(runtime.Alpha(world, CellType.Reduce).Softmax(-1)));
        var logits = Nas.Systems.Search.SearchForward.Run(world, runtime, x, normal, reduce, training: true, scope);
        Assert.Equal(new long[] { 2, 5 }, logits.Shape);
    }
}
