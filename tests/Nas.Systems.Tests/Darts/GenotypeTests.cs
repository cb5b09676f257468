// Genotype text round trips, the parser's accepted forms, and derivation rules (§1.6, §2.5).
using Nas.Components;
using Nas.Systems.Genotypes;
using Nas.Systems.Spaces.Darts;

namespace Nas.Systems.Tests.Darts;

public sealed class GenotypeTests
{
    [Fact]
    public void TheDartsStringRoundTripsThroughTheParser()
    {
        var g = GenotypeText.Parse(CountingTests.DartsV2);
        Assert.Equal(CountingTests.DartsV2.Replace("[2, 3, 4, 5]", "range(2, 6)"), g.ToDartsString());
        Assert.Equal(g.ToDartsString(), GenotypeText.Parse(g.ToDartsString()).ToDartsString());
    }

    [Fact]
    public void TheNestedDropNasFormParsesToTheSamePairsAsTheFlatForm()
    {
        const string nested = "Genotype(normal=[[('sep_conv_3x3', 0), ('sep_conv_3x3', 1)], [('sep_conv_3x3', 0), ('sep_conv_3x3', 1)], [('sep_conv_3x3', 1), ('skip_connect', 0)], [('skip_connect', 0), ('dil_conv_3x3', 2)]], normal_concat=range(2, 6), reduce=[[(\"max_pool_3x3\", 0), ('max_pool_3x3', 1)], [('skip_connect', 2), ('max_pool_3x3', 1)], [('max_pool_3x3', 0), ('skip_connect', 2)], [('skip_connect', 2), ('max_pool_3x3', 1)]], reduce_concat=range(2, 6))";
        Assert.Equal(GenotypeText.Parse(CountingTests.DartsV2).ToDartsString(), GenotypeText.Parse(nested).ToDartsString());
    }

    [Fact]
    public void JsonRoundTripsExactly()
    {
        var g = GenotypeText.Parse(CountingTests.PcDartsCifar);
        Assert.Equal(g.ToDartsString(), Genotype.FromJson(g.ToJson()).ToDartsString());
    }

    [Theory]
    [InlineData(SearchSpace.Stacked)]
    [InlineData(SearchSpace.Broad)]
    public void JsonRecordsTheSpaceItWasSearchedIn(SearchSpace space)
    {
        var g = GenotypeText.Parse(CountingTests.PcDartsCifar);
        var json = g.ToJson(space);
        Assert.Equal(space, Genotype.SpaceOfJson(json));
        Assert.Equal(g.ToDartsString(), Genotype.FromJson(json).ToDartsString());
        Assert.Null(Genotype.SpaceOfJson(g.ToJson())); // written before the key existed: no space
    }

    [Fact]
    public void AOneShotResultsSpaceIsRefusedNamingIt()
    {
        var e = Assert.Throws<FormatException>(() => Genotype.SpaceOfJson("{\"method\": \"spos\", \"space\": \"nb201\", \"genes\": [1, 2]}", "run/genotype.json"));
        Assert.Contains("run/genotype.json: space 'nb201'", e.Message);
    }

    [Fact]
    public void AnUnknownOpNamesTheSourceAndTheOp()
    {
        var e = Assert.Throws<FormatException>(() => GenotypeText.Parse(CountingTests.DartsV2.Replace("dil_conv_3x3", "dil_conv_7x7"), "g.txt"));
        Assert.Contains("g.txt", e.Message);
        Assert.Contains("dil_conv_7x7", e.Message);
    }

    [Fact]
    public void AnInputFromALaterNodeIsRejected()
    {
        var bad = CountingTests.DartsV2.Replace("('sep_conv_3x3', 1), ('sep_conv_3x3', 0)", "('sep_conv_3x3', 4), ('sep_conv_3x3', 0)");
        Assert.Throws<FormatException>(() => GenotypeText.Parse(bad));
    }

    [Fact]
    public void DerivationIgnoresNoneAndKeepsTheTwoStrongestEdgesStrongestFirst()
    {
        var ops = OpKinds.DartsOrder;
        var weights = Enumerable.Range(0, 14).Select(_ => new float[8]).ToArray();
        // Node 0: edge 0 has 'none' strongest but sep_conv_3x3 at 0.3; edge 1 has skip at 0.4.
        weights[0][0] = 0.9f; weights[0][4] = 0.3f;
        weights[1][3] = 0.4f;
        // Node 1 (rows 2..4): input 2 strongest with max_pool, input 0 second with dil_conv_5x5.
        weights[2][7] = 0.2f; weights[4][1] = 0.5f; weights[3][6] = 0.1f;
        var cell = Derivation.Cell(weights, ops);
        Assert.Equal(new GenotypeEdge(OpKind.SkipConnect, 1), cell[0]);
        Assert.Equal(new GenotypeEdge(OpKind.SepConv3x3, 0), cell[1]);
        Assert.Equal(new GenotypeEdge(OpKind.MaxPool3x3, 2), cell[2]);
        Assert.Equal(new GenotypeEdge(OpKind.DilConv5x5, 0), cell[3]);
    }

    [Fact]
    public void DerivationBreaksTiesByLowerInputAndEarlierOp()
    {
        var weights = Enumerable.Range(0, 14).Select(_ => Enumerable.Repeat(0.125f, 8).ToArray()).ToArray();
        var cell = Derivation.Cell(weights, OpKinds.DartsOrder);
        for (var node = 0; node < 4; node++)
        {
            Assert.Equal(new GenotypeEdge(OpKind.MaxPool3x3, 0), cell[2 * node]);
            Assert.Equal(new GenotypeEdge(OpKind.MaxPool3x3, 1), cell[2 * node + 1]);
        }
    }
}
