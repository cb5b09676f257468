// Parameter counts of the built evaluation network (methods.md §1.8), and structural rules of §1.7.
using Nas.Systems.Genotypes;
using Nas.Systems.Spaces.Darts;
using Nas.Systems.Spaces.Eval;
using Nas.Systems.Train;
using Nas.Torch;

namespace Nas.Systems.Tests.Train;

[Collection(LiveTensorCollection.Name)] // one test reads the process-wide live-tensor count
public sealed class EvalNetworkTests
{
    internal const string DartsV2 =
        "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), " +
        "('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), " +
        "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), " +
        "('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])";

    [Fact]
    public void DartsV2With20CellsAnd36ChannelsHasTheCountedParametersOnItsTensors()
    {
        var genotype = GenotypeText.Parse(DartsV2);
        var layout = EvalNetwork.LayoutFor(genotype, layers: 20, channels: 36, inputChannels: 3, inputSize: 32, classes: 10);
        using var g = new Generator(0);
        using var net = EvalNetwork.Create(layout, genotype, g, auxiliary: true);
        // 3,349,342: methods.md §1.8 (the paper's "3.3M"); the head (8x8 map at cell 13) is excluded from the count.
        Assert.Equal(3_349_342, net.ParameterCount());
        Assert.Equal(Counting.EvalNetwork(layout, genotype).Params, net.ParameterCount());
        Assert.NotNull(net.Auxiliary);
        Assert.Equal(new AuxPool(false, 3), net.Auxiliary!.Pool);
    }

    [Theory]
    [InlineData(28, 7, false, 2)]
    [InlineData(32, 8, false, 3)]
    [InlineData(16, 4, true, 0)]
    public void TheAuxiliaryHeadPoolsTheMapAfterCellTwoThirdsToTwoByTwo(int input, int map, bool adaptive, int stride)
    {
        var genotype = GenotypeText.Parse(DartsV2);
        var layout = EvalNetwork.LayoutFor(genotype, layers: 5, channels: 4, inputChannels: 1, inputSize: input, classes: 10);
        Assert.Equal(map, layout.Cells()[2 * 5 / 3].OutputSize);
        Assert.Equal(new AuxPool(adaptive, stride), AuxPool.For(map));
        using var g = new Generator(0);
        using var net = EvalNetwork.Create(layout, genotype, g, auxiliary: true);
        using var x = Tensor.Randn([2, 1, input, input], g);
        using var scope = new TensorScope();
        var (_, aux) = net.Forward(x, training: true, scope);
        Assert.Equal([2L, 10L], aux!.Shape);
    }

    [Fact]
    public void ADisposedNetworkLeavesNoLiveTensors()
    {
        var before = Tensor.LiveCount;
        var genotype = GenotypeText.Parse(DartsV2);
        var layout = EvalNetwork.LayoutFor(genotype, layers: 5, channels: 4, inputChannels: 1, inputSize: 28, classes: 10);
        using (var g = new Generator(0))
        using (var net = EvalNetwork.Create(layout, genotype, g, auxiliary: true))
            Assert.True(Tensor.LiveCount > before);
        Assert.Equal(before, Tensor.LiveCount);
    }
}
