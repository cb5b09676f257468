// The seeded PRNG: the published SplitMix64 stream and uniformity of bounded draws.
using Nas.Systems.OneShot;

namespace Nas.Systems.Tests.OneShot;

public sealed class RngTests
{
    [Fact]
    public void SplitMix64FromZeroGivesTheReferenceStream()
    {
        // First outputs of Vigna's reference splitmix64.c seeded with 0.
        var rng = new SplitMix64(0);
        Assert.Equal(0xE220A8397B1DCDAFUL, rng.NextULong());
        Assert.Equal(0x6E789E6AA1B965F4UL, rng.NextULong());
    }

    [Fact]
    public void BoundedDrawsAreRoughlyUniform()
    {
        // 60,000 draws over 6 bins: each count within 5 % of 10,000 (≈ 5 standard deviations).
        var rng = new SplitMix64(3);
        var counts = new int[6];
        for (int i = 0; i < 60_000; i++) counts[rng.NextInt(6)]++;
        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
    }
}
