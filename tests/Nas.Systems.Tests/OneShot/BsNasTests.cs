// BS-NAS pure parts (§4.2–4.5 [I], §7 V6): spring widths, slices, broadening, FLOPs, and shrinking.
using Nas.Components;
using Nas.Systems.OneShot;
using Nas.Systems.OneShot.BsNas;
using Nas.Systems.OneShot.Mobile;
using Nas.Systems.OneShot.Search;
using Nas.World;

namespace Nas.Systems.Tests.OneShot;

public sealed class BsNasTests
{
    [Fact]
    public void WidthsAreTheDistinctMultiplesOfEightOfTheBaseTimesEachMultiplier()
    {
        // 16 × {0.5, 0.75, 1, 1.25, 1.5} = 8, 12→16, 16, 20→24, 24; 24 × … = 12→16, 18→16, 24, 30→32, 36→40.
        Assert.Equal([8, 16, 24], Spring.Widths(16));
        Assert.Equal([16, 24, 32, 40], Spring.Widths(24));
        Assert.Equal([32, 48, 64, 80, 96], Spring.Widths(64));
    }

    [Fact]
    public void BroadeningAdmitsOnlyTheBaseWidthDuringWarmUpThenOneNeighbourMorePerStep()
    {
        var s = BroadeningSchedule.For(100); // E_w = 10, E_b = 5
        Assert.Equal(new BroadeningSchedule(10, 5), s);
        Assert.Equal([2], s.AdmissibleMultipliers(0));
        Assert.Equal([2], s.AdmissibleMultipliers(9));
        Assert.Equal([1, 2, 3], s.AdmissibleMultipliers(10));
        Assert.Equal([1, 2, 3], s.AdmissibleMultipliers(14));
        Assert.Equal([0, 1, 2, 3, 4], s.AdmissibleMultipliers(15));
        Assert.Equal([0, 1, 2, 3, 4], s.AdmissibleMultipliers(99));
        // For base 16 the 0.75 and 1.0 multipliers share width 16, so epoch 10 admits widths 16 and 24 (indices 1, 2).
        Assert.Equal([1, 2], Spring.AdmissibleWidths(16, s, 10));
    }

    [Fact]
    public void ASliceTakesLeadingChannelsAndAddsTheResidualOnlyAtEqualWidthsAndStrideOne()
    {
        Assert.Equal(new SpringSlice(96, 16, 96, 24, 96, false), Spring.Slice(6, 16, 24, 1));
        Assert.True(Spring.Slice(3, 16, 16, 1).Residual);
        Assert.False(Spring.Slice(3, 16, 16, 2).Residual);
        Assert.Equal(new SpringSlice(0, 0, 40, 24, 40, false), Spring.Slice(1, 40, 24, 1));
    }

    [Fact]
    public void EverySliceOfEveryLayerFitsItsMaxWidthStore()
    {
        var space = BsNasSpace.Tiny28();
        for (int l = 0; l < space.Layers; l++)
        {
            int[] inputs = l == 0 ? [space.StemChannels] : [.. space.Widths(l - 1)];
            foreach (var op in MobileSpace.Ops)
            {
                var store = Spring.Store(op.Expansion, inputs.Max(), space.Widths(l).Max(), space.LayerSpecs[l].Stride);
                foreach (var cin in inputs)
                    foreach (var cout in space.Widths(l))
                        Assert.True(Spring.Fits(Spring.Slice(op.Expansion, cin, cout, space.LayerSpecs[l].Stride), store));
            }
        }
    }

    [Fact]
    public void TheFlopsOfASlicedConfigurationAreTheMbConvFormulaAtTheChosenWidths()
    {
        // Layer 0: op (3,3) at width 24 from the 16-wide stem; layer 1: identity, so its output stays 24;
        // layer 2: op (7,6) at width 16 (index 0 of [16, 24, 32, 40]) from 24 at stride 2; later layers take width index 0. Head 1×1 from layer 7's width.
        var space = BsNasSpace.Tiny28();
        int[] genome = [BsNasGene.Encode(0, 2), BsNasGene.Encode(-1, 0), BsNasGene.Encode(5, 0), BsNasGene.Encode(0, 0),
                        BsNasGene.Encode(0, 0), BsNasGene.Encode(0, 0), BsNasGene.Encode(0, 0), BsNasGene.Encode(0, 0)];
        var outs = space.OutputWidths(genome);
        Assert.Equal([24, 24, 16, 16, 16, 16, 32, 32], outs);
        static long Mb(int k, int e, int cin, int cout, int h, int s) { long m = e * cin, ho = h / s; return h * h * cin * m + ho * ho * m * k * k + ho * ho * m * cout; }
        long expected = 28 * 28 * 9 * 16
            + Mb(3, 3, 16, 24, 28, 1) + Mb(7, 6, 24, 16, 28, 2) + Mb(3, 3, 16, 16, 14, 1) + Mb(3, 3, 16, 16, 14, 2)
            + Mb(3, 3, 16, 16, 7, 1) + Mb(3, 3, 16, 32, 7, 1) + Mb(3, 3, 32, 32, 7, 1)
            + 49 * 32 * 128 + 1280;
        Assert.Equal(expected, space.Cost(genome).Macs);
    }

    [Fact]
    public void AnIdentityGeneIsCanonicalizedToWidthZero()
    {
        var space = BsNasSpace.Tiny28();
        int[] g = [BsNasGene.Encode(-1, 2), BsNasGene.Encode(3, 1)];
        space.Canonicalize(g);
        Assert.Equal([BsNasGene.Encode(-1, 0), BsNasGene.Encode(3, 1)], g);
    }

    [Fact]
    public void ARestrictedSpaceOnlyOffersItsActiveOptions()
    {
        var full = BsNasSpace.Tiny28();
        var active = full.Active with { Ops = full.Active.Ops.Select(_ => new[] { 1 }).ToArray() };
        active = active with { Widths = active.Widths.Select(w => new[] { w[^1] }).ToArray() };
        var space = full.With(active);
        var rng = new Rng(2);
        var g = ChoiceSpaces.Uniform(space, rng);
        for (int l = 0; l < space.Layers; l++)
        {
            Assert.Equal(1, BsNasGene.Op(g[l]));
            Assert.Equal(full.Widths(l).Count - 1, BsNasGene.Width(g[l]));
        }
        Assert.Equal(1, ChoiceSpaces.Size(space));
        Assert.Equal(1, Shrinking.SpaceSize(active));
    }

    [Fact]
    public void ShrinkingTurnsOffTheLowestZScoresButNeverALayersLastOption()
    {
        // Layer 0 ops {0: 0.9, 1: 0.1, 2: 0.5}; layer 0 widths {0: 0.2, 1: 0.8}; layer 1 has one op and one width.
        var active = new ActiveOptions([[0, 1, 2], [0]], [[0, 1], [0]]);
        var q = new Dictionary<OptionKey, double>
        {
            [new(0, OptionKind.Op, 0)] = 0.9, [new(0, OptionKind.Op, 1)] = 0.1, [new(0, OptionKind.Op, 2)] = 0.5,
            [new(0, OptionKind.Width, 0)] = 0.2, [new(0, OptionKind.Width, 1)] = 0.8,
            [new(1, OptionKind.Op, 0)] = 0.0, [new(1, OptionKind.Width, 0)] = 0.0,
        };
        // z: op1 −1.22, width0 −1, op2 0, … ; widths keep at least one, layer 1 keeps its only options.
        var pruned = Shrinking.ChooseToPrune(active, q, 7);
        Assert.Equal([new(0, OptionKind.Op, 1), new(0, OptionKind.Width, 0), new(0, OptionKind.Op, 2)], pruned);
        var after = Shrinking.Apply(active, pruned);
        Assert.Equal([[0], [0]], after.Ops);
        Assert.Equal([[1], [0]], after.Widths);
    }

    [Fact]
    public void OptionMeansCreditAnIdentityLayersOpButNoWidth()
    {
        var q = Shrinking.OptionMeans([([BsNasGene.Encode(-1, 0)], 0.4), ([BsNasGene.Encode(2, 1)], 0.8), ([BsNasGene.Encode(2, 0)], 0.6)]);
        Assert.Equal(0.4, q[new(0, OptionKind.Op, -1)], 12);
        Assert.Equal(0.7, q[new(0, OptionKind.Op, 2)], 12);
        Assert.Equal(0.6, q[new(0, OptionKind.Width, 0)], 12);
        Assert.Equal(0.8, q[new(0, OptionKind.Width, 1)], 12);
        Assert.Equal(4, q.Count);
    }

    [Fact]
    public void StagesEndAfterTheFirstStageAndThenEveryLaterStage()
    {
        var s = new ShrinkSchedule();
        Assert.Equal([100, 105, 110], Enumerable.Range(0, 112).Where(s.IsStageEnd));
        Assert.Equal([10, 11, 12], Enumerable.Range(0, 13).Where(ShrinkSchedule.FashionMnist.IsStageEnd));
    }

    [Fact]
    public void TheSpaceSizeCountsOpWidthPairsPlusIdentity()
    {
        var space = BsNasSpace.Tiny28();
        // Layers 0,1,3,5,7 allow identity: 6 ops × widths + 1; layers 2,4,6: 6 × widths. Widths: 16→3, 24→4, 32→5?, 64→5.
        double expected = 1;
        for (int l = 0; l < 8; l++) expected *= 6 * space.Widths(l).Count + (space.IdentityAllowed(l) ? 1 : 0);
        Assert.Equal(expected, Shrinking.SpaceSize(space.Active));
        Assert.Equal(expected, ChoiceSpaces.Size(space));
        Assert.False(Shrinking.ShouldStop(space.Active, new ShrinkSchedule()));
    }
}
