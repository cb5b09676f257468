// PC-DARTS channel split and shuffle (methods.md §3.1a, §7).
using Nas.Systems.Techniques;

namespace Nas.Systems.Tests.Techniques;

public sealed class PartialChannelTests
{
    [Theory]
    [InlineData(16, 4)]
    [InlineData(8, 2)]
    [InlineData(36, 2)]
    public void TheShuffleTakesChannelCModKTimesCOverKPlusCDivK(int channels, int k)
    {
        var source = PartialChannels.Shuffle(channels, k);
        for (var c = 0; c < channels; c++) Assert.Equal(c % k * (channels / k) + c / k, source[c]);
    }

    [Fact]
    public void TheShuffleIsTheViewTransposeFlattenOfTheReference()
    {
        // Independent construction: lay input channels out as a K x (C/K) grid, read it column by column.
        const int channels = 16, k = 4;
        var grid = new int[k, channels / k];
        for (var i = 0; i < channels; i++) grid[i / (channels / k), i % (channels / k)] = i;
        var flattened = new List<int>();
        for (var col = 0; col < channels / k; col++)
            for (var row = 0; row < k; row++) flattened.Add(grid[row, col]);
        Assert.Equal(flattened, PartialChannels.Shuffle(channels, k));
    }

    [Fact]
    public void TheInverseShuffleUndoesTheShuffle()
    {
        var source = PartialChannels.Shuffle(24, 4);
        var inverse = PartialChannels.InverseShuffle(24, 4);
        for (var i = 0; i < 24; i++)
        {
            Assert.Equal(i, source[inverse[i]]);
            Assert.Equal(i, inverse[source[i]]);
        }
    }

    [Fact]
    public void TheFirstCOverKChannelsGoThroughTheMixedOp()
    {
        var split = PartialChannels.Split(16, 4);
        Assert.Equal((4, 12), (split.Mixed, split.Bypass));
        Assert.Equal((0, 4), split.MixedRange.GetOffsetAndLength(16));
        Assert.Equal((4, 12), split.BypassRange.GetOffsetAndLength(16));
    }

    [Fact]
    public void AKThatDoesNotDivideTheChannelsIsRefusedWithBothNumbers()
    {
        var e = Assert.Throws<ArgumentException>(() => PartialChannels.Validate(10, 4, "cell 3"));
        Assert.Contains("cell 3", e.Message);
        Assert.Contains("divide", e.Message);
        Assert.Contains("10", e.Message);
    }

    [Fact]
    public void AnOddMixedChannelCountIsRefusedBecauseOfFactorizedReduce()
    {
        var e = Assert.Throws<ArgumentException>(() => PartialChannels.Validate(12, 4));
        Assert.Contains("even", e.Message);
        Assert.Contains("FactorizedReduce", e.Message);
    }

    [Fact]
    public void ARandomPermutationIsAPermutationAndReproducibleFromItsSeed()
    {
        var a = Xoshiro256StarStar.FromSeed(5);
        var b = Xoshiro256StarStar.FromSeed(5);
        var p = PartialChannels.RandomPermutation(32, ref a);
        Assert.Equal(Enumerable.Range(0, 32), p.Order());
        Assert.Equal(p, PartialChannels.RandomPermutation(32, ref b));
    }
}
