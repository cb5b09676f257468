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

public static class Evolution
{
    /// <summary>Generation 0: a random legal population of size P.</summary>
    public static EvolutionState Start(EvolutionConfig config, IChoiceSpace space, Func<int[], double> fitness, ulong seed)
    {
        var run = new Run(config, space, fitness, new SplitMix64(seed), []);
        var population = run.FillRandom([]);
        return new EvolutionState(0, run.Rng.State, population, [], run.Evaluated.ToArray(), []);
    }

    public static bool Done(EvolutionState state, EvolutionConfig config) => state.Generation >= config.Generations;

    /// <summary>
    /// One generation: merge the population into the top-k archive (stable sort, archive first), record stats,
    /// then up to 25 mutants (≤ 250 attempts) and 25 crossovers (≤ 250 attempts) of archive members, topped up
    /// with random legal genomes to P. The input state is not modified.
    /// </summary>
    public static EvolutionState Step(EvolutionState state, EvolutionConfig config, IChoiceSpace space, Func<int[], double> fitness)
    {
        if (state.Population.Length == 0) throw new InvalidOperationException("the population is empty");
        var run = new Run(config, space, fitness, new SplitMix64(state.RngState), state.Evaluated);
        var topK = state.TopK.Concat(state.Population).OrderBy(c => c.Fitness).Take(config.TopK).ToArray();
        var stats = new GenerationStats(state.Generation, topK[0].Fitness, state.Population.Average(c => c.Fitness), state.Evaluated.Length);

        var children = new List<Candidate>();
        for (int attempts = 0; children.Count < config.Mutations && attempts < config.MutationAttempts; attempts++)
        {
            var g = Mutate(run.Rng.Pick(topK).Genes, space, config.MutationProb, ref run.Rng);
            if (run.TryEvaluate(g) is { } c) children.Add(c);
        }
        int crossed = 0;
        for (int attempts = 0; crossed < config.Crossovers && attempts < config.CrossoverAttempts; attempts++)
        {
            var p1 = run.Rng.Pick(topK).Genes;
            var p2 = run.Rng.Pick(topK).Genes; // may be p1, as in SPOS
            var g = Crossover(p1, p2, ref run.Rng);
            if (run.TryEvaluate(g) is { } c) { children.Add(c); crossed++; }
        }
        var population = run.FillRandom(children);
        return new EvolutionState(state.Generation + 1, run.Rng.State, population, topK, run.Evaluated.ToArray(), [.. state.History, stats]);
    }

    public static EvolutionState RunAll(EvolutionConfig config, IChoiceSpace space, Func<int[], double> fitness, ulong seed)
    {
        var state = Start(config, space, fitness, seed);
        while (!Done(state, config)) state = Step(state, config, space, fitness);
        return state;
    }

    /// <summary>A copy of the parent where each gene, with probability p, is redrawn uniformly from its layer's choices (possibly the same).</summary>
    public static int[] Mutate(int[] parent, IChoiceSpace space, double p, ref SplitMix64 rng)
    {
        var g = (int[])parent.Clone();
        for (int l = 0; l < g.Length; l++)
            if (rng.NextDouble() < p) g[l] = rng.Pick(space.Choices(l));
        return g;
    }

    /// <summary>Each gene from one parent or the other with probability 1/2, independently (uniform crossover).</summary>
    public static int[] Crossover(int[] p1, int[] p2, ref SplitMix64 rng)
    {
        var g = new int[p1.Length];
        for (int l = 0; l < g.Length; l++) g[l] = rng.NextInt(2) == 0 ? p1[l] : p2[l];
        return g;
    }

    /// <summary>The k best of everything evaluated, ties in evaluation order (§1.5's return value).</summary>
    public static Candidate[] Best(EvolutionState state, int k) => state.Evaluated.OrderBy(c => c.Fitness).Take(k).ToArray();

    /// <summary>One generation's working set: the RNG and the memo, rebuilt from the state.</summary>
    private sealed class Run(EvolutionConfig config, IChoiceSpace space, Func<int[], double> fitness, SplitMix64 rng, Candidate[] evaluated)
    {
        public SplitMix64 Rng = rng;
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
                var g = ChoiceSpaces.Uniform(space, ref Rng);
                if (TryEvaluate(g) is { } c) { population.Add(c); fails = 0; } else fails++;
            }
            if (population.Count == 0)
                throw new InvalidOperationException($"no legal genome found in {config.MaxRandomTries} draws under the FLOPs limit {config.FlopsLimit}" +
                    (config.ParamsLimit < double.MaxValue ? $" and the params limit {config.ParamsLimit}" : ""));
            return population.ToArray();
        }
    }
}
