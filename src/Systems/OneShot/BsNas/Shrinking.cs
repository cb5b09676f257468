// BS-NAS shrinking (§4.4 [I], schedule defaults from ABS [C]): score options, turn off the D worst, stop at 10^6.
using Nas.Components;

namespace Nas.Systems.OneShot.BsNas;

public enum OptionKind { Op, Width }

/// <summary>One option of one layer: an op gene (−1..5) or a width index.</summary>
public readonly record struct OptionKey(int Layer, OptionKind Kind, int Value);

/// <summary>ABS's schedule [C]: a first stage of 100 epochs, then 5-epoch stages, D = 7 removals, stop at ≤ 10^6 archs.</summary>
public sealed record ShrinkSchedule(int FirstStageEpochs = 100, int LaterStageEpochs = 5, int RemovePerStage = 7, double StopAtSize = 1e6, int SubnetsPerRanking = 1000)
{
    /// <summary>The scaled-down schedule for Fashion-MNIST (§4.4): 10 epochs, then 1 per stage.</summary>
    public static ShrinkSchedule FashionMnist => new(10, 1);

    /// <summary>True when a shrink happens after <paramref name="epochsDone"/> completed epochs.</summary>
    public bool IsStageEnd(int epochsDone) =>
        epochsDone >= FirstStageEpochs && (epochsDone - FirstStageEpochs) % LaterStageEpochs == 0;
}

public static class Shrinking
{
    /// <summary>
    /// Active-space size: Σ over a layer's active non-identity ops × its active widths, plus 1 if identity is on,
    /// multiplied over layers (identity has no width of its own).
    /// </summary>
    public static double SpaceSize(ActiveOptions a)
    {
        double n = 1;
        for (int l = 0; l < a.Ops.Length; l++)
        {
            int ops = a.Ops[l].Count(o => o >= 0);
            n *= ops * a.Widths[l].Length + (a.Ops[l].Contains(-1) ? 1 : 0);
        }
        return n;
    }

    public static bool ShouldStop(ActiveOptions a, ShrinkSchedule s) => SpaceSize(a) <= s.StopAtSize;

    /// <summary>
    /// q(x) = mean score (accuracy, or angle) of the sampled subnets that used option x (§4.4 step 3). An identity
    /// layer credits its op only: it uses no width of its own.
    /// </summary>
    public static Dictionary<OptionKey, double> OptionMeans(IEnumerable<(int[] Genome, double Score)> samples)
    {
        var sums = new Dictionary<OptionKey, (double Sum, int Count)>();
        void Add(OptionKey k, double acc) { sums.TryGetValue(k, out var s); sums[k] = (s.Sum + acc, s.Count + 1); }
        foreach (var (genome, acc) in samples)
            for (int l = 0; l < genome.Length; l++)
            {
                int op = BsNasGene.Op(genome[l]);
                Add(new OptionKey(l, OptionKind.Op, op), acc);
                if (op >= 0) Add(new OptionKey(l, OptionKind.Width, BsNasGene.Width(genome[l])), acc);
            }
        return sums.ToDictionary(kv => kv.Key, kv => kv.Value.Sum / kv.Value.Count);
    }

    /// <summary>
    /// The D options to turn off (§4.4 steps 4–5): z-score every scored active option within its group (one layer's
    /// ops, or one layer's widths; population σ; σ = 0 gives z = 0) [I], then take the lowest z globally, ties in
    /// (layer, kind, value) order, never leaving a group with fewer than one active option. Unscored options stay.
    /// With <paramref name="zScore"/> false the raw q is ranked instead (ABS's angle rule: the smallest angles go).
    /// </summary>
    public static List<OptionKey> ChooseToPrune(ActiveOptions active, IReadOnlyDictionary<OptionKey, double> q, int d, bool zScore = true)
    {
        var scored = new List<(OptionKey Key, double Z)>();
        var remaining = new Dictionary<(int, OptionKind), int>();
        for (int l = 0; l < active.Ops.Length; l++)
            foreach (var (kind, values) in new[] { (OptionKind.Op, active.Ops[l]), (OptionKind.Width, active.Widths[l]) })
            {
                remaining[(l, kind)] = values.Length;
                var group = values.Order().Select(v => new OptionKey(l, kind, v)).Where(q.ContainsKey).ToList();
                if (group.Count == 0) continue;
                double mean = group.Average(k => q[k]);
                double sd = Math.Sqrt(group.Sum(k => (q[k] - mean) * (q[k] - mean)) / group.Count);
                scored.AddRange(group.Select(k => (k, !zScore ? q[k] : sd == 0 ? 0 : (q[k] - mean) / sd)));
            }
        var pruned = new List<OptionKey>();
        foreach (var (key, _) in scored.OrderBy(s => s.Z)) // stable: ties keep (layer, kind, value) order
        {
            if (pruned.Count == d) break;
            var g = (key.Layer, key.Kind);
            if (remaining[g] <= 1) continue;
            remaining[g]--;
            pruned.Add(key);
        }
        return pruned;
    }

    public static ActiveOptions Apply(ActiveOptions active, IReadOnlyCollection<OptionKey> pruned) => new(
        active.Ops.Select((ops, l) => ops.Where(o => !pruned.Contains(new OptionKey(l, OptionKind.Op, o))).ToArray()).ToArray(),
        active.Widths.Select((ws, l) => ws.Where(w => !pruned.Contains(new OptionKey(l, OptionKind.Width, w))).ToArray()).ToArray());
}
