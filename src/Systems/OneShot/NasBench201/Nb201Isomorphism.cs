// When two NAS-Bench-201 cells are the same architecture (§5.1, §7 V8): dead-edge pruning, a canonical form under
// relabelling, the benchmark's own "unique" key, and a function form.
using Nas.Components;

namespace Nas.Systems.OneShot.NasBench201;

/// <summary>
/// Four ways to call two cells the same, from finest to coarsest in what they merge (counts over all 15,625 cells are
/// in docs/one-shot.md and are computed, not assumed, by the tests):
/// <list type="bullet">
/// <item><see cref="Prune"/>: an edge stays only when it lies on a path 0 → … → 3 whose edges are all non-`none`;
/// every other edge becomes `none`. This removes both edges out of nodes the input cannot reach and edges into nodes
/// that cannot reach the output.</item>
/// <item><see cref="Canonical"/>: the pruned cell, then the smaller (by enumeration index) of it and its relabelling
/// with nodes 1 and 2 swapped, which is a relabelling only when the pruned edge 1→2 is `none`.</item>
/// <item><see cref="BenchmarkKey"/>: NB-201's own rule (`Structure.to_unique_str(consider_zero=True)` in
/// `xautodl/models/cell_searchs/genotypes.py`), which gives the benchmark's 6,466 unique cells.</item>
/// <item><see cref="FunctionForm"/>: the cell's output as a sum of terms: `none` and zero inputs vanish, skips pass
/// their input's terms through, sums are multisets (they commute), and the 3×3 average pool (linear) distributes over
/// a sum; ReLU-conv-BN is applied to a whole sum.</item>
/// </list>
/// All four treat an op applied to an all-zero node as zero. With BatchNorm that is exact up to the BN's bias β, a
/// per-channel constant that does not depend on the input; the benchmark's rule makes the same simplification.
/// </summary>
public static class Nb201Isomorphism
{
    private const int E01 = 0, E02 = 1, E12 = 2, E03 = 3, E13 = 4, E23 = 5;
    private const int None = (int)Nb201Op.None, Skip = (int)Nb201Op.SkipConnect;

    /// <summary>The cell with every edge that lies on no all-non-`none` path from node 0 to node 3 set to `none`.</summary>
    public static int[] Prune(ReadOnlySpan<int> ops)
    {
        Nb201Cell.Format(ops); // validates the genes
        var fromInput = new bool[Nb201Cell.Nodes];
        fromInput[0] = true;
        for (int e = 0; e < Nb201Cell.EdgeCount; e++) // every edge into a node is listed before the edges out of it
        {
            var (i, j) = Nb201Cell.Edges[e];
            if (ops[e] != None && fromInput[i]) fromInput[j] = true;
        }
        var toOutput = new bool[Nb201Cell.Nodes];
        toOutput[^1] = true;
        for (int e = Nb201Cell.EdgeCount - 1; e >= 0; e--) // so in reverse, every edge out of a node comes first
        {
            var (i, j) = Nb201Cell.Edges[e];
            if (ops[e] != None && toOutput[j]) toOutput[i] = true;
        }
        var pruned = new int[Nb201Cell.EdgeCount];
        for (int e = 0; e < pruned.Length; e++)
        {
            var (i, j) = Nb201Cell.Edges[e];
            pruned[e] = fromInput[i] && toOutput[j] ? ops[e] : None;
        }
        return pruned;
    }

    /// <summary>
    /// The cell with intermediate nodes 1 and 2 renamed into each other: 0→1 ↔ 0→2 and 1→3 ↔ 2→3. Only a
    /// relabelling of the same graph when edge 1→2 is `none` (otherwise it would point backwards); refused if not.
    /// </summary>
    public static int[] SwapIntermediate(ReadOnlySpan<int> ops)
    {
        Nb201Cell.Format(ops);
        if (ops[E12] != None)
            throw new ArgumentException($"nodes 1 and 2 can only be swapped when edge 1→2 is none, it is {Nb201Cell.OpNames[ops[E12]]}");
        var s = new int[Nb201Cell.EdgeCount];
        s[E01] = ops[E02];
        s[E02] = ops[E01];
        s[E12] = None;
        s[E03] = ops[E03];
        s[E13] = ops[E23];
        s[E23] = ops[E13];
        return s;
    }

    /// <summary>The pruned cell or its 1↔2 relabelling, whichever has the smaller enumeration index.</summary>
    public static int[] Canonical(ReadOnlySpan<int> ops)
    {
        var pruned = Prune(ops);
        if (pruned[E12] != None) return pruned;
        var swapped = SwapIntermediate(pruned);
        return Nb201Cell.Index(swapped) < Nb201Cell.Index(pruned) ? swapped : pruned;
    }

    /// <summary>Same graph after pruning dead edges, up to renaming the intermediate nodes.</summary>
    public static bool Isomorphic(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => Canonical(a).AsSpan().SequenceEqual(Canonical(b));

    /// <summary>
    /// NB-201's de-duplication key: node 0 is "0"; each input of node j is "#" when its op is `none` or its source
    /// node's string is exactly "#", the source's string for `skip_connect`, else "(source)@op"; node j's string is its
    /// inputs sorted (ordinal) and joined by "+"; the key is node 3's string. A node whose inputs are all "#" reads
    /// "#+#" and is not recognised as zero downstream: that quirk is part of the benchmark's count.
    /// </summary>
    public static string BenchmarkKey(ReadOnlySpan<int> ops)
    {
        Nb201Cell.Format(ops);
        var nodes = new string[Nb201Cell.Nodes];
        nodes[0] = "0";
        for (int j = 1; j < Nb201Cell.Nodes; j++)
        {
            var inputs = new List<string>();
            for (int e = 0; e < Nb201Cell.EdgeCount; e++)
            {
                var (i, to) = Nb201Cell.Edges[e];
                if (to != j) continue;
                inputs.Add(ops[e] == None || nodes[i] == "#" ? "#" : ops[e] == Skip ? nodes[i] : $"({nodes[i]})@{Nb201Cell.OpNames[ops[e]]}");
            }
            inputs.Sort(StringComparer.Ordinal);
            nodes[j] = string.Join("+", inputs);
        }
        return nodes[^1];
    }

    /// <summary>
    /// The cell's output as a sorted sum of terms over the input "x": "c1(…)" and "c3(…)" for ReLU-conv-BN of a whole
    /// sum, "pool(t)" per term (the pool is linear), skips pass terms through, `none` and zero inputs add nothing.
    /// Multiplicity is kept (x + x is not x). An all-zero cell reads "0".
    /// </summary>
    public static string FunctionForm(ReadOnlySpan<int> ops)
    {
        Nb201Cell.Format(ops);
        var nodes = new List<string>[Nb201Cell.Nodes];
        nodes[0] = ["x"];
        for (int j = 1; j < Nb201Cell.Nodes; j++)
        {
            var terms = new List<string>();
            for (int e = 0; e < Nb201Cell.EdgeCount; e++)
            {
                var (i, to) = Nb201Cell.Edges[e];
                var input = nodes[i];
                if (to != j || ops[e] == None || input.Count == 0) continue;
                switch ((Nb201Op)ops[e])
                {
                    case Nb201Op.SkipConnect: terms.AddRange(input); break;
                    case Nb201Op.AvgPool3x3: terms.AddRange(input.Select(t => $"pool({t})")); break;
                    case Nb201Op.NorConv1x1: terms.Add($"c1({string.Join("+", input)})"); break;
                    default: terms.Add($"c3({string.Join("+", input)})"); break;
                }
            }
            terms.Sort(StringComparer.Ordinal);
            nodes[j] = terms;
        }
        return nodes[^1].Count == 0 ? "0" : string.Join("+", nodes[^1]);
    }

    /// <summary>The key two cells share exactly when they are equivalent under <paramref name="rule"/>; the arch string for None.</summary>
    public static string Key(ReadOnlySpan<int> ops, Nb201Dedupe rule) => rule switch
    {
        Nb201Dedupe.None => Nb201Cell.Format(ops),
        Nb201Dedupe.Isomorphic => Nb201Cell.Format(Canonical(ops)),
        Nb201Dedupe.Benchmark => BenchmarkKey(ops),
        Nb201Dedupe.Function => FunctionForm(ops),
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, null),
    };
}
