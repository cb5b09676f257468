// The one-shot family on the DARTS cell space (issue 15 item 6): the supernet's layout, a path as a genotype cell, SPOS / BN-NAS / BNNAS++ searches and refusals.
using Nas.Components;
using Nas.Systems.Data;
using Nas.Systems.Genotypes;
using Nas.Systems.Methods;
using Nas.Systems.OneShot.Darts;
using Nas.Systems.OneShot.Search;
using Nas.Systems.OneShot.Supernet;
using Nas.Systems.Spaces.Darts;
using Nas.Systems.Spaces.Eval;
using Nas.Systems.Spaces.Forward;
using Nas.Torch;
using Nas.World;

namespace Nas.Systems.Tests.OneShot;

public sealed class DartsSupernetTests
{
    /// <summary>The tiny one-shot config on the DARTS space: 5 cells (reductions at 1 and 3), C = 4, 8×8 synthetic images.</summary>
    internal static SearchConfig Tiny(string method) => OneShotSessionTests.Tiny(method) with
    {
        OneShotSpace = OneShotSpaceKind.Darts, Layers = 5, Channels = 4, Nodes = 4, IdentityChoice = IdentityChoice.Searchable,
        FlopsLimit = 0, ParamsLimit = 0,
    };

    private static OneShotNetwork NetworkOf(SearchConfig c) => OneShotSession.NetworkOf(c, 1, 8, 4);

    private static Dictionary<(Entity, string), float[]> Parameters(OneShotSupernet net) =>
        net.Parameters().ToDictionary(p => (p.Owner, p.Name), p => p.Tensor.ToFloatArray());

    [Fact]
    public void TheSupernetHoldsOneOpEntityPerCellEdgeAndOpWithSposNonAffineAndUnbiasedPoolBns()
    {
        using (var s = OneShotSession.Create(Tiny("spos"), OneShotSessionTests.TinyData()))
        {
            Assert.Equal(5 * 14 * 7, s.World.CountOf<ChoiceOp>());
            Assert.DoesNotContain(s.Supernet.Tensors.Parameters, p => p.Role is TensorRole.BnWeight or TensorRole.BnBias); // SPOS: affine=False
            Assert.Equal(24, s.Supernet.Layers);
        }
        using (var s = OneShotSession.Create(Tiny("bnnas++"), OneShotSessionTests.TinyData()))
        {
            // Unbiased (§3.2): every op of every edge, the parameter-free ones included, has an output BN.
            Assert.Equal(5 * 14 * 7, s.Supernet.Tensors.OutputBns.Count);
        }
        using (var s = OneShotSession.Create(Tiny("bn-nas"), OneShotSessionTests.TinyData()))
        {
            // Pools and the stride-1 skips have none: of a normal cell's 14 edges × 7 ops, 14 × 4 conv ops; a reduction
            // cell's 8 stride-2 edges (each node's edges from the two cell inputs) give their skip a FactorizedReduce (with BN) as well.
            Assert.Equal(3 * 14 * 4 + 2 * (14 * 4 + 8), s.Supernet.Tensors.OutputBns.Count);
        }
    }

    [Fact]
    public void ASinglePathComputesWhatTheEvaluationNetworkOfItsGenotypeComputesOnTheSameWeights()
    {
        var config = Tiny("bn-nas");
        using var s = OneShotSession.Create(config, OneShotSessionTests.TinyData());
        var net = s.Supernet;
        var space = DartsSupernet.Space(net.Spec);
        var genome = ChoiceSpaces.Uniform(space, new Rng(3));
        var genotype = space.Decode(genome);
        using var g = new Generator(7);
        using var eval = EvalNetwork.Create(DartsSupernet.LayoutOf(net.Spec), genotype, g, auxiliary: false);
        // Copy the supernet's weights of the path (and the fixed ones) into the evaluation network.
        using (NoGrad.Enter())
        {
            var store = s.World.Tensors;
            void Copy(Tensor to, Tensor from) => to.CopyFrom(from);
            void CopyBn(BatchNormTensors to, Entity owner, string name)
            {
                Copy(to.RunningMean, store.Get(owner, name + ".mean"));
                Copy(to.RunningVar, store.Get(owner, name + ".var"));
                Copy(to.Weight!, store.Get(owner, name + ".weight"));
                Copy(to.Bias!, store.Get(owner, name + ".bias"));
            }
            Copy(eval.StemConv, store.Get(net.Network, "stem"));
            CopyBn(eval.StemBn, net.Network, "stem_bn");
            foreach (var cell in eval.Cells)
            {
                var p = $"cell{cell.Layout.Index}.";
                for (var i = 0; i < cell.Pre0.Convs.Length; i++) Copy(cell.Pre0.Convs[i], store.Get(net.Network, $"{p}pre0.conv{i}"));
                CopyBn(cell.Pre0.Norms[0], net.Network, p + "pre0.bn0");
                Copy(cell.Pre1.Convs[0], store.Get(net.Network, p + "pre1.conv0"));
                CopyBn(cell.Pre1.Norms[0], net.Network, p + "pre1.bn0");
                foreach (var op in cell.Ops)
                {
                    var e = net.Op(ForwardInterpreter.DartsEdge(op.Node, op.Edge.Input), DartsCellSpace.Ops.ToList().IndexOf(op.Edge.Op), cell.Layout.Index);
                    for (var i = 0; i < op.Tensors.Convs.Length; i++) Copy(op.Tensors.Convs[i], store.Get(e, $"conv{i}"));
                    for (var i = 0; i < op.Tensors.Norms.Length; i++) CopyBn(op.Tensors.Norms[i], e, $"bn{i}");
                }
            }
            Copy(eval.ClassifierWeight, store.Get(net.Network, "fc_w"));
            Copy(eval.ClassifierBias, store.Get(net.Network, "fc_b"));
        }
        using var scope = new TensorScope();
        using var x = Tensor.Randn([3, 1, 8, 8], g);
        using var _ = NoGrad.Enter();
        var want = eval.Forward(x, training: false, scope).Logits.ToFloatArray();
        var got = net.Forward(genome, x, training: false, scope).ToFloatArray();
        Assert.Equal(want.Length, got.Length);
        for (var i = 0; i < want.Length; i++) Assert.Equal(want[i], got[i], 1e-5f); // same ops in the same order: float32 agreement
    }

    [Fact]
    public void ASposStepChangesOnlyThePathsOpsAndTheNetworksTensors()
    {
        using var s = OneShotSession.Create(Tiny("spos"), OneShotSessionTests.TinyData());
        var before = Parameters(s.Supernet);
        s.Step();
        var genome = s.World.Resource<SampledPath>().Genes;
        var onPath = s.Supernet.PathOps(genome).ToHashSet();
        var network = s.Supernet.Network;
        var changed = Parameters(s.Supernet).Where(kv => !kv.Value.SequenceEqual(before[kv.Key])).Select(kv => kv.Key).ToList();
        Assert.All(changed, k => Assert.True(onPath.Contains(k.Item1) || k.Item1 == network, $"{k.Item2} of {k.Item1} is off the path but changed"));
        Assert.Contains(changed, k => onPath.Contains(k.Item1)); // the path's conv ops did train
        Assert.Contains(changed, k => k.Item1 == network && k.Item2 == "fc_w");
    }

    [Fact]
    public void BnNasOnTheDartsSpaceTrainsOnlyTheOpsOutputBnParameters()
    {
        using var s = OneShotSession.Create(Tiny("bn-nas"), OneShotSessionTests.TinyData());
        var before = Parameters(s.Supernet);
        for (var i = 0; i < 2; i++) s.Step();
        var after = Parameters(s.Supernet);
        var outputs = s.Supernet.Tensors.OutputBns.SelectMany(kv => new[] { kv.Value.Weight, kv.Value.Bias }).ToHashSet();
        var frozen = s.Supernet.Tensors.Parameters.Where(p => !outputs.Contains(p.Value)).Select(p => (p.Owner, p.Name)).ToList();
        Assert.Contains(frozen, k => k.Name == "conv0");
        Assert.Contains(frozen, k => k.Name == "cell0.pre1.bn0.weight"); // preprocessing BN: not an op's output BN
        Assert.All(frozen, k => Assert.Equal(before[k], after[k]));
        Assert.Contains(before.Keys, k => k.Item2 is "bn1.weight" or "bn0.weight" && !before[k].SequenceEqual(after[k]));
        Assert.True(s.World.Has<Frozen>(s.Supernet.Network));
    }

    [Theory]
    [InlineData("spos")]
    [InlineData("bn-nas")]
    [InlineData("bnnas++")]
    public void ASearchReturnsADartsGenotypeUnderItsFlopsLimitThatNasTrainBuilds(string method)
    {
        var data = OneShotSessionTests.TinyData();
        var limit = Presets.MedianFlopsLimit(DartsSupernet.Space(NetworkOf(Tiny(method))));
        var config = Tiny(method) with { FlopsLimit = limit };
        using var s = OneShotSession.Create(config, data);
        while (!s.Finished) s.Step();
        var candidates = s.World.Query<ArchCandidate>().ToList().Select(e => s.World.Read<ArchCandidate>(e)).ToList();
        Assert.True(candidates.Count >= config.Population);
        Assert.All(candidates, c => Assert.True(c.Flops <= limit, $"{c.Flops} over the limit {limit}"));
        var (text, json) = s.Result();
        var fromText = GenotypeText.Parse(text);
        Assert.Equal(SearchSpace.Stacked, Genotype.SpaceOfJson(json));
        Assert.Equal(fromText.ToDartsString(), Genotype.FromJson(json).ToDartsString());
        var space = DartsSupernet.Space(s.Supernet.Spec);
        Assert.Equal(s.Best()!.Value.Genes, space.Encode(fromText));
        // `nas train`'s network at the search size: it builds, its real parameter count is the space's, its logits are finite.
        var spec = DartsSupernet.EvalSpec(s.Supernet.Spec);
        using var g = new Generator(1);
        using var net = spec.Create(fromText, g, auxiliary: false);
        Assert.Equal((long)space.Params(s.Best()!.Value.Genes), net.ParameterCount());
        Assert.Equal((double)spec.Cost(fromText).Macs, s.Best()!.Value.Flops);
        using var scope = new TensorScope();
        using var x = Tensor.Randn([2, 1, 8, 8], g);
        Assert.All(net.Forward(x, training: false, scope).Logits.ToFloatArray(), v => Assert.True(float.IsFinite(v)));
        Assert.StartsWith("Genotype(normal=[", text);
    }

    [Fact]
    public void CombinationsTheDartsSpaceDoesNotTakeAreRefusedNamingTheKey()
    {
        var bs = Presets.Problems(Presets.For("bs-nas") with { OneShotSpace = OneShotSpaceKind.Darts });
        Assert.Contains(bs, p => p.Contains("spring") && p.Contains("one_shot_space mobile"));
        var identity = Presets.Problems(Presets.For("spos") with { OneShotSpace = OneShotSpaceKind.Darts });
        Assert.Contains(identity, p => p.StartsWith("identity_choice off", StringComparison.Ordinal) && p.Contains("darts"));
        var dedupe = Presets.Problems(Tiny("spos") with { Nb201Dedupe = Nb201Dedupe.Isomorphic });
        Assert.Contains(dedupe, p => p.StartsWith("nb201_dedupe", StringComparison.Ordinal));
        Assert.Empty(Presets.Problems(Tiny("spos")));
        Assert.Empty(Presets.Problems(Tiny("bn-nas")));
        Assert.Empty(Presets.Problems(Tiny("bnnas++")));
        // An input the stacked network cannot reduce (7×7 at the first reduction) is refused when the session is created.
        var odd = Synthetic.LoadTrain(new SyntheticSpec(Channels: 1, Height: 7, Width: 7, Classes: 4, TrainCount: 32, TestCount: 8, Seed: 5));
        var e = Assert.Throws<ArgumentException>(() => OneShotSession.Create(Tiny("spos"), odd));
        Assert.Contains("FactorizedReduce needs even sizes", e.Message);
    }

    [Fact]
    public void OnTheDartsSpaceAPresetsFlopsLimitAndIdentityChoiceAreFittedUnlessTheUserSetThem()
    {
        var preset = Presets.For("spos") with { OneShotSpace = OneShotSpaceKind.Darts };
        var (fitted, notes) = Presets.FitToOneShotSpace(preset, 1, 28, 10, presetFlops: true, presetIdentity: true);
        // The median of Presets.MedianDraws uniform genomes (Rng seed 15) at SearchConfig's default size (8 cells, C 16) on
        // Fashion-MNIST's input, to 3 digits (32.6e6 when the draws came from SplitMix64, before the one stream type).
        Assert.Equal(32.4e6, fitted.FlopsLimit);
        Assert.Equal(IdentityChoice.Searchable, fitted.IdentityChoice);
        Assert.Equal(2, notes.Count);
        Assert.Empty(Presets.Problems(fitted));
        // With the size from the preset too: 5 cells at C 8, and the median at that size.
        var (small, four) = Presets.FitToOneShotSpace(preset, 1, 28, 10, presetFlops: true, presetIdentity: true, presetLayers: true, presetChannels: true);
        Assert.Equal((Presets.DartsLayers, Presets.DartsChannels), (small.Layers, small.Channels));
        Assert.Equal(Presets.MedianFlopsLimit(DartsSupernet.Space(OneShotSession.NetworkOf(small, 1, 28, 10))), small.FlopsLimit);
        Assert.Equal(6.18e6, small.FlopsLimit); // printed by `nas search` on Fashion-MNIST
        Assert.Equal(4, four.Count);
        var (kept, none) = Presets.FitToOneShotSpace(preset with { FlopsLimit = 40e6, IdentityChoice = IdentityChoice.Searchable }, 1, 28, 10, presetFlops: false, presetIdentity: false);
        Assert.Equal(40e6, kept.FlopsLimit);
        Assert.Empty(none);
        var (mobile, _) = Presets.FitToOneShotSpace(Presets.For("spos"), 1, 28, 10, presetFlops: true, presetIdentity: true);
        Assert.Equal(Presets.For("spos"), mobile);
    }
}
