// The seeded random genotype of the found-vs-random comparison (issue 16 item 3): the DARTS form a stacked or broad search derives.
using Nas.Components;
using Nas.World;

namespace Nas.Systems.Genotypes;

/// <summary>
/// A genotype drawn uniformly from the form <see cref="Derivation.Of"/> gives (both the stacked and the broad search derive it):
/// for each cell type and each intermediate node j, two distinct inputs (a pair of the j + 2 earlier states, uniform over the
/// pairs) and for each an op uniform over <see cref="Ops"/>; every node concatenated. The op set is the searches' (the DARTS
/// order) without `none`, which derivation never picks and no evaluation cell can build. The same seed gives the same genotype.
/// </summary>
public static class RandomGenotype
{
    public static IReadOnlyList<OpKind> Ops => OpKinds.GenotypeOps;

    public static Genotype Sample(ulong seed, int nodes = 4)
    {
        if (nodes < 1) throw new ArgumentOutOfRangeException(nameof(nodes), nodes, "a cell needs at least one intermediate node");
        var rng = new Rng(seed);
        var concat = Enumerable.Range(2, nodes).ToArray();
        return Genotype.Validated(new Genotype(Cell(rng, nodes), concat, Cell(rng, nodes), concat));
    }

    private static List<GenotypeEdge> Cell(Rng rng, int nodes)
    {
        var edges = new List<GenotypeEdge>(2 * nodes);
        for (var node = 0; node < nodes; node++)
        {
            // A uniform pair of distinct states among the node + 2 earlier ones: the first uniform, the second uniform among the rest.
            var states = node + 2;
            var first = rng.NextInt(states);
            var second = rng.NextInt(states - 1);
            if (second >= first) second++;
            if (second < first) (first, second) = (second, first);
            edges.Add(new GenotypeEdge(Ops[rng.NextInt(Ops.Count)], first));
            edges.Add(new GenotypeEdge(Ops[rng.NextInt(Ops.Count)], second));
        }
        return edges;
    }
}
