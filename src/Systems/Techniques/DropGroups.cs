// DropNAS grouped operation dropout (methods.md §5.2, §5.3): the op groups, the per-op drop probability, and mask sampling with rejection.
using Nas.Components;
using Nas.Systems.Spaces.Darts;
using Nas.World;

namespace Nas.Systems.Techniques;

/// <summary>Which columns of an alpha row form each drop group, and each group's per-op drop probability p = r^(1/|G|).</summary>
public sealed record DropGroups(IReadOnlyList<int[]> Members, IReadOnlyList<double> DropProbability, int OpCount)
{
    /// <summary>
    /// Two groups for any op order (§5.2): parameterised ops (the convolutions), then the parameter-free ones (pools, skip, none;
    /// none belongs here). Empty groups are left out. r may differ per group (the README's r_p / r_np grid).
    /// </summary>
    public static DropGroups For(IReadOnlyList<OpKind> ops, double rateParameterised, double rateParameterFree)
    {
        CheckRate(rateParameterised, nameof(rateParameterised));
        CheckRate(rateParameterFree, nameof(rateParameterFree));
        var parameterised = Enumerable.Range(0, ops.Count).Where(o => !ops[o].IsParameterFree()).ToArray();
        var free = Enumerable.Range(0, ops.Count).Where(o => ops[o].IsParameterFree()).ToArray();
        var members = new List<int[]>();
        var probabilities = new List<double>();
        foreach (var (group, rate) in new[] { (parameterised, rateParameterised), (free, rateParameterFree) })
        {
            if (group.Length == 0) continue;
            members.Add(group);
            probabilities.Add(OpDropProbability(rate, group.Length));
        }
        return new DropGroups(members, probabilities, ops.Count);
    }

    public static DropGroups For(IReadOnlyList<OpKind> ops, double rate) => For(ops, rate, rate);

    /// <summary>p = r^(1/|G|): r is the chance that a whole group would be dropped before resampling. 3e-5 with |G| = 4 gives 0.0740.</summary>
    public static double OpDropProbability(double rate, int groupSize)
    {
        CheckRate(rate, nameof(rate));
        if (groupSize < 1) throw new ArgumentOutOfRangeException(nameof(groupSize), groupSize, "a group needs at least one op");
        return rate == 0 ? 0 : Math.Pow(rate, 1.0 / groupSize);
    }

    /// <summary>The drop rate per op after rejection resampling: (p − p^n)/(1 − p^n) for a group of n ops (§5.3).</summary>
    public static double EffectiveOpDropRate(double p, int groupSize) =>
        groupSize == 1 ? 0 : (p - Math.Pow(p, groupSize)) / (1 - Math.Pow(p, groupSize));

    private static void CheckRate(double rate, string name)
    {
        if (!(rate >= 0 && rate < 1))
            throw new ArgumentOutOfRangeException(name, rate, "the DropNAS drop rate r must be in [0, 1): at 1 every op would be dropped forever");
    }
}

/// <summary>The op orders of DropNAS's search-space variants (§5.2); groups follow from <see cref="DropGroups.For(IReadOnlyList{OpKind}, double)"/>.</summary>
public static class DropNasSpaces
{
    public static IReadOnlyList<OpKind> Original => OpKinds.DropNasOrder;

    /// <summary>"1-skip": the two pools removed, so the parameter-free group is {skip, none}.</summary>
    public static readonly IReadOnlyList<OpKind> OneSkip =
        [OpKind.SepConv3x3, OpKind.SepConv5x5, OpKind.DilConv3x3, OpKind.DilConv5x5, OpKind.SkipConnect, OpKind.None];

    /// <summary>"3-skip": the two pools replaced by two more skip_connect copies (three separate skip ops with their own alphas).</summary>
    public static readonly IReadOnlyList<OpKind> ThreeSkip =
        [OpKind.SepConv3x3, OpKind.SepConv5x5, OpKind.DilConv3x3, OpKind.DilConv5x5, OpKind.SkipConnect, OpKind.SkipConnect, OpKind.SkipConnect, OpKind.None];
}

/// <summary>Draws DropNAS keep-masks (§5.3); the masks of a step are the <c>DropMasks</c> resource.</summary>
public static class DropMaskSampler
{
    /// <summary>
    /// One kept-mask row for one edge: each op kept with probability 1 − p of its group; a group whose ops all came out dropped is
    /// redrawn whole until one survives (§5.3). Draw order: groups in order, ops in group order — as the reference's per-edge lists.
    /// </summary>
    public static bool[] SampleEdge(DropGroups groups, Rng rng)
    {
        var kept = new bool[groups.OpCount];
        for (var g = 0; g < groups.Members.Count; g++)
        {
            var members = groups.Members[g];
            var p = groups.DropProbability[g];
            bool any;
            do
            {
                any = false;
                foreach (var o in members)
                {
                    // The reference keeps an op when random() > p.
                    kept[o] = rng.NextDouble() > p;
                    any |= kept[o];
                }
            } while (!any);
        }
        return kept;
    }

    /// <summary>Masks for every edge of one cell type, drawn once per step and shared by all cells of that type (§5.3 rule 3).</summary>
    public static bool[][] Sample(DropGroups groups, int edges, Rng rng)
    {
        var masks = new bool[edges][];
        for (var e = 0; e < edges; e++) masks[e] = SampleEdge(groups, rng);
        return masks;
    }

    /// <summary>All ops kept: the mask during warm-up epochs (drop rate 0).</summary>
    public static bool[][] KeepAll(int edges, int ops) =>
        Enumerable.Range(0, edges).Select(_ => Enumerable.Repeat(true, ops).ToArray()).ToArray();

    public static bool AnyDropped(IReadOnlyList<bool> kept) => kept.Any(k => !k);
}
