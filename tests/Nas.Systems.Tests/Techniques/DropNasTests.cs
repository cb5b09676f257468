// DropNAS grouped dropout, alpha renormalisation, partial decay and raw-alpha derivation (methods.md §5.2-§5.6, §7).
using Nas.Components;
using Nas.Systems.Genotypes;
using Nas.Systems.Spaces.Darts;
using Nas.Systems.Techniques;
using Nas.World;

namespace Nas.Systems.Tests.Techniques;

public sealed class DropNasTests
{
    [Fact]
    public void TheDropNasOrderSplitsIntoFourConvolutionsAndFourParameterFreeOps()
    {
        var groups = DropGroups.For(OpKinds.DropNasOrder, 3e-5);
        Assert.Equal([[0, 1, 2, 3], [4, 5, 6, 7]], groups.Members);
        // (3e-5)^(1/4) = 0.07401 (methods.md §5.3).
        Assert.All(groups.DropProbability, p => Assert.Equal(0.074008, p, 6));
    }

    [Fact]
    public void TheOneSkipSpaceHasAGroupOfTwoWithItsOwnProbability()
    {
        var groups = DropGroups.For(DropNasSpaces.OneSkip, 3e-5);
        Assert.Equal([4, 2], groups.Members.Select(m => m.Length));
        Assert.Equal(Math.Sqrt(3e-5), groups.DropProbability[1], 12);
        Assert.Equal([4, 4], DropGroups.For(DropNasSpaces.ThreeSkip, 3e-5).Members.Select(m => m.Length));
    }

    [Fact]
    public void EveryGroupKeepsAnOpEvenWhenDropsAreLikely()
    {
        // r = 0.5 gives p = 0.84: half of all group draws drop everything and must be redrawn.
        var groups = DropGroups.For(OpKinds.DropNasOrder, 0.5);
        var rng = new Rng(3);
        for (var step = 0; step < 2000; step++)
            foreach (var edge in DropMaskSampler.Sample(groups, 14, rng))
                foreach (var members in groups.Members)
                    Assert.Contains(members, o => edge[o]);
    }

    [Theory]
    [InlineData(3e-5)]
    [InlineData(0.5)]
    public void TheEmpiricalPerOpDropRateMatchesTheRejectionFormula(double rate)
    {
        // 10,000 steps x 14 edges x 8 ops = 1.12 M op draws; the binomial sd of the rate is at most 4.7e-4, tolerance 4 sd = 1.9e-3.
        // Expected (p - p^4)/(1 - p^4): 0.07398 for r = 3e-5 (≈ p = 0.0740), 0.6818 for r = 0.5.
        var groups = DropGroups.For(OpKinds.DropNasOrder, rate);
        var rng = new Rng(666);
        long dropped = 0, total = 0;
        for (var step = 0; step < 10_000; step++)
            foreach (var edge in DropMaskSampler.Sample(groups, 14, rng))
            {
                dropped += edge.Count(k => !k);
                total += edge.Length;
            }
        var expected = DropGroups.EffectiveOpDropRate(groups.DropProbability[0], 4);
        Assert.Equal(expected, (double)dropped / total, 1.9e-3);
    }

    [Fact]
    public void MasksAreReproducibleAndResumeFromTheGeneratorState()
    {
        var groups = DropGroups.For(OpKinds.DropNasOrder, 0.3);
        var straight = new Rng(9);
        var first = DropMaskSampler.Sample(groups, 14, straight);
        var second = DropMaskSampler.Sample(groups, 14, straight);

        var again = new Rng(9);
        Assert.Equal(first, DropMaskSampler.Sample(groups, 14, again));
        var resumed = Rng.FromState(again.GetState()); // as a snapshot would store it
        Assert.Equal(second, DropMaskSampler.Sample(groups, 14, resumed));
    }

    [Fact]
    public void TheKeptSoftmaxSumsToOneOverKeptOpsWithoutRescaling()
    {
        float[] alpha = [0.3f, -0.2f, 0.1f, 0.5f, 0f, -1f, 0.2f, 0.4f];
        bool[] kept = [true, false, true, true, false, true, true, false];
        var w = AlphaRenormalization.KeptSoftmax(alpha, kept);
        Assert.Equal(1.0, w.Sum(x => (double)x), 6);
        Assert.All(Enumerable.Range(0, 8).Where(o => !kept[o]), o => Assert.Equal(0f, w[o]));
        // Ratios among kept ops are those of exp(alpha): w0 / w2 = e^0.2.
        Assert.Equal(Math.Exp(0.2), w[0] / w[2], 5);
    }

    [Fact]
    public void AfterTheShiftTheKeptMassIsRhoAndDroppedOpsKeepTheirProbability()
    {
        var rng = new Rng(21);
        var groups = DropGroups.For(OpKinds.DropNasOrder, 0.2);
        for (var trial = 0; trial < 200; trial++)
        {
            var kept = DropMaskSampler.SampleEdge(groups, rng);
            if (!DropMaskSampler.AnyDropped(kept)) continue;
            var before = RandomRow(rng, 2.0);
            var rho = AlphaRenormalization.KeptMass(before, kept);
            // An update that moves only kept alphas (plain SGD on alpha: dropped ops got zero gradient).
            var after = before.Select((a, o) => kept[o] ? a + (float)(rng.NextDouble() - 0.5) : a).ToArray();

            var shift = AlphaRenormalization.Shift(after, kept, rho);
            var renormalized = AlphaRenormalization.Shifted(after, kept, shift);

            // Tolerance 1e-6 (methods.md §7); float32 alphas give errors near 1e-7.
            Assert.Equal(rho, AlphaRenormalization.KeptMass(renormalized, kept), 1e-6);
            var pBefore = Derivation.SoftmaxRow(before);
            var pAfter = Derivation.SoftmaxRow(renormalized);
            for (var o = 0; o < kept.Length; o++)
                if (!kept[o]) Assert.Equal(pBefore[o], pAfter[o], 1e-6);
            // With unmoved dropped alphas k = ln(Σ_kept e^α_old / Σ_kept e^α_new), the form quoted for the paper.
            var paper = Math.Log(kept.Select((k, o) => k ? Math.Exp(before[o]) : 0).Sum() / kept.Select((k, o) => k ? Math.Exp(after[o]) : 0).Sum());
            Assert.Equal(paper, shift, 1e-5);
        }
    }

    [Fact]
    public void TheShiftRestoresRhoEvenWhenAdamMovedTheDroppedAlphas()
    {
        var rng = new Rng(4);
        float[] before = [0.1f, 0.2f, -0.3f, 0.05f, 0.4f, 0f, 0.3f, -0.1f];
        bool[] kept = [true, true, false, true, false, true, true, true];
        var rho = AlphaRenormalization.KeptMass(before, kept);
        var after = before.Select(a => a + (float)(0.3 * (rng.NextDouble() - 0.5))).ToArray();
        var renormalized = AlphaRenormalization.Renormalize([after], [kept], [rho])[0];
        Assert.Equal(rho, AlphaRenormalization.KeptMass(renormalized, kept), 1e-6);
    }

    [Fact]
    public void AnEdgeWithNothingDroppedIsLeftAlone()
    {
        float[] after = [0.1f, 0.2f, 0.3f];
        bool[] kept = [true, true, true];
        Assert.Equal(after, AlphaRenormalization.Renormalize([after], [kept], [1.0])[0]);
    }

    [Fact]
    public void PartialDecaySkipsTheAlphasAndWeightsOfDroppedOps()
    {
        float[][] alpha = [[1f, 2f], [3f, 4f]];
        bool[][] kept = [[true, false], [false, true]];
        // 1e-3 · (1² + 4²) = 0.017; gradient 2·1e-3·α on kept entries.
        Assert.Equal(0.017, PartialDecay.AlphaPenalty(alpha, kept), 12);
        Assert.Equal([[2e-3f, 0f], [0f, 8e-3f]], PartialDecay.AlphaPenaltyGradient(alpha, kept));
        var weights = new (IReadOnlyList<float>, WeightOwner, bool)[]
        {
            ([1f, 1f], WeightOwner.Shared, false), ([2f], WeightOwner.Op, true), ([10f], WeightOwner.Op, false),
        };
        Assert.Equal(3e-4 * (2 + 4), PartialDecay.WeightPenalty(weights), 12);
    }

    [Fact]
    public void DerivationUsesRawAlphaSoEdgeChoiceCanDifferFromSoftmax()
    {
        // Node 1 (rows 2..4), DropNAS order (none last). Row 2: sep3 = 3 but every other op 2.9, a weak softmax (0.15).
        // Row 3: sep3 = 2.5, others -10 (softmax ≈ 1). Row 4: sep3 = 1, others -10 (softmax ≈ 1).
        // Raw alpha keeps inputs 0 and 1; softmax keeps inputs 1 and 2. Hand-derived.
        var ops = OpKinds.DropNasOrder;
        var alpha = Enumerable.Range(0, 14).Select(_ => new float[8]).ToArray();
        alpha[2] = [3f, 2.9f, 2.9f, 2.9f, 2.9f, 2.9f, 2.9f, 2.9f];
        alpha[3] = [2.5f, -10f, -10f, -10f, -10f, -10f, -10f, -10f];
        alpha[4] = [1f, -10f, -10f, -10f, -10f, -10f, -10f, -10f];

        using var t = EdgeNormalizationTests.Matrix(alpha);
        var raw = Derivation.Of(t, null, t, null, ops, 4, rawAlpha: true);
        var soft = Derivation.Of(t, null, t, null, ops, 4);

        Assert.Equal([0, 1], raw.Normal.Skip(2).Take(2).Select(e => e.Input));
        Assert.Equal([1, 2], soft.Normal.Skip(2).Take(2).Select(e => e.Input));
        Assert.All(raw.Normal.Skip(2).Take(2), e => Assert.Equal(OpKind.SepConv3x3, e.Op));
    }

    [Fact]
    public void ADropRateOfOneIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DropGroups.For(OpKinds.DropNasOrder, 1.0));
    }

    private static float[] RandomRow(Rng rng, double scale)
    {
        var row = new float[8];
        for (var o = 0; o < 8; o++) row[o] = (float)(scale * (rng.NextDouble() - 0.5));
        return row;
    }
}
