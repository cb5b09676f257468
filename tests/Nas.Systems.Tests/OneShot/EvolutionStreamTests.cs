// The evolution's randomness: the world's "evolve" stream for a run, and the legacy SplitMix64 word only for worlds
// resumed from snapshots older than that stream (their v1 evolution state, or no evolution yet and no stream).
using Nas.Components;
using Nas.Systems.OneShot.Mobile;
using Nas.Systems.OneShot.Search;
using Nas.Systems.OneShot.Systems;
using Nas.World;

namespace Nas.Systems.Tests.OneShot;

public sealed class EvolutionStreamTests
{
    [Fact]
    public void TheLegacyDrawsAreTheOldSplitMix64Draws()
    {
        // Expected: an independent Python transcription of the removed SplitMix64.NextDouble / NextInt (top 53 bits;
        // reject r < 2^64 mod n, then r mod n), seeded with the word the old evolution started from for run seed 7.
        var draws = new LegacySplitMix64Draws(EvolveSystem.LegacySeedTag ^ 7);
        Assert.Equal([0.37013840014958754, 0.5750522646808399], [draws.NextDouble(), draws.NextDouble()]);
        Assert.Equal([4, 3, 4, 4, 2, 5], Enumerable.Range(0, 6).Select(_ => draws.NextInt(6)).ToArray());
        var copy = draws.Copy();
        Assert.Equal([1, 0, 0, 0, 0, 1], Enumerable.Range(0, 6).Select(_ => draws.NextInt(2)).ToArray());
        Assert.Equal(12036054880854567913UL, draws.State);
        Assert.Equal([1, 0, 0, 0, 0, 1], Enumerable.Range(0, 6).Select(_ => copy.NextInt(2)).ToArray()); // a copy continues on its own
    }

    [Fact]
    public void TheEvolutionDrawsFromTheRngItIsGivenAndOnlyFromIt()
    {
        var space = MobileSpace.Tiny28();
        var config = new EvolutionConfig(double.MaxValue, Population: 6, Generations: 2, TopK: 3, Mutations: 3, Crossovers: 3);
        Func<int[], double> fitness = g => g.Sum();
        var a = new Rng(3);
        var b = Rng.ForStream(3, RandomStreams.Evolve);
        var fromA = Evolution.RunAll(config, space, fitness, a);
        var fromB = Evolution.RunAll(config, space, fitness, b);
        Assert.NotEqual(new Rng(3).GetState(), a.GetState()); // advanced in place
        Assert.NotEqual(fromA.Evaluated.Select(c => ChoiceSpaces.Key(c.Genes)), fromB.Evaluated.Select(c => ChoiceSpaces.Key(c.Genes)));
        // Replaying the same stream state gives the same search.
        var again = Evolution.RunAll(config, space, fitness, Rng.ForStream(3, RandomStreams.Evolve));
        Assert.Equal(fromB.Evaluated.Select(c => ChoiceSpaces.Key(c.Genes)), again.Evaluated.Select(c => ChoiceSpaces.Key(c.Genes)));
    }

    private static World.World WorldWithSettings(ulong seed)
    {
        var world = new World.World();
        world.SetResource(new EvolutionSettings(4, 3, 0, seed, Nb201Dedupe.None));
        return world;
    }

    [Fact]
    public void AnOldEvolutionStateBecomesTheNewStateAndKeepsItsWord()
    {
        using var world = WorldWithSettings(7);
        Candidate[] population = [new([1, 2], 10, 0.5)];
        GenerationStats[] history = [new(0, 0.5, 0.5, 1)];
        world.SetResource(new LegacyEvolutionState(1, 0xABCDUL, population, population, population, history));
        EvolveSystem.AdoptLegacy(world);
        Assert.False(world.HasResource<LegacyEvolutionState>());
        var state = world.ReadResource<EvolutionState>();
        Assert.Equal(1, state.Generation);
        Assert.Same(population, state.Population);
        Assert.Same(history, state.History);
        Assert.Equal(0xABCDUL, world.ReadResource<LegacyEvolutionRng>().State);
    }

    [Fact]
    public void AnOldWorldWhoseEvolutionHasNotBegunGetsTheWordTheOldStartWouldHaveUsed()
    {
        using var world = WorldWithSettings(7);
        world.SetRng(RandomStreams.Path, RandomStreams.Start(RandomStreams.Path, 7));
        EvolveSystem.AdoptLegacy(world);
        Assert.Equal(7UL ^ EvolveSystem.LegacySeedTag, world.ReadResource<LegacyEvolutionRng>().State);
        Assert.False(world.HasResource<EvolutionState>());
    }

    [Fact]
    public void AWorldWithTheEvolveStreamIsLeftAlone()
    {
        using var world = WorldWithSettings(7);
        RandomStreams.Open(world, RandomStreams.Evolve, 7);
        var before = world.Rng(RandomStreams.Evolve).GetState();
        EvolveSystem.AdoptLegacy(world);
        Assert.False(world.HasResource<LegacyEvolutionRng>());
        Assert.Equal(before, world.Rng(RandomStreams.Evolve).GetState());
        Assert.Equal(Rng.ForStream(7, "evolve").GetState(), before);
    }
}
