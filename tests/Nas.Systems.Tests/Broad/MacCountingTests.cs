// Forward MAC counts per 32x32 image against the [count] figures of methods.md §0 and §4.2 (edges from intermediate nodes of a reduction cell run at the output resolution).
using Nas.Components;
using Nas.Systems.Spaces.Broad;
using Nas.Systems.Spaces.Darts;

namespace Nas.Systems.Tests.Broad;

public sealed class MacCountingTests
{
    // methods.md quotes these as "≈" whole millions (ours include the classifier's few thousand MACs); we measure 113.68 M, 30.3 M,
    // 300.3 M and 56.6 M, so the tolerance is ±1 M.
    private const double Tolerance = 1e6;

    [Theory]
    [InlineData(1, 113e6)]
    [InlineData(4, 30e6)]
    public void TheBcnnSearchSupernetCostsThePublishedMacs(int partialK, double expected)
    {
        var layout = new BroadSearchLayout(Channels: 16, ConvBlocks: 2, EnhancementCells: 1, InputChannels: 3, InputSize: 32, Classes: 10);
        Assert.InRange(BroadCounting.SearchNetwork(layout, OpKinds.DartsOrder, partialK).Macs, expected - Tolerance, expected + Tolerance);
    }

    [Theory]
    [InlineData(1, 300e6)]
    [InlineData(4, 57e6)]
    public void TheDartsSearchSupernetCostsThePublishedMacs(int partialK, double expected)
    {
        var layout = new StackedLayout(Layers: 8, Channels: 16, InputChannels: 3, InputSize: 32, Classes: 10);
        Assert.InRange(Counting.SearchNetwork(layout, OpKinds.DartsOrder, partialK).Macs, expected - Tolerance, expected + Tolerance);
    }

    [Fact]
    public void AnEdgeFromAnIntermediateNodeOfAReductionCellRunsAtTheOutputSize()
    {
        var cell = new CellLayout(Index: 0, Reduction: true, ReductionPrev: false, CPrevPrev: 48, CPrev: 48, C: 32, InputSize: 32);
        Assert.Equal((2, 32), BroadCounting.EdgeInput(cell, 1));
        Assert.Equal((1, 16), BroadCounting.EdgeInput(cell, 2));
    }
}
