// PC-DARTS edge normalisation groups, weights and the derivation with beta (methods.md §3.1b, §3.2).
using Nas.Components;
using Nas.Systems.Genotypes;
using Nas.Systems.Spaces.Darts;
using Nas.Systems.Techniques;

namespace Nas.Systems.Tests.Techniques;

public sealed class EdgeNormalizationTests
{
    [Fact]
    public void FourNodesGroupRowsZeroOneThenTwoToFourThenFiveToEightThenNineToThirteen()
    {
        var groups = EdgeNormalization.Groups(4).Select(g => g.GetOffsetAndLength(14)).ToList();
        Assert.Equal([(0, 2), (2, 3), (5, 4), (9, 5)], groups);
    }

    [Fact]
    public void FiveNodesAddAGroupOfSixEdgesEndingAtRowNineteen()
    {
        Assert.Equal((14, 6), EdgeNormalization.Groups(5)[4].GetOffsetAndLength(20));
    }

    [Fact]
    public void EdgeWeightsSumToOneWithinEachNode()
    {
        var beta = Enumerable.Range(0, 14).Select(i => (float)Math.Sin(i)).ToArray();
        var b = EdgeNormalization.EdgeWeights(beta);
        foreach (var g in EdgeNormalization.Groups(4))
            Assert.Equal(1.0, b[g].Sum(x => (double)x), 6); // float softmax: 1e-6
        // Hand value: node 0 = softmax(sin 0, sin 1).
        Assert.Equal(1 / (1 + Math.Exp(Math.Sin(1))), b[0], 6);
    }

    [Fact]
    public void BetaChangesWhichEdgesANodeKeeps()
    {
        // Node 1 (rows 2..4). By softmax(alpha) alone: input 0 (sep3, 0.514) and input 1 (dil3, 0.280) beat input 2 (skip, 0.191).
        // beta = (-3, 1, 1) gives b = (0.0091, 0.4955, 0.4955), so W = (0.0047, 0.1386, 0.0944): inputs 1 and 2 win. Hand-computed.
        var ops = OpKinds.DartsOrder.ToList();
        var alpha = Enumerable.Range(0, 14).Select(_ => new float[8]).ToArray();
        alpha[2][ops.IndexOf(OpKind.SepConv3x3)] = 2;
        alpha[3][ops.IndexOf(OpKind.DilConv3x3)] = 1;
        alpha[4][ops.IndexOf(OpKind.SkipConnect)] = 0.5f;
        var beta = new float[14];
        (beta[2], beta[3], beta[4]) = (-3, 1, 1);

        var darts = Derivation.Darts(alpha, alpha, ops);
        var pc = Derivation.PcDarts(alpha, alpha, beta, beta, ops);

        Assert.Equal([new GenotypeEdge(OpKind.SepConv3x3, 0), new GenotypeEdge(OpKind.DilConv3x3, 1)], darts.Normal.Skip(2).Take(2));
        Assert.Equal([new GenotypeEdge(OpKind.DilConv3x3, 1), new GenotypeEdge(OpKind.SkipConnect, 2)], pc.Normal.Skip(2).Take(2));
    }

    [Fact]
    public void BetaNeverChangesTheOpChosenOnAnEdge()
    {
        var rng = Xoshiro256StarStar.FromSeed(11);
        var ops = OpKinds.DartsOrder;
        var alpha = Enumerable.Range(0, 14).Select(_ => Enumerable.Range(0, 8).Select(_ => (float)rng.NextDouble()).ToArray()).ToArray();
        var beta = Enumerable.Range(0, 14).Select(_ => (float)(3 * rng.NextDouble())).ToArray();
        var pc = Derivation.PcDarts(alpha, alpha, beta, beta, ops);
        for (var i = 0; i < pc.Normal.Count; i++)
        {
            var row = alpha[Derivation.EdgeRow(i / 2, pc.Normal[i].Input)];
            var best = Enumerable.Range(1, 7).MaxBy(o => row[o]); // column 0 is none
            Assert.Equal(ops[best], pc.Normal[i].Op);
        }
    }
}
