// The one-level DropNAS update (§5.4) on one batch: loss step on w and alpha, partial-decay step, then the alpha renormalisation shift.
using Nas.Components;
using Nas.Systems.Spaces.Darts;
using Nas.Systems.Techniques;
using Nas.Torch;
using Nas.World;

namespace Nas.Systems.Search;

public sealed class OneLevelStepSystem : ISystem
{
    public string Name => "one-level-step";
    public Access Access { get; } = new Access().Read<RunConfig>().Read<SearchClock>().Read<StepTensors>().Read<SupernetRuntime>()
        .Read<DropMasks>().Read<Dropped>().Read<Architecture>().Write<OptimizerCounters>().Write<StepMetrics>();

    public void Run(World.World world, in SystemContext ctx)
    {
        var config = world.Resource<RunConfig>().Config;
        var clock = world.Resource<SearchClock>();
        var net = world.Resource<SupernetRuntime>();
        var batch = world.Resource<StepTensors>().Train;
        var counters = world.Resource<OptimizerCounters>();
        var masks = world.TryResource<DropMasks>(out var d) ? d : null;
        var lr = LearningRate.Cosine(config.Lr, config.LrMin, clock.Epoch, clock.Epochs);
        var archLr = config.ArchLr * LearningRate.Confidence(clock.Epoch, clock.Epochs, config.ConfidentLrPower);
        var sgd = new SgdOptions(lr, config.Momentum); // no built-in decay: the decay is the second step
        var adam = new AdamOptions(archLr, config.ArchBeta1, config.ArchBeta2, 1e-8, 0);
        var alphaNormal = world.Tensors.Get(net.NormalArch, "alpha");
        var alphaReduce = world.Tensors.Get(net.ReduceArch, "alpha");
        // ln(ρ/(1−ρ)) per edge from the alphas before the update (§5.3 rule 5).
        var logOddsNormal = masks is null ? null : KeptLogOdds(Rows(alphaNormal), masks.Normal);
        var logOddsReduce = masks is null ? null : KeptLogOdds(Rows(alphaReduce), masks.Reduce);

        using var scope = new TensorScope();
        // 1-2. Loss step: dropped ops are not computed, so their weights get no gradient.
        var logits = SearchForward.Logits(world, net, batch.Images, scope);
        var loss = scope.Own(logits.CrossEntropy(batch.Labels));
        var all = Autograd.Grad([loss], [.. net.Weights, .. net.Arch]);
        foreach (var g in all) if (g is not null) scope.Own(g);
        var wGrads = all[..net.Weights.Length];
        var aGrads = all[net.Weights.Length..];
        ZeroGradLikeTorch(wGrads, net.Weights, i => counters.MomentumStarted[i], scope);
        var norm = GradClip.ClipByNorm(wGrads, config.GradClip);
        Sgd.Step(net.Weights, wGrads, net.Momentum, sgd, counters.MomentumStarted);
        if (clock.Epoch >= config.WarmupEpochs)
        {
            ZeroGradLikeTorch(aGrads, net.Arch, i => counters.ArchSteps[i] > 0, scope);
            Adam.Step(net.Arch, aGrads, net.ArchExpAvg, net.ArchExpAvgSq, counters.ArchSteps, adam);
        }

        // 3. Partial decay: R = λw·Σ_kept ‖w‖² + λα·Σ (α·1[kept])², gradient 2λ·x; a second SGD and Adam step (also during warm-up).
        var decayW = DecayGradients(world, net, config.WeightDecay, scope);
        ZeroGradLikeTorch(decayW, net.Weights, i => counters.MomentumStarted[i], scope);
        GradClip.ClipByNorm(decayW, config.GradClip);
        Sgd.Step(net.Weights, decayW, net.Momentum, sgd, counters.MomentumStarted);
        var decayA = new Tensor?[net.Arch.Length];
        for (var i = 0; i < net.Arch.Length; i++)
        {
            var a = net.Arch[i];
            if (ReferenceEquals(a, alphaNormal)) decayA[i] = AlphaDecay(a, masks?.Normal, config.ArchWeightDecay, scope);
            else if (ReferenceEquals(a, alphaReduce)) decayA[i] = AlphaDecay(a, masks?.Reduce, config.ArchWeightDecay, scope);
        }
        ZeroGradLikeTorch(decayA, net.Arch, i => counters.ArchSteps[i] > 0, scope);
        Adam.Step(net.Arch, decayA, net.ArchExpAvg, net.ArchExpAvgSq, counters.ArchSteps, adam);

        // 4. Shift the kept alphas of every edge with a dropped op back to their kept mass ρ.
        if (masks is not null)
        {
            Renormalize(alphaNormal, masks.Normal, logOddsNormal!, scope);
            Renormalize(alphaReduce, masks.Reduce, logOddsReduce!, scope);
        }

        ref var m = ref world.Resource<StepMetrics>();
        m = m with { TrainLoss = loss.Item(), TrainAccuracy = WeightStepSystem.Accuracy(logits, batch.Labels, scope), Lr = lr, ArchLr = archLr, GradNorm = norm };
    }

    /// <summary>
    /// PyTorch 1.x `zero_grad()` keeps zero tensors once a parameter had a gradient: such a parameter without a gradient this step gets
    /// a zero gradient (so momentum still moves it, §5.4 step 4 note), while one that never had a gradient stays skipped (null).
    /// </summary>
    public static void ZeroGradLikeTorch(Tensor?[] grads, Tensor[] parameters, Func<int, bool> hadGradient, TensorScope scope)
    {
        for (var i = 0; i < grads.Length; i++)
            if (grads[i] is null && hadGradient(i)) grads[i] = scope.Own(parameters[i].ZerosLike());
    }

    /// <summary>2λ·w for every weight outside mixed ops and every weight of a kept op; null for the weights of dropped ops.</summary>
    public static Tensor?[] DecayGradients(World.World world, SupernetRuntime net, double rate, TensorScope scope)
    {
        var owners = StackedSpace.TrainableTensors(world).Where(x => !world.Has<Architecture>(x.Owner)).Select(x => x.Owner).ToArray();
        if (owners.Length != net.Weights.Length) throw new InvalidOperationException($"{owners.Length} weight owners for {net.Weights.Length} weights: the runtime is stale");
        var factor = PartialDecay.GradientFactor(rate);
        var grads = new Tensor?[net.Weights.Length];
        using var _ = NoGrad.Enter();
        for (var i = 0; i < grads.Length; i++)
        {
            var owner = world.Has<CandidateOp>(owners[i]) ? WeightOwner.Op : WeightOwner.Shared;
            if (PartialDecay.Decays(owner, opKept: !world.Has<Dropped>(owners[i]))) grads[i] = scope.Own(net.Weights[i].Mul(factor));
        }
        return grads;
    }

    /// <summary>2λ·α on kept entries, 0 on dropped ones (all kept without masks).</summary>
    public static Tensor AlphaDecay(Tensor alpha, bool[][]? kept, double rate, TensorScope scope)
    {
        using var _ = NoGrad.Enter();
        var g = scope.Own(alpha.Mul(PartialDecay.GradientFactor(rate)));
        if (kept is null) return g;
        var mask = kept.SelectMany(row => row.Select(k => k ? 1f : 0f)).ToArray();
        var m = scope.Own(Tensor.FromSpan(mask, [kept.Length, kept[0].Length]));
        return scope.Own(g.Mul(m));
    }

    public static float[][] Rows(Tensor alpha)
    {
        var flat = alpha.ToFloatArray();
        var cols = (int)alpha.Size(1);
        return Enumerable.Range(0, (int)alpha.Size(0)).Select(r => flat.AsSpan(r * cols, cols).ToArray()).ToArray();
    }

    private static double[] KeptLogOdds(float[][] alpha, bool[][] kept) =>
        alpha.Select((row, e) => Techniques.DropMasks.AnyDropped(kept[e]) ? AlphaRenormalization.KeptLogOdds(row, kept[e]) : double.NaN).ToArray();

    private static void Renormalize(Tensor alpha, bool[][] kept, double[] logOdds, TensorScope scope)
    {
        var rows = Rows(alpha);
        var changed = false;
        for (var e = 0; e < rows.Length; e++)
        {
            if (!Techniques.DropMasks.AnyDropped(kept[e])) continue;
            rows[e] = AlphaRenormalization.Shifted(rows[e], kept[e], AlphaRenormalization.ShiftFromLogOdds(rows[e], kept[e], logOdds[e]));
            changed = true;
        }
        if (!changed) return;
        var flat = rows.SelectMany(r => r).ToArray();
        var t = scope.Own(Tensor.FromSpan(flat, [rows.Length, rows[0].Length]));
        using var _ = NoGrad.Enter();
        alpha.CopyFrom(t);
    }
}
