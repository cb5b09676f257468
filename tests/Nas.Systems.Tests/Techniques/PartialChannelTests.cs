// PC-DARTS channel shuffle as both forwards run it (methods.md §3.1a, §7), and the K checks.
using Nas.Systems.Spaces.Darts;
using Nas.Systems.Spaces.Forward;
using Nas.Systems.Techniques;
using Nas.Torch;

namespace Nas.Systems.Tests.Techniques;

public sealed class PartialChannelTests
{
    /// <summary>A 1×C×1×1 tensor whose channel c holds the value c, channels-last or not.</summary>
    private static Tensor Channels(int c, int offset, TensorScope scope) =>
        scope.Own(Tensor.FromSpan(Enumerable.Range(offset, c).Select(i => (float)i).ToArray(), [1, c, 1, 1]));

    [Theory]
    [InlineData(16, 4)]
    [InlineData(8, 2)]
    [InlineData(36, 2)]
    public void TheReferenceShuffleTakesChannelCModKTimesCOverKPlusCDivK(int channels, int k)
    {
        using var scope = new TensorScope();
        var shuffled = ReferenceKernels.ChannelShuffle(Channels(channels, 0, scope), k, scope).ToFloatArray();
        for (var c = 0; c < channels; c++) Assert.Equal(c % k * (channels / k) + c / k, shuffled[c]);
    }

    [Theory]
    [InlineData(16, 4)]
    [InlineData(8, 2)]
    public void TheFastJoinIsTheCatOfMixedAndBypassThenTheSameShuffle(int channels, int k)
    {
        // ShuffleJoin(mixed, bypass, K) = ChannelShuffle(cat(mixed, bypass)); the mixed part is the first C/K channels.
        using var scope = new TensorScope();
        var mixed = scope.Own(Channels(channels / k, 0, scope).ToChannelsLast());
        var bypass = scope.Own(Channels(channels - channels / k, channels / k, scope).ToChannelsLast());
        var values = scope.Own(scope.Own(Tensor.ShuffleJoin(mixed, bypass, k)).Contiguous()).ToFloatArray();
        for (var c = 0; c < channels; c++) Assert.Equal(c % k * (channels / k) + c / k, values[c]);
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
}
