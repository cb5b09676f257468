// BNAS-v2 confident learning rate (methods.md §4.4, §7).
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

    [Fact]
    public void TheFirstOrderAlphaLrStartsAt1Point2eMinus7AndEndsAt3eMinus4()
    {
        Assert.Equal(1.2e-7, ConfidentLr.AlphaLr(3e-4, 0, 50), 15);
        Assert.Equal(3e-4, ConfidentLr.AlphaLr(3e-4, 49, 50), 15);
    }

    [Fact]
    public void SecondOrderScalesTheLrByDefaultAndTheLossInTheAuthorsMode()
    {
        Assert.Equal(new ClrScaling(0.25, 1), ConfidentLr.Scaling(24, 50, 2, secondOrder: true));
        Assert.Equal(new ClrScaling(1, 0.25), ConfidentLr.Scaling(24, 50, 2, secondOrder: true, ClrSecondOrder.ScaleLoss));
        Assert.Equal(new ClrScaling(0.25, 1), ConfidentLr.Scaling(24, 50, 2, secondOrder: false, ClrSecondOrder.ScaleLoss));
    }

    [Fact]
    public void AnEpochOutsideTheRunIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ConfidentLr.Confidence(50, 50));
    }
}
