// The DARTS cell space as a choice space for the one-shot evolution (issue 15 item 6): per cell type and node, two inputs and their ops.
using Nas.Components;
using Nas.Systems.Genotypes;
using Nas.Systems.OneShot.Search;
using Nas.Systems.Spaces.Darts;
using Nas.Systems.Spaces.Eval;

namespace Nas.Systems.OneShot.Darts;

/// <summary>
/// A genome names a DARTS-form genotype (methods.md §1.6): for each cell type (normal, then reduce; every cell of a type
/// shares it, as DARTS shares α) and each intermediate node j = 0..<see cref="Nodes"/>−1, three genes: the pair of inputs
/// (an index into the C(j+2, 2) pairs of distinct earlier states, in <see cref="InputPairs"/> order) and the op of the
/// smaller and of the larger input, each an index into <see cref="Ops"/> (the DARTS op set without `none`, which an
/// evaluation cell cannot use). Every genome is a distinct genotype up to the order of a node's two pairs, which the
/// genome fixes (smaller input first), so nothing needs canonicalizing. FLOPs (MACs) and params are those of the
/// evaluation network <paramref name="network"/> builds for the genotype (`nas train`, `nas info --genotype`): §1.8's
/// counts, affine BN, the auxiliary head excluded.
/// </summary>
public sealed class DartsCellSpace : IChoiceSpace
{
    /// <summary>The candidate ops in the DARTS order, `none` left out; a gene is an index into this list.</summary>
    public static IReadOnlyList<OpKind> Ops => OpKinds.GenotypeOps;

    public const int GenesPerNode = 3;

    private readonly int[][] _choices;
    private (double Flops, double Params)? _smallest;

    public DartsCellSpace(EvalNetworkSpec network, int nodes = 4)
    {
        if (network.Space != SearchSpace.Stacked)
            throw new ArgumentException($"the DARTS cell space counts the stacked evaluation network, got space {network.Space.ToString().ToLowerInvariant()}");
        if (nodes < 1) throw new ArgumentException($"a DARTS cell needs at least one intermediate node, got {nodes}");
        Network = network;
        Nodes = nodes;
        _choices = new int[Layers][];
        for (var l = 0; l < Layers; l++)
            _choices[l] = Enumerable.Range(0, l % GenesPerNode == 0 ? InputPairs(l / GenesPerNode % nodes).Count : Ops.Count).ToArray();
        // A genotype the network cannot take (odd map halvings, widths) fails here once, naming why, not in the evolution.
        network.Check(Decode(new int[Layers]));
    }

    public EvalNetworkSpec Network { get; }
    public int Nodes { get; }

    /// <summary>2 cell types × nodes × (input pair, first op, second op).</summary>
    public int Layers => 2 * Nodes * GenesPerNode;

    public IReadOnlyList<int> Choices(int layer) => _choices[layer];

    public void Canonicalize(Span<int> genome) { }

    public double Flops(ReadOnlySpan<int> genome) => Network.Cost(Decode(genome)).Macs;

    public double Params(ReadOnlySpan<int> genome) => Network.Cost(Decode(genome)).Params;

    /// <summary>
    /// The counts are a sum over the genotype's pairs plus a part that does not depend on it (stem, preprocessing, head), so
    /// each node's cheapest choice can be found on its own: the smallest genome is exact, measure by measure.
    /// </summary>
    public (double Flops, double Params) Smallest()
    {
        if (_smallest is { } s) return s;
        var baseGenome = new int[Layers];
        var baseCost = Network.Cost(Decode(baseGenome));
        long flops = baseCost.Macs, parameters = baseCost.Params;
        for (var block = 0; block < 2 * Nodes; block++)
        {
            long bestF = long.MaxValue, bestP = long.MaxValue;
            var g = (int[])baseGenome.Clone();
            var at = block * GenesPerNode;
            foreach (var pair in _choices[at])
                foreach (var a in _choices[at + 1])
                    foreach (var b in _choices[at + 2])
                    {
                        (g[at], g[at + 1], g[at + 2]) = (pair, a, b);
                        var c = Network.Cost(Decode(g));
                        bestF = Math.Min(bestF, c.Macs - baseCost.Macs);
                        bestP = Math.Min(bestP, c.Params - baseCost.Params);
                    }
            flops += bestF;
            parameters += bestP;
        }
        _smallest = (flops, parameters);
        return _smallest.Value;
    }

    /// <summary>The pairs of distinct inputs node <paramref name="node"/> can take, (smaller, larger), lexicographic: C(node+2, 2) of them.</summary>
    public static IReadOnlyList<(int First, int Second)> InputPairs(int node)
    {
        var pairs = new List<(int, int)>();
        for (var i = 0; i < node + 2; i++)
            for (var k = i + 1; k < node + 2; k++) pairs.Add((i, k));
        return pairs;
    }

    /// <summary>The genotype a genome names; every intermediate node is concatenated (DARTS's concat = range(2, 2 + nodes)).</summary>
    public Genotype Decode(ReadOnlySpan<int> genome)
    {
        if (genome.Length != Layers) throw new ArgumentException($"a DARTS-space genome has {Layers} genes, got {genome.Length}");
        var cells = new List<GenotypeEdge>[2];
        for (var t = 0; t < 2; t++)
        {
            cells[t] = [];
            for (var node = 0; node < Nodes; node++)
            {
                var at = (t * Nodes + node) * GenesPerNode;
                var pairs = InputPairs(node);
                if ((uint)genome[at] >= (uint)pairs.Count || (uint)genome[at + 1] >= (uint)Ops.Count || (uint)genome[at + 2] >= (uint)Ops.Count)
                    throw new ArgumentException($"gene {at}..{at + 2} ({genome[at]}, {genome[at + 1]}, {genome[at + 2]}) is out of range for node {node}: " +
                        $"{pairs.Count} input pairs, {Ops.Count} ops");
                var (first, second) = pairs[genome[at]];
                cells[t].Add(new GenotypeEdge(Ops[genome[at + 1]], first));
                cells[t].Add(new GenotypeEdge(Ops[genome[at + 2]], second));
            }
        }
        var concat = Enumerable.Range(2, Nodes).ToArray();
        return Genotype.Validated(new Genotype(cells[0], concat, cells[1], concat));
    }

    /// <summary>
    /// The genome of a genotype of this space: two pairs per node on distinct inputs, no `none`, all nodes concatenated.
    /// Anything else is refused naming the cell, node and what is wrong.
    /// </summary>
    public int[] Encode(Genotype genotype)
    {
        var genome = new int[Layers];
        var lists = new[] { ("normal", genotype.Normal, genotype.NormalConcat), ("reduce", genotype.Reduce, genotype.ReduceConcat) };
        for (var t = 0; t < 2; t++)
        {
            var (name, edges, concat) = lists[t];
            if (edges.Count != 2 * Nodes) throw new ArgumentException($"{name}: the DARTS cell space has {Nodes} nodes of two pairs, got {edges.Count} pairs");
            if (!concat.SequenceEqual(Enumerable.Range(2, Nodes)))
                throw new ArgumentException($"{name}_concat: the DARTS cell space concatenates every node ({string.Join(", ", Enumerable.Range(2, Nodes))}), got {string.Join(", ", concat)}");
            for (var node = 0; node < Nodes; node++)
            {
                var (x, y) = (edges[2 * node], edges[2 * node + 1]);
                if (x.Input == y.Input) throw new ArgumentException($"{name}: node {node} takes input {x.Input} twice; the space picks two distinct inputs");
                if (x.Input > y.Input) (x, y) = (y, x);
                var at = (t * Nodes + node) * GenesPerNode;
                genome[at] = InputPairs(node).ToList().IndexOf((x.Input, y.Input));
                if (genome[at] < 0) throw new ArgumentException($"{name}: node {node} takes inputs {x.Input} and {y.Input}, but only 0..{node + 1} exist");
                genome[at + 1] = OpIndex(x.Op, name, node);
                genome[at + 2] = OpIndex(y.Op, name, node);
            }
        }
        return genome;
    }

    private static int OpIndex(OpKind op, string cell, int node)
    {
        for (var i = 0; i < Ops.Count; i++) if (Ops[i] == op) return i;
        throw new ArgumentException($"{cell}: node {node} uses op {op}, which is not in the DARTS cell space ({string.Join(", ", Ops)})");
    }
}
