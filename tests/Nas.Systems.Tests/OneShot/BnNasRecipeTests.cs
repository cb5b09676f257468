// Issue 15 item 3: BN-NAS trained as its code does (no decay on BN, clip by value 5, identity never searched) and SPOS's non-affine supernet BN.
using Nas.Components;
using Nas.Systems.Methods;
using Nas.Systems.OneShot.Supernet;
using Nas.Systems.OneShot.Systems;
using Nas.Systems.Search;
using Nas.Torch;
using Nas.World;

namespace Nas.Systems.Tests.OneShot;

public sealed class BnNasRecipeTests
{
    private static Dictionary<(Entity, string), float[]> Values(OneShotSupernet net) =>
        net.Parameters().ToDictionary(p => (p.Owner, p.Name), p => p.Tensor.ToFloatArray());

    /// <summary>One SGD update with a zero gradient on every trainable tensor: whatever moves, moves by weight decay alone.</summary>
    private static (Dictionary<(Entity, string), float[]> Before, Dictionary<(Entity, string), float[]> After, OneShotSupernet Net, double Lr) DecayOnlyUpdate(OneShotSession s)
    {
        s.World.RunSystem(new LinearLrSystem()); // the step's lr; no momentum buffer has started, so the update is −lr·(g + decay)
        var net = s.Supernet;
        var trainable = net.Tensors.Trainable;
        var scope = new TensorScope();
        GradientComponents.SetWeights(s.World, trainable.Select(p => (Tensor?)scope.Own(p.Value.ZerosLike())).ToArray(), 0, trainable.Length);
        var before = Values(net);
        s.World.RunSystem(new PathSgdSystem());
        scope.Dispose();
        return (before, Values(net), net, s.World.ReadResource<WeightLr>().Value);
    }

    [Fact]
    public void BnParametersGetNoWeightDecayInBnNasWhileConvWeightsDo()
    {
        // All parameters trainable (bn_only off) to see both kinds: BN γ/β and biases stay bit-identical, conv weights shrink by lr·wd.
        var c = OneShotSessionTests.Tiny("bn-nas") with { BnOnly = false };
        Assert.Equal(WeightDecayScope.Weights, c.WeightDecayScope);
        using var s = OneShotSession.Create(c, OneShotSessionTests.TinyData());
        var (before, after, net, lr) = DecayOnlyUpdate(s);
        var roles = net.Tensors.Trainable.ToDictionary(p => (p.Owner, p.Name), p => p.Role);
        Assert.Contains(roles.Values, r => r == TensorRole.BnWeight);
        foreach (var (key, role) in roles)
        {
            if (role is TensorRole.BnWeight or TensorRole.BnBias or TensorRole.LinearBias) Assert.Equal(before[key], after[key]);
            else
                for (int i = 0; i < before[key].Length; i += 97) // p − lr·wd·p (first momentum step: the buffer is the gradient); float32, 1e-6 relative
                    Assert.Equal(before[key][i] * (1 - lr * c.WeightDecay), after[key][i], Math.Abs(before[key][i]) * 1e-6 + 1e-12);
        }

        // The default scope (spos, bs-nas) decays BN γ too: the same update moves it by lr·wd·γ.
        using var all = OneShotSession.Create(c with { WeightDecayScope = WeightDecayScope.All }, OneShotSessionTests.TinyData());
        var (b2, a2, net2, lr2) = DecayOnlyUpdate(all);
        var gamma = net2.Tensors.Trainable.First(p => p.Role == TensorRole.BnWeight);
        Assert.Equal(b2[(gamma.Owner, gamma.Name)][0] * (1 - lr2 * c.WeightDecay), a2[(gamma.Owner, gamma.Name)][0], 1e-6);
        Assert.NotEqual(b2[(gamma.Owner, gamma.Name)], a2[(gamma.Owner, gamma.Name)]);
    }

    [Fact]
    public void ClipByValueHoldsEveryGradientElementWithinFiveAndLeavesSmallerOnesAlone()
    {
        using var big = Tensor.FromSpan(new float[] { -12f, -5f, -0.25f, 0f, 3f, 5f, 7.5f }, [7]);
        using var small = Tensor.FromSpan(new float[] { 0.5f, -4.999f }, [2]);
        var grads = new Tensor?[] { big, null, small };
        ClipGradientsByValueSystem.ClipByValue(grads, 5);
        Assert.Equal(new float[] { -5f, -5f, -0.25f, 0f, 3f, 5f, 5f }, big.ToFloatArray());
        Assert.Equal(new float[] { 0.5f, -4.999f }, small.ToFloatArray());

        // In a bn-nas step, what reaches SGD is bounded by 5 element-wise (an lr of 1e4 makes the raw gradients large).
        var c = OneShotSessionTests.Tiny("bn-nas") with { Lr = 1e4, LrMin = 0 };
        using var s = OneShotSession.Create(c, OneShotSessionTests.TinyData());
        Assert.Contains(s.Schedule.Entries.Select(x => x.System.Name), n => n == "clip-gradients-by-value");
        Assert.DoesNotContain(OneShotMethod.Schedule(Presets.For("spos")).Entries.Select(x => x.System.Name), n => n == "clip-gradients-by-value");
        s.World.RunSystem(new FeedTrainBatchSystem());
        s.World.RunSystem(new SamplePathSystem());
        s.World.RunSystem(new LinearLrSystem());
        s.World.RunSystem(new PathForwardSystem());
        s.World.RunSystem(new PathBackwardSystem());
        s.World.RunSystem(new ClipGradientsByValueSystem());
        var clipped = GradientComponents.Weights(s.World).Where(g => g is not null).SelectMany(g => g!.ToFloatArray()).ToArray();
        Assert.NotEmpty(clipped);
        Assert.All(clipped, v => Assert.InRange(v, -5f, 5f));
    }

    [Fact]
    public void TheIdentityOptionChangesTheSearchableChoices()
    {
        var data = OneShotSessionTests.TinyData();
        foreach (var (method, identity) in new[] { ("bn-nas", IdentityChoice.Off), ("spos", IdentityChoice.Off), ("bs-nas", IdentityChoice.Searchable) })
            Assert.Equal(identity, Presets.For(method).IdentityChoice);
        var on = OneShotSessionTests.Tiny("bn-nas") with { IdentityChoice = IdentityChoice.Searchable };
        var off = OneShotSessionTests.Tiny("bn-nas");
        var withIdentity = OneShotSupernet.ChoiceSpace(OneShotSession.NetworkOf(on, data), null);
        var without = OneShotSupernet.ChoiceSpace(OneShotSession.NetworkOf(off, data), null);
        Assert.Equal([0, 1, 3, 5, 7], Enumerable.Range(0, 8).Where(l => withIdentity.Choices(l).Contains(-1)));
        Assert.All(Enumerable.Range(0, 8), l => Assert.DoesNotContain(-1, without.Choices(l)));

        // Training never samples it, the supernet has no identity op, and the evolution never returns one.
        using var s = OneShotSession.Create(off, data);
        Assert.DoesNotContain(s.Supernet.Ops(), o => o.Op.Choice == -1);
        while (!s.Finished)
        {
            s.Step();
            if (s.World.TryResource<SampledPath>(out var p)) Assert.DoesNotContain(-1, p.Genes);
        }
        foreach (var e in s.World.Query<ArchCandidate>()) Assert.DoesNotContain(-1, s.World.Read<ArchCandidate>(e).Genes);

        // BS-NAS with identity off: no layer's active ops include it.
        using var bs = OneShotSession.Create(OneShotSessionTests.Tiny("bs-nas") with { IdentityChoice = IdentityChoice.Off }, data);
        Assert.All(bs.World.ReadResource<ActiveOptions>().Ops, ops => Assert.DoesNotContain(-1, ops));
        Assert.Contains(Presets.Problems(Presets.For("bnnas++") with { IdentityChoice = IdentityChoice.Off }), m => m.Contains("identity_choice"));
    }

    [Fact]
    public void BnNasConvWeightsAreHeFanOutNormal()
    {
        // std √(2 / (k·k·C_out)), mean 0 (§2.3); the depthwise conv's C_out is its channel count. Tolerance: 4 standard errors of
        // the sample std (σ/√(2n)) and of the mean (σ/√n), n ≥ 384 per tensor; the 1×1 projections have the most elements.
        using var s = OneShotSession.Create(OneShotSessionTests.Tiny("bn-nas"), OneShotSessionTests.TinyData());
        var convs = s.Supernet.Tensors.Parameters.Where(p => p.Role == TensorRole.ConvWeight).ToList();
        Assert.Contains(convs, p => p.Name == "dw");
        foreach (var p in convs.Where(p => p.Value.Numel >= 384))
        {
            var w = p.Value.ToFloatArray().Select(x => (double)x).ToArray();
            long cout = p.Value.Size(0), k = p.Value.Size(2);
            double sigma = Math.Sqrt(2.0 / (k * k * cout)), mean = w.Average(), std = Math.Sqrt(w.Sum(x => (x - mean) * (x - mean)) / w.Length);
            Assert.InRange(std, sigma * (1 - 4 / Math.Sqrt(2.0 * w.Length)), sigma * (1 + 4 / Math.Sqrt(2.0 * w.Length)));
            Assert.InRange(mean, -4 * sigma / Math.Sqrt(w.Length), 4 * sigma / Math.Sqrt(w.Length));
        }
    }

    [Fact]
    public void TheSposSupernetHasNoBnAffineTensorsWhileBnNasKeepsThem()
    {
        var data = OneShotSessionTests.TinyData();
        using var spos = OneShotSession.Create(OneShotSessionTests.Tiny("spos"), data);
        var net = spos.Supernet;
        Assert.DoesNotContain(net.Tensors.Parameters, p => p.Role is TensorRole.BnWeight or TensorRole.BnBias);
        Assert.NotEmpty(net.Tensors.BatchNorms);
        Assert.All(net.Tensors.BatchNorms.Values, bn => Assert.True(bn.Weight is null && bn.Bias is null));
        foreach (var (_, e) in net.Ops())
            Assert.DoesNotContain(spos.World.Tensors.NamesOf(e), n => n.EndsWith(".weight", StringComparison.Ordinal) || n.EndsWith(".bias", StringComparison.Ordinal));
        Assert.DoesNotContain(spos.World.Tensors.NamesOf(net.Network), n => n is "stem_bn.weight" or "head_bn.bias");
        while (!spos.Finished) spos.Step(); // trains and searches without γ and β
        Assert.NotNull(spos.Best());

        using var bn = OneShotSession.Create(OneShotSessionTests.Tiny("bn-nas"), data);
        Assert.Contains(bn.Supernet.Tensors.Parameters, p => p.Role == TensorRole.BnWeight);
        Assert.Contains(Presets.Problems(Presets.For("bn-nas") with { BnAffine = false }), m => m.Contains("bn_affine"));
    }
}
