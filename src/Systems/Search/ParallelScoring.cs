// Data-parallel candidate scoring for the evolutionary search: each rank scores a slice of a generation's candidates, all get every score.
using Nas.Torch;

namespace Nas.Systems.Search;

public static class ParallelScoring
{
    /// <summary>
    /// A fitness that answers from scores computed across the ranks. <paramref name="generation"/> runs the generation with a
    /// given fitness; its candidates must not depend on the fitness values within the generation (true of §1.5's evolution:
    /// parents come from the previous top-k, legality from keys and FLOPs). A first run with a recording stand-in lists the
    /// candidates in order; rank r scores candidates r, r + N, r + 2N, ...; one float64 all-reduce (the others add 0, so the
    /// sums are exact) gives every rank every score. The returned fitness looks scores up by <paramref name="key"/>.
    /// </summary>
    public static Func<int[], double> Split(ProcessGroup group, Action<Func<int[], double>> generation, Func<int[], double> fitness, Func<int[], string> key)
    {
        var planned = new List<int[]>();
        generation(g => { planned.Add((int[])g.Clone()); return 0; });
        var scores = new double[planned.Count];
        for (var i = group.Rank; i < planned.Count; i += group.WorldSize) scores[i] = fitness(planned[i]);
        if (scores.Length > 0)
        {
            using var t = Tensor.FromSpan(scores, [scores.Length]);
            group.AllReduce([t], ReduceMode.Sum);
            scores = t.ToDoubleArray();
        }
        var byKey = new Dictionary<string, double>();
        for (var i = 0; i < planned.Count; i++) byKey[key(planned[i])] = scores[i];
        return g => byKey.TryGetValue(key(g), out var s) ? s
            : throw new InvalidOperationException($"candidate [{string.Join(",", g)}] was not in the generation's plan: its candidates depend on fitness values");
    }
}
