// Tests for the DARTS train/architecture split (methods.md §2.2).
using Nas.Systems.Data;

namespace Nas.Systems.Tests.Data;

public sealed class SplitTests
{
    [Fact]
    public void TheCifarTrainingSetSplitsIntoTwoHalvesOfTwentyFiveThousand()
    {
        var split = Split.Darts(50_000);
        Assert.Equal(new IndexRange(0, 25_000), split.Weights);
        Assert.Equal(new IndexRange(25_000, 25_000), split.Arch);
    }

    [Fact]
    public void AnOddCountGivesTheFloorToTheWeightHalf()
    {
        var split = Split.Darts(10_001);
        Assert.Equal((5_000, 5_001), (split.Weights.Count, split.Arch.Count));
        Assert.Equal(split.Weights.End, split.Arch.Start);
    }

    [Fact]
    public void ASubsetOfTenThousandGivesFiveThousandEach()
    {
        var data = Synthetic.LoadTrain(new SyntheticSpec(Channels: 1, Height: 4, Width: 4, TrainCount: 12_000));
        var split = Split.Darts(data.Take(10_000));
        Assert.Equal((new IndexRange(0, 5_000), new IndexRange(5_000, 5_000)), (split.Weights, split.Arch));
    }

    [Fact]
    public void APortionThatLeavesAHalfEmptyIsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Split.Darts(3, 0.2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Split.Darts(100, 1.0));
    }
}
