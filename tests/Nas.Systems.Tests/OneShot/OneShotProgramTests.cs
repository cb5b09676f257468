// The one-shot supernets' forward programs: the fast kernel set against the reference (the oracle), and the activation probe as a decorator.
using Nas.Components;
using Nas.Systems.Methods;
using Nas.Systems.OneShot.Mobile;
using Nas.Systems.OneShot.Search;
using Nas.Systems.OneShot.Supernet;
using Nas.Systems.Spaces.Forward;
using Nas.Torch;
using Nas.World;

namespace Nas.Systems.Tests.OneShot;

public sealed class OneShotProgramTests
{
    public static TheoryData<string, OneShotSpaceKind, bool, bool> Spaces() => new()
    {
        { "mobile", OneShotSpaceKind.Mobile, false, false },
        { "mobile spring (sliced widths)", OneShotSpaceKind.Mobile, true, false },
        { "mobile unbiased (identity BN)", OneShotSpaceKind.Mobile, false, true },
        { "nb201", OneShotSpaceKind.Nb201, false, false },
        { "nb201 unbiased", OneShotSpaceKind.Nb201, false, true },
    };

    /// <summary>
    /// Training and eval logits and the running statistics after the forward, over a few uniform paths, within 1e-5
    /// relative (‖fast − reference‖ ≤ 1e-5·‖reference‖ + 1e-6·√n, the floor for tensors that are zero up to rounding, e.g.
    /// the running means of a BN whose input has mean zero): the fast set's channels-last convolutions and native depthwise
    /// and pooling kernels sum in another order, so the forwards differ by float32 rounding only. The gradient of every
    /// trainable tensor is checked to 2e-2 relative, not 1e-5: through a dozen ReLU6 kinks and small-batch BatchNorms the
    /// gradient itself is ill-conditioned. Measured on the spring path 10,8,43,16,36,8,36,28: scaling the input by
    /// 1 + 1e-6 moves the reference's own stem gradient by 1.5e-3 relative, and the fast set's 1e-5 forward rounding moves it
    /// by 6e-3 (an activation within rounding of 0 or 6 takes the other side of the kink).
    /// </summary>
    [Theory]
    [MemberData(nameof(Spaces))]
    public void TheFastKernelsMatchTheReferenceOnSampledPaths(string name, OneShotSpaceKind space, bool spring, bool unbiased)
    {
        using var world = new Nas.World.World();
        using var g = new Generator(5);
        var size = space == OneShotSpaceKind.Mobile ? 28 : 16;
        var spec = new OneShotNetwork(space, 1, size, 4, 4, 1, spring, unbiased);
        var net = SupernetSpawn.Spawn(world, new SupernetSpec(spec, BnOnly: false, BnScope.LastBnPerOp), g);
        using var images = Tensor.Randn([8, 1, size, size], g);
        using var labels = Tensor.FromSpan(new long[] { 0, 1, 2, 3, 0, 1, 2, 3 }, [8]);
        var trainable = net.Tensors.Trainable.Select(p => p.Value).ToArray();
        var choices = OneShotSupernet.ChoiceSpace(spec, active: null);
        var rng = new Rng(17);
        using var statsScope = new TensorScope();
        var initial = net.BackupRunningStatistics(statsScope);

        (float[] Logits, float[]?[] Grads, float[][] Stats, float[] Eval) Run(int[] genome, ForwardMode mode)
        {
            net.RestoreRunningStatistics(initial); // both sets start from the same running statistics
            using var scope = new TensorScope();
            var logits = net.Forward(genome, images, training: true, scope, mode: mode);
            var loss = scope.Own(logits.CrossEntropy(labels));
            var grads = Autograd.Grad([loss], trainable);
            var stats = net.BackupRunningStatistics(scope).Select(t => t.ToFloatArray()).ToArray();
            float[] eval;
            using (NoGrad.Enter()) eval = net.Forward(genome, images, training: false, scope, mode: mode).ToFloatArray();
            return (logits.ToFloatArray(), grads.Select(gr => gr is null ? null : scope.Own(gr).ToFloatArray()).ToArray(), stats, eval);
        }

        var nonZero = false;
        for (var draw = 0; draw < 4; draw++)
        {
            var genome = ChoiceSpaces.Uniform(choices, rng);
            var reference = Run(genome, ForwardMode.Reference);
            var fast = Run(genome, ForwardMode.Batched);
            var what = $"{name}, path {string.Join(',', genome)}";
            AssertClose(reference.Logits, fast.Logits, 1e-5, $"{what}: training logits");
            AssertClose(reference.Eval, fast.Eval, 1e-5, $"{what}: eval logits");
            for (var i = 0; i < trainable.Length; i++)
            {
                Assert.True(reference.Grads[i] is null == fast.Grads[i] is null, $"{what}: gradient {i} is null in one set only");
                if (reference.Grads[i] is { } r) AssertClose(r, fast.Grads[i]!, 2e-2, $"{what}: gradient of {net.Tensors.Trainable[i].Name} (trainable {i})");
                nonZero |= reference.Grads[i]?.Any(v => v != 0) == true;
            }
            for (var i = 0; i < reference.Stats.Length; i++) AssertClose(reference.Stats[i], fast.Stats[i], 1e-5, $"{what}: running statistic {i}");
        }
        Assert.True(nonZero, $"{name}: no path reached a trainable tensor");
    }

    /// <summary>
    /// The probe decorator records one pre-activation per ReLU / ReLU6 call, in call order, the same tensors over both sets
    /// (1e-5 relative, as above). Mobile: the stem, two ReLU6 per MBConv layer run, the head. NB-201: each cell's three conv
    /// edges (conv3, conv1, conv3 on edges 0-2; none, skip, pool on 3-5), two ReLUs per residual block, the last ReLU.
    /// </summary>
    [Theory]
    [InlineData(OneShotSpaceKind.Mobile)]
    [InlineData(OneShotSpaceKind.Nb201)]
    public void TheProbeRecordsTheInputOfEveryActivationInCallOrder(OneShotSpaceKind space)
    {
        using var world = new Nas.World.World();
        using var g = new Generator(9);
        var spec = new OneShotNetwork(space, 1, 16, 4, 4, 1, false, false);
        var net = SupernetSpawn.Spawn(world, new SupernetSpec(spec, BnOnly: false, BnScope.LastBnPerOp), g);
        using var images = Tensor.Randn([5, 1, 16, 16], g);
        int[] genome = space == OneShotSpaceKind.Mobile ? MobileGenome(net) : [3, 2, 3, 0, 1, 4];
        var expected = space == OneShotSpaceKind.Mobile ? 2 + 2 * genome.Count(gene => gene != -1) : 3 * spec.CellsPerStage * 3 + 2 * 2 + 1;
        float[][] Probe(ForwardMode mode)
        {
            using var scope = new TensorScope();
            var probe = new ActivationProbe();
            using (NoGrad.Enter()) net.Forward(genome, images, training: true, scope, bnMomentum: 0, probe: probe, mode: mode);
            return probe.PreActivations.Select(a => scope.Own(a.Contiguous()).ToFloatArray()).ToArray();
        }
        var reference = Probe(ForwardMode.Reference);
        var fast = Probe(ForwardMode.Batched);
        Assert.Equal(expected, reference.Length);
        Assert.Equal(reference.Length, fast.Length);
        for (var i = 0; i < reference.Length; i++) AssertClose(reference[i], fast[i], 1e-5, $"pre-activation {i}");
    }

    /// <summary>Op l mod 6 in each layer, the identity in every other layer that admits one.</summary>
    private static int[] MobileGenome(OneShotSupernet net)
    {
        var genome = new int[net.Layers];
        for (var l = 0; l < genome.Length; l++) genome[l] = net.MobileLayers[l].Identity != IdentityRule.Never && l % 2 == 1 ? -1 : l % 6;
        return genome;
    }

    /// <summary>
    /// one_shot_forward picks the kernel set of the session's forwards (the ForwardSettings resource), reference by
    /// default; `forward` (the differentiable methods' key, batched by default) does not. A step on the fast set trains.
    /// </summary>
    [Fact]
    public void OneShotForwardPicksTheSupernetsKernelSet()
    {
        using (var s = OneShotSession.Create(OneShotSessionTests.Tiny("spos"), OneShotSessionTests.TinyData()))
        {
            Assert.Equal(ForwardMode.Batched, s.Config.Forward);
            Assert.Equal(ForwardMode.Reference, s.World.ReadResource<ForwardSettings>().Mode);
        }
        using (var s = OneShotSession.Create(OneShotSessionTests.Tiny("spos") with { OneShotForward = ForwardMode.Batched }, OneShotSessionTests.TinyData()))
        {
            Assert.Equal(ForwardMode.Batched, s.World.ReadResource<ForwardSettings>().Mode);
            s.Step();
            Assert.True(double.IsFinite(s.Metrics.TrainLoss) && s.Metrics.TrainLoss > 0, $"train loss {s.Metrics.TrainLoss}");
        }
    }

    /// <summary>‖actual − expected‖ ≤ rel·‖expected‖ + 1e-6·√n (Euclidean norms over the tensor's n elements).</summary>
    private static void AssertClose(float[] expected, float[] actual, double rel, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double diff = 0, norm = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            diff += (expected[i] - actual[i]) * (double)(expected[i] - actual[i]);
            norm += expected[i] * (double)expected[i];
        }
        var bound = rel * Math.Sqrt(norm) + 1e-6 * Math.Sqrt(expected.Length);
        Assert.True(Math.Sqrt(diff) <= bound, $"{what}: ‖fast − reference‖ = {Math.Sqrt(diff):E3} > {bound:E3} (‖reference‖ = {Math.Sqrt(norm):E3})");
    }
}
