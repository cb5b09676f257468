// NAS-Bench-201 as a choice space for the evolutionary search: 6 edge genes of 5 ops, FLOPs from the skeleton.
using Nas.Systems.OneShot.Search;

namespace Nas.Systems.OneShot.NasBench201;

public sealed class Nb201Space(Nb201Layout layout) : IChoiceSpace
{
    private static readonly int[] AllOps = [0, 1, 2, 3, 4];

    public Nb201Layout Layout { get; } = layout;
    public int Layers => Nb201Cell.EdgeCount;
    public IReadOnlyList<int> Choices(int layer) => AllOps;
    public void Canonicalize(Span<int> genome) { }
    public double Flops(ReadOnlySpan<int> genome) => Nb201Network.NetworkCost(genome, Layout).Macs;

    /// <summary>FLOPs one edge's op adds to the whole network (every stage's cells share the genotype), for the knapsack.</summary>
    public long EdgeFlops(int op) =>
        Layout.Stages.Sum(s => s.Cells * Nb201Network.EdgeCost((Nb201Op)op, s.Channels, s.Size).Macs);
}
