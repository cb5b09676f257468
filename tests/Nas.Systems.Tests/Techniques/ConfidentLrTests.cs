// BNAS-v2 confident learning rate (methods.md §4.4, §7): the factor, and the system that applies it to the arch lr.
using Nas.Components;
using Nas.Systems.Search;
using Nas.Systems.Techniques;

namespace Nas.Systems.Tests.Techniques;

public sealed class ConfidentLrTests
{
    [Theory]
    [InlineData(0, 4e-4)]   // (1/50)^2
    [InlineData(14, 0.09)]  // (15/50)^2
    [InlineData(24, 0.25)]  // (25/50)^2
    [InlineData(49, 1.0)]   // (50/50)^2
    public void ConfidenceFollowsTheTableOfSection4Point4(int epoch, double expected)
    {
        Assert.Equal(expected, ConfidentLr.Confidence(epoch, 50), 12);
    }

    [Theory]
    [InlineData(0, 1.2e-7)]
    [InlineData(49, 3e-4)]
    public void TheConfidentLrSystemScalesTheArchLrFrom1Point2eMinus7To3eMinus4(int epoch, double expected)
    {
        using var world = new Nas.World.World { CheckAccesses = true };
        world.SetResource(new ArchOptimizerSettings(3e-4, 0.5, 0.999, 1e-3, 0));
        world.SetResource(new ConfidentLrSettings(2));
        world.SetResource(new SearchClock(0, epoch, 0, 10, 50));
        world.SetResource(new StepMetrics());
        world.RunSystem(new ArchLrSystem());
        world.RunSystem(new ConfidentLrSystem());
        Assert.Equal(expected, world.ReadResource<ArchLr>().Value, 15);
        Assert.Equal(expected, world.ReadResource<StepMetrics>().ArchLr, 15);
    }

    [Fact]
    public void InLossModeTheArchGradientIsScaledByTheConfidenceAndTheLrIsNot()
    {
        using var world = new Nas.World.World { CheckAccesses = true };
        world.SetResource(new ConfidentLrSettings(2, ConfidentLrMode.Loss));
        world.SetResource(new SearchClock(0, 14, 0, 10, 50));
        using var g = Nas.Torch.Tensor.FromSpan([1f, -2f, 4f], [3]);
        world.Create(new Architecture(CellType.Normal, 1, 3), new AlphaGrad(g));
        world.Create(new Architecture(CellType.Reduce, 1, 3), new AlphaGrad(null));
        world.RunSystem(new ConfidentLossSystem());
        Assert.Equal([0.09f, -0.18f, 0.36f], g.ToFloatArray().Select(v => MathF.Round(v, 6)));
    }

    [Fact]
    public void AnEpochOutsideTheRunIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ConfidentLr.Confidence(50, 50));
    }
}
