// NAS-Bench-201 as a choice space for the evolutionary search: 6 edge genes of 5 ops, FLOPs from the skeleton.
using Nas.Components;
using Nas.Systems.OneShot.Search;

namespace Nas.Systems.OneShot.NasBench201;

/// <summary>
/// <paramref name="dedupe"/> makes the evolution evaluate one cell per equivalence class (<see cref="Nb201Isomorphism"/>):
/// the first member it meets stands for the class. Genomes are not rewritten, so FLOPs and fitness are the drawn cell's.
/// </summary>
public sealed class Nb201Space(Nb201Layout layout, Nb201Dedupe dedupe = Nb201Dedupe.None) : IChoiceSpace
{
    private static readonly int[] AllOps = [0, 1, 2, 3, 4];

    public Nb201Layout Layout { get; } = layout;
    public Nb201Dedupe Dedupe { get; } = dedupe;
    public int Layers => Nb201Cell.EdgeCount;
    public IReadOnlyList<int> Choices(int layer) => AllOps;
    public void Canonicalize(Span<int> genome) { }
    public double Flops(ReadOnlySpan<int> genome) => Nb201Network.NetworkCost(genome, Layout).Macs;
    public double Params(ReadOnlySpan<int> genome) => Nb201Network.NetworkCost(genome, Layout).Params;

    /// <summary>Every edge op costs at least as much as `none` (0), so the all-`none` cell is the smallest in both measures.</summary>
    public (double Flops, double Params) Smallest()
    {
        var cost = Nb201Network.NetworkCost(new int[Nb201Cell.EdgeCount], Layout);
        return (cost.Macs, cost.Params);
    }
    public string Key(ReadOnlySpan<int> genome) => Dedupe == Nb201Dedupe.None ? ChoiceSpaces.Key(genome) : Nb201Isomorphism.Key(genome, Dedupe);

    /// <summary>FLOPs one edge's op adds to the whole network (every stage's cells share the genotype), for the knapsack.</summary>
    public long EdgeFlops(int op) =>
        Layout.Stages.Sum(s => s.Cells * Nb201Network.EdgeCost((Nb201Op)op, s.Channels, s.Size).Macs);
}
