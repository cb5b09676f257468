// SPOS's evolutionary search (§1.5) as a deterministic step function over a plain, snapshot-able state.
using Nas.Components;
using Nas.World;

namespace Nas.Systems.OneShot.Search;

/// <summary>
/// §1.5's parameters; the attempt caps are 10× the child counts as in SPOS. <see cref="ParamsLimit"/> is the same rule
/// as the FLOPs limit for parameter counts (ours [I]; double.MaxValue = none).
/// </summary>
public sealed record EvolutionConfig(
    double FlopsLimit,
    int Population = 50,
    int Generations = 20,
    int TopK = 10,
    int Mutations = 25,
    int Crossovers = 25,
    double MutationProb = 0.1,
    int MaxRandomTries = 100_000,
    double ParamsLimit = double.MaxValue)
{
    public int MutationAttempts => 10 * Mutations;
    public int CrossoverAttempts => 10 * Crossovers;
}

/// <summary>
/// The two draws the evolution makes: uniform in [0, 1) (<see cref="NextDouble"/>) and uniform in [0, n)
/// (<see cref="NextInt"/>, which also picks list elements). A run draws from the world's "evolve" stream
/// (<see cref="EvolutionDraws.Of"/>); only a world resumed from a snapshot older than that stream draws from
/// <see cref="LegacySplitMix64Draws"/>.
/// </summary>
public interface IEvolutionDraws
{
    double NextDouble();
    int NextInt(int maxExclusive);

    /// <summary>An independent copy at the same position (the data-parallel plan runs a generation on one).</summary>
    IEvolutionDraws Copy();
}

public static class EvolutionDraws
{
    /// <summary>The evolution's draws from <paramref name="rng"/>, advancing it in place.</summary>
    public static IEvolutionDraws Of(Rng rng) => new StreamDraws(rng);

    private sealed class StreamDraws(Rng rng) : IEvolutionDraws
    {
        public double NextDouble() => rng.NextDouble();
        public int NextInt(int maxExclusive) => rng.NextInt(maxExclusive);
        public IEvolutionDraws Copy() => new StreamDraws(rng.Clone());
    }
}

/// <summary>
/// The evolution's generator before the "evolve" stream, kept only so a world resumed from such a snapshot
/// (<see cref="LegacyEvolutionRng"/>) draws exactly what the old run would have: one SplitMix64 word, doubles from the
/// top 53 bits, bounded ints by rejecting the short bottom bucket then taking the remainder. Never used by a new run.
/// </summary>
public sealed class LegacySplitMix64Draws(ulong state) : IEvolutionDraws
{
    private ulong _state = state;

    /// <summary>The word to save back into <see cref="LegacyEvolutionRng"/> after a generation.</summary>
    public ulong State => _state;

    public double NextDouble() => (SplitMix64.Next(ref _state) >> 11) * (1.0 / (1UL << 53));

    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "must be positive");
        var bound = (ulong)maxExclusive;
        var threshold = (0UL - bound) % bound;
        while (true)
        {
            var r = SplitMix64.Next(ref _state);
            if (r >= threshold) return (int)(r % bound);
        }
    }

    public IEvolutionDraws Copy() => new LegacySplitMix64Draws(_state);
}

public static class Evolution
{
    /// <summary>Generation 0: a random legal population of size P, drawn from <paramref name="rng"/> (advanced in place).</summary>
    public static EvolutionState Start(EvolutionConfig config, IChoiceSpace space, Func<int[], double> fitness, Rng rng) =>
        Start(config, space, fitness, EvolutionDraws.Of(rng));

    /// <inheritdoc cref="Start(EvolutionConfig, IChoiceSpace, Func{int[], double}, Rng)"/>
    public static EvolutionState Start(EvolutionConfig config, IChoiceSpace space, Func<int[], double> fitness, IEvolutionDraws draws)
    {
        var run = new Run(config, space, fitness, draws, []);
        var population = run.FillRandom([]);
        return new EvolutionState(0, population, [], run.Evaluated.ToArray(), []);
    }

    public static bool Done(EvolutionState state, EvolutionConfig config) => state.Generation >= config.Generations;

    /// <summary>
    /// One generation: merge the population into the top-k archive (stable sort, archive first), record stats,
    /// then up to 25 mutants (≤ 250 attempts) and 25 crossovers (≤ 250 attempts) of archive members, topped up
    /// with random legal genomes to P. The input state is not modified; <paramref name="rng"/> is advanced in place.
    /// </summary>
    public static EvolutionState Step(EvolutionState state, EvolutionConfig config, IChoiceSpace space, Func<int[], double> fitness, Rng rng) =>
        Step(state, config, space, fitness, EvolutionDraws.Of(rng));

    /// <inheritdoc cref="Step(EvolutionState, EvolutionConfig, IChoiceSpace, Func{int[], double}, Rng)"/>
    public static EvolutionState Step(EvolutionState state, EvolutionConfig config, IChoiceSpace space, Func<int[], double> fitness, IEvolutionDraws draws)
    {
        if (state.Population.Length == 0) throw new InvalidOperationException("the population is empty");
        var run = new Run(config, space, fitness, draws, state.Evaluated);
        var topK = state.TopK.Concat(state.Population).OrderBy(c => c.Fitness).Take(config.TopK).ToArray();
        var stats = new GenerationStats(state.Generation, topK[0].Fitness, state.Population.Average(c => c.Fitness), state.Evaluated.Length);

        var children = new List<Candidate>();
        for (int attempts = 0; children.Count < config.Mutations && attempts < config.MutationAttempts; attempts++)
        {
            var g = Mutate(topK[draws.NextInt(topK.Length)].Genes, space, config.MutationProb, draws);
            if (run.TryEvaluate(g) is { } c) children.Add(c);
        }
        int crossed = 0;
        for (int attempts = 0; crossed < config.Crossovers && attempts < config.CrossoverAttempts; attempts++)
        {
            var p1 = topK[draws.NextInt(topK.Length)].Genes;
            var p2 = topK[draws.NextInt(topK.Length)].Genes; // may be p1, as in SPOS
            var g = Crossover(p1, p2, draws);
            if (run.TryEvaluate(g) is { } c) { children.Add(c); crossed++; }
        }
        var population = run.FillRandom(children);
        return new EvolutionState(state.Generation + 1, population, topK, run.Evaluated.ToArray(), [.. state.History, stats]);
    }

    /// <summary>Start and every generation, drawing from <paramref name="rng"/>.</summary>
    public static EvolutionState RunAll(EvolutionConfig config, IChoiceSpace space, Func<int[], double> fitness, Rng rng)
    {
        var state = Start(config, space, fitness, rng);
        while (!Done(state, config)) state = Step(state, config, space, fitness, rng);
        return state;
    }

    /// <summary>Start and every generation, drawing from a new <see cref="Rng"/> seeded with <paramref name="seed"/>.</summary>
    public static EvolutionState RunAll(EvolutionConfig config, IChoiceSpace space, Func<int[], double> fitness, ulong seed) =>
        RunAll(config, space, fitness, new Rng(seed));

    /// <summary>A copy of the parent where each gene, with probability p, is redrawn uniformly from its layer's choices (possibly the same).</summary>
    public static int[] Mutate(int[] parent, IChoiceSpace space, double p, Rng rng) => Mutate(parent, space, p, EvolutionDraws.Of(rng));

    /// <summary>Each gene from one parent or the other with probability 1/2, independently (uniform crossover).</summary>
    public static int[] Crossover(int[] p1, int[] p2, Rng rng) => Crossover(p1, p2, EvolutionDraws.Of(rng));

    private static int[] Mutate(int[] parent, IChoiceSpace space, double p, IEvolutionDraws draws)
    {
        var g = (int[])parent.Clone();
        for (int l = 0; l < g.Length; l++)
            if (draws.NextDouble() < p)
            {
                var choices = space.Choices(l);
                g[l] = choices[draws.NextInt(choices.Count)];
            }
        return g;
    }

    private static int[] Crossover(int[] p1, int[] p2, IEvolutionDraws draws)
    {
        var g = new int[p1.Length];
        for (int l = 0; l < g.Length; l++) g[l] = draws.NextInt(2) == 0 ? p1[l] : p2[l];
        return g;
    }

    /// <summary>The k best of everything evaluated, ties in evaluation order (§1.5's return value).</summary>
    public static Candidate[] Best(EvolutionState state, int k) => state.Evaluated.OrderBy(c => c.Fitness).Take(k).ToArray();

    /// <summary>One generation's working set: the draws and the memo, rebuilt from the state.</summary>
    private sealed class Run(EvolutionConfig config, IChoiceSpace space, Func<int[], double> fitness, IEvolutionDraws draws, Candidate[] evaluated)
    {
        public readonly List<Candidate> Evaluated = [.. evaluated];
        private readonly HashSet<string> _seen = evaluated.Select(c => space.Key(c.Genes)).ToHashSet();

        /// <summary>
        /// §1.5's legality: never seen (by the space's key), FLOPs ≤ limit and params ≤ limit; a legal genome is evaluated at
        /// once and memoized. Random draws, mutants and crossovers all pass through here, so none over a limit is ever scored.
        /// </summary>
        public Candidate? TryEvaluate(int[] genes)
        {
            space.Canonicalize(genes);
            var key = space.Key(genes);
            if (_seen.Contains(key)) return null;
            double flops = space.Flops(genes);
            if (flops > config.FlopsLimit) return null;
            if (config.ParamsLimit < double.MaxValue && space.Params(genes) > config.ParamsLimit) return null;
            double f = fitness(genes);
            if (double.IsNaN(f)) throw new InvalidOperationException($"fitness of genome [{ChoiceSpaces.Key(genes)}] is NaN");
            _seen.Add(key);
            var c = new Candidate(genes, flops, f);
            Evaluated.Add(c);
            return c;
        }

        /// <summary>
        /// Tops up with uniform random legal genomes to P. SPOS loops forever if the legal space is used up; we
        /// stop after <see cref="EvolutionConfig.MaxRandomTries"/> failed draws in a row and keep the smaller
        /// population [I].
        /// </summary>
        public Candidate[] FillRandom(List<Candidate> population)
        {
            for (int fails = 0; population.Count < config.Population && fails < config.MaxRandomTries;)
            {
                var g = ChoiceSpaces.Uniform(space, draws.NextInt);
                if (TryEvaluate(g) is { } c) { population.Add(c); fails = 0; } else fails++;
            }
            if (population.Count == 0)
                throw new InvalidOperationException($"no legal genome found in {config.MaxRandomTries} draws under the FLOPs limit {config.FlopsLimit}" +
                    (config.ParamsLimit < double.MaxValue ? $" and the params limit {config.ParamsLimit}" : ""));
            return population.ToArray();
        }
    }
}
