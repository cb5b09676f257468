// PC-DARTS edge normalisation as the search computes it (ArchWeights.EdgeSoftmax) and the derivation with beta (methods.md §3.1b, §3.2).
using Nas.Components;
using Nas.Systems.Genotypes;
using Nas.Systems.Search;
using Nas.Systems.Spaces.Darts;
using Nas.Systems.Techniques;
using Nas.Torch;
using Nas.World;

namespace Nas.Systems.Tests.Techniques;

public sealed class EdgeNormalizationTests
{
    internal static Tensor Matrix(float[][] rows) => Tensor.FromSpan(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length]);

    private static float[] EdgeSoftmax(float[] beta, int nodes)
    {
        using var scope = new TensorScope();
        var t = scope.Own(Tensor.FromSpan(beta, [beta.Length]));
        return ArchWeights.EdgeSoftmax(t, nodes, scope).ToFloatArray();
    }

    [Fact]
    public void FourNodesNormaliseRowsZeroOneThenTwoToFourThenFiveToEightThenNineToThirteen()
    {
        // Equal betas: each node's incoming edges share 1 equally, so the group sizes show as 1/2, 1/3, 1/4, 1/5.
        var b = EdgeSoftmax(new float[14], 4);
        float[] expected = [.. Enumerable.Repeat(1 / 2f, 2), .. Enumerable.Repeat(1 / 3f, 3), .. Enumerable.Repeat(1 / 4f, 4), .. Enumerable.Repeat(1 / 5f, 5)];
        Assert.Equal(expected.Select(x => (double)x), b.Select(x => (double)x), (x, y) => Math.Abs(x - y) < 1e-6);
    }

    [Fact]
    public void FiveNodesAddAGroupOfSixEdgesEndingAtRowNineteen()
    {
        var b = EdgeSoftmax(new float[20], 5);
        Assert.All(b[14..20], x => Assert.Equal(1 / 6.0, x, 6));
    }

    [Fact]
    public void EdgeWeightsSumToOneWithinEachNode()
    {
        var beta = Enumerable.Range(0, 14).Select(i => (float)Math.Sin(i)).ToArray();
        var b = EdgeSoftmax(beta, 4);
        foreach (var (start, length) in new[] { (0, 2), (2, 3), (5, 4), (9, 5) })
            Assert.Equal(1.0, b[start..(start + length)].Sum(x => (double)x), 6); // float softmax: 1e-6
        // Hand value: node 0 = softmax(sin 0, sin 1).
        Assert.Equal(1 / (1 + Math.Exp(Math.Sin(1))), b[0], 6);
    }

    [Fact]
    public void BetaChangesWhichEdgesANodeKeeps()
    {
        // Node 1 (rows 2..4). By softmax(alpha) alone: input 0 (sep3, 0.514) and input 1 (dil3, 0.280) beat input 2 (skip, 0.191).
        // beta = (-3, 1, 1) gives b = (0.0091, 0.4955, 0.4955), so W = (0.0047, 0.1386, 0.0944): inputs 1 and 2 win. Hand-computed.
        var ops = OpKinds.DartsOrder.ToList();
        var rows = Enumerable.Range(0, 14).Select(_ => new float[8]).ToArray();
        rows[2][ops.IndexOf(OpKind.SepConv3x3)] = 2;
        rows[3][ops.IndexOf(OpKind.DilConv3x3)] = 1;
        rows[4][ops.IndexOf(OpKind.SkipConnect)] = 0.5f;
        var betaValues = new float[14];
        (betaValues[2], betaValues[3], betaValues[4]) = (-3, 1, 1);
        using var alpha = Matrix(rows);
        using var beta = Tensor.FromSpan(betaValues, [14]);

        var darts = Derivation.Of(alpha, null, alpha, null, ops, 4);
        var pc = Derivation.Of(alpha, beta, alpha, beta, ops, 4);

        Assert.Equal([new GenotypeEdge(OpKind.SepConv3x3, 0), new GenotypeEdge(OpKind.DilConv3x3, 1)], darts.Normal.Skip(2).Take(2));
        Assert.Equal([new GenotypeEdge(OpKind.DilConv3x3, 1), new GenotypeEdge(OpKind.SkipConnect, 2)], pc.Normal.Skip(2).Take(2));
    }

    [Fact]
    public void BetaNeverChangesTheOpChosenOnAnEdge()
    {
        var rng = new Rng(11);
        var ops = OpKinds.DartsOrder;
        var rows = Enumerable.Range(0, 14).Select(_ => Enumerable.Range(0, 8).Select(_ => (float)rng.NextDouble()).ToArray()).ToArray();
        using var alpha = Matrix(rows);
        using var beta = Tensor.FromSpan(Enumerable.Range(0, 14).Select(_ => (float)(3 * rng.NextDouble())).ToArray(), [14]);
        var pc = Derivation.Of(alpha, beta, alpha, beta, ops, 4);
        for (var i = 0; i < pc.Normal.Count; i++)
        {
            var row = rows[Derivation.EdgeRow(i / 2, pc.Normal[i].Input)];
            var best = Enumerable.Range(1, 7).MaxBy(o => row[o]); // column 0 is none
            Assert.Equal(ops[best], pc.Normal[i].Op);
        }
    }
}
