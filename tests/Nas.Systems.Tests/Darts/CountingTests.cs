// Parameter counts against the published figures of methods.md §1.8.
using Nas.Components;
using Nas.Systems.Genotypes;
using Nas.Systems.Spaces.Darts;

namespace Nas.Systems.Tests.Darts;

public sealed class CountingTests
{
    internal const string DartsV2 =
        "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])";

    internal const string PcDartsCifar =
        "Genotype(normal=[('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 0), ('dil_conv_3x3', 1), ('sep_conv_5x5', 0), ('sep_conv_3x3', 1), ('avg_pool_3x3', 0), ('dil_conv_3x3', 1)], normal_concat=range(2, 6), reduce=[('sep_conv_5x5', 1), ('max_pool_3x3', 0), ('sep_conv_5x5', 1), ('sep_conv_5x5', 2), ('sep_conv_3x3', 0), ('sep_conv_3x3', 3), ('sep_conv_3x3', 1), ('sep_conv_3x3', 2)], reduce_concat=range(2, 6))";

    [Fact]
    public void TheDartsSearchSupernetHasThePublishedParameterCount()
    {
        var layout = new StackedLayout(Layers: 8, Channels: 16, InputChannels: 3, InputSize: 32, Classes: 10);
        Assert.Equal(1_930_618, Counting.SearchNetwork(layout, OpKinds.DartsOrder).Params);
    }

    [Fact]
    public void ThePcDartsSearchSupernetWithKFourHasThePublishedParameterCount()
    {
        var layout = new StackedLayout(Layers: 8, Channels: 16, InputChannels: 3, InputSize: 32, Classes: 10);
        Assert.Equal(299_578, Counting.SearchNetwork(layout, OpKinds.DartsOrder, partialK: 4).Params);
    }

    [Fact]
    public void TheDropNasSearchSupernetHasThePublishedParameterCount()
    {
        var layout = new StackedLayout(Layers: 14, Channels: 16, InputChannels: 3, InputSize: 32, Classes: 10);
        Assert.Equal(3_239_674, Counting.SearchNetwork(layout, OpKinds.DropNasOrder).Params);
    }

    [Theory]
    [InlineData(DartsV2, 10, 3_349_342)]
    [InlineData(DartsV2, 100, 3_401_272)]
    [InlineData(PcDartsCifar, 10, 3_634_678)]
    public void EvaluationNetworksHaveThePublishedParameterCounts(string genotype, int classes, long expected)
    {
        var layout = new StackedLayout(Layers: 20, Channels: 36, InputChannels: 3, InputSize: 32, Classes: classes);
        Assert.Equal(expected, Counting.EvalNetwork(layout, GenotypeText.Parse(genotype)).Params);
    }

    [Fact]
    public void ASepConvCountsItsMacsAtEachConvolutionsOutputSize()
    {
        // By hand for C=16, stride 2 on 32x32: dw 3x3 at 16x16 (16*16*16*9) + pw (16*16*16*16), then the same again at 16x16.
        var cost = OpLayers.OpCost(OpKind.SepConv3x3, 16, 2, 32, 32, affine: true, bnAfterPool: false);
        Assert.Equal(2 * (16L * 16 * 16 * 9 + 16L * 16 * 16 * 16), cost.Macs);
        Assert.Equal(2 * (9 * 16 + 16 * 16 + 2 * 16), cost.Params);
    }
}
