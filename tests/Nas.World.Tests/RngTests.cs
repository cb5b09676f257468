// Rng (xoshiro256**) and SplitMix64: known answers, seeding, named streams, state round trip, and the derived draws' ranges.
namespace Nas.World.Tests;

public sealed class RngTests
{
    [Fact]
    public void OutputsMatchTheReferenceXoshiro256StarStarFromStateOneTwoThreeFour()
    {
        // Expected: the reference C code (prng.di.unimi.it/xoshiro256starstar.c) from state {1, 2, 3, 4};
        // the same vector is in the rand_xoshiro crate's tests. Exact integers, no tolerance.
        var rng = Rng.FromState([1, 2, 3, 4]);
        Assert.Equal(11520UL, rng.NextUInt64());
        Assert.Equal(0UL, rng.NextUInt64());
        Assert.Equal(1509978240UL, rng.NextUInt64());
    }

    [Fact]
    public void SeedingExpandsTheSeedWithSplitMix64()
    {
        // Expected: an independent Python transcription of SplitMix64 + xoshiro256** (seed 42). Exact integers.
        var rng = new Rng(42);
        Assert.Equal([0xbdd732262feb6e95UL, 0x28efe333b266f103UL, 0x47526757130f9f52UL, 0x581ce1ff0e4ae394UL], rng.GetState());
        Assert.Equal(0x15780b2e0c2ec716UL, rng.NextUInt64());
        Assert.Equal(0x6104d9866d113a7eUL, rng.NextUInt64());
    }

    [Fact]
    public void TheSameSeedGivesTheSameStream()
    {
        var a = new Rng(7);
        var b = new Rng(7);
        for (var i = 0; i < 100; i++) Assert.Equal(a.NextDouble(), b.NextDouble());
    }

    [Fact]
    public void ARestoredStateContinuesTheStreamExactly()
    {
        var rng = new Rng(123);
        for (var i = 0; i < 10; i++) rng.NextGaussian();
        var saved = rng.GetState();
        var expected = Enumerable.Range(0, 20).Select(_ => rng.NextInt(1000)).ToArray();

        var resumed = Rng.FromState(saved);
        Assert.Equal(expected, Enumerable.Range(0, 20).Select(_ => resumed.NextInt(1000)).ToArray());
    }

    [Fact]
    public void DerivedDrawsStayInTheirRanges()
    {
        var rng = new Rng(5);
        for (var i = 0; i < 1000; i++)
        {
            var d = rng.NextDouble();
            Assert.InRange(d, 0.0, 1.0 - double.Epsilon);
            Assert.InRange(rng.NextFloat(), 0f, 0.99999994f);
            Assert.InRange(rng.NextInt(3, 7), 3, 6);
        }
    }

    [Fact]
    public void ShuffleIsAPermutation()
    {
        var items = Enumerable.Range(0, 50).ToArray();
        new Rng(9).Shuffle<int>(items);
        Assert.Equal(Enumerable.Range(0, 50), items.Order());
        Assert.NotEqual(Enumerable.Range(0, 50), items);
    }

    [Fact]
    public void AnAllZeroStateIsRejected()
    {
        Assert.Throws<ArgumentException>(() => Rng.FromState([0, 0, 0, 0]));
    }

    [Fact]
    public void AStreamIsSeededFromTheRunSeedMixedWithTheNumberOfItsName()
    {
        // Expected: an independent Python transcription of the DropNAS mask generator's seeding before streams had
        // names (seed ^ stream·0xD1B54A32D192ED03, one SplitMix64 step, then SplitMix64 expansion), seed 5, stream "DROP".
        Assert.Equal(0x44524F50UL, Rng.StreamId("drop"));
        Assert.Equal([0x7dcfd7842ffbc6c1UL, 0x02a0c9063dd5dd4cUL, 0x5562d6b94c2a0c30UL, 0xb6307e6483d25c94UL], Rng.ForStream(5, "drop").GetState());
        Assert.NotEqual(Rng.ForStream(5, "drop").GetState(), Rng.ForStream(5, "path").GetState());
    }

    [Theory]
    [InlineData("")]
    [InlineData("ninechars")]
    [InlineData("a b")]
    public void AStreamNameMustBeOneToEightPlainCharacters(string name)
    {
        var ex = Assert.Throws<ArgumentException>(() => Rng.StreamId(name));
        Assert.Contains($"'{name}'", ex.Message);
    }

    [Fact]
    public void TheWorldHandsOutItsStreamsByNameAndNamesAMissingOne()
    {
        var world = new World();
        world.SetRng("drop", Rng.ForStream(3, "drop"));
        var first = world.Rng("drop").NextUInt64();
        Assert.Equal(Rng.ForStream(3, "drop").NextUInt64(), first);
        Assert.NotEqual(first, world.Rng("drop").NextUInt64()); // drawn in place: the stream moved on
        var ex = Assert.Throws<KeyNotFoundException>(() => world.Rng("path"));
        Assert.Contains("'path'", ex.Message);
        Assert.Contains("drop", ex.Message);
    }

    [Fact]
    public void SplitMix64GivesThePublishedOutputs()
    {
        // Vigna's reference splitmix64.c seeded with 0, and seeded with 1234567 (the Java SplittableRandom vector).
        var zero = new SplitMix64(0);
        Assert.Equal(0xE220A8397B1DCDAFUL, zero.NextUInt64());
        Assert.Equal(0x6E789E6AA1B965F4UL, zero.NextUInt64());
        var state = 1234567UL;
        Assert.Equal([6457827717110365317UL, 3203168211198807973UL, 9817491932198370423UL],
            Enumerable.Range(0, 3).Select(_ => SplitMix64.Next(ref state)).ToArray());
    }

    [Fact]
    public void SplitMix64BoundedDrawsAreRoughlyUniform()
    {
        // 60,000 draws over 6 bins: each count within 5 % of 10,000 (about 5 standard deviations), for the data's bounded draw.
        var rng = new SplitMix64(3);
        var multiply = new int[6];
        for (var i = 0; i < 60_000; i++) multiply[rng.NextIntMultiplyHigh(6)]++;
        Assert.All(multiply, c => Assert.InRange(c, 9_500, 10_500));
    }
}
