// The run folder's cell pictures: Graphviz dot source of a derived cell.
using Nas.App.Runs;
using Nas.Systems.Genotypes;

namespace Nas.App.Tests.Runs;

public sealed class CellPictureTests
{
    private const string DartsV2 =
        "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])";

    [Fact]
    public void TheDotPictureHasOneLabelledEdgePerPair()
    {
        var g = GenotypeText.Parse(DartsV2);
        var dot = CellPicture.Dot(g.Normal, g.NormalConcat, "normal");
        Assert.Equal(8, dot.Split('\n').Count(l => l.Contains("label=")));
        Assert.Contains("\"c_{k-2}\" -> \"0\" [label=\"sep_conv_3x3\"", dot);
    }
}
