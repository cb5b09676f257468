// DropNAS's own systems (§5.3-5.4): kept mass before the update, the partial-decay step, and the alpha shift after it.
using Nas.Components;
using Nas.Systems.Genotypes;
using Nas.Systems.Spaces.Darts;
using Nas.Systems.Techniques;
using Nas.Torch;
using Nas.World;

namespace Nas.Systems.Search;

/// <summary>Records ln(ρ/(1−ρ)) of each edge's kept ops from the alphas before this step's update (§5.3 rule 5), for the alpha shift.</summary>
public sealed class KeptLogOddsSystem : ISystem
{
    public string Name => "kept-log-odds";
    public Access Access { get; } = new Access().Read<SupernetRuntime>().Read<Alpha>().Read<DropMasks>().Write<KeptLogOdds>();

    public void Run(World.World world, in SystemContext ctx)
    {
        var net = world.ReadResource<SupernetRuntime>();
        var masks = world.ReadResource<DropMasks>();
        world.SetResource(new KeptLogOdds(
            Of(Derivation.Rows(net.Alpha(world, CellType.Normal)), masks.Normal),
            Of(Derivation.Rows(net.Alpha(world, CellType.Reduce)), masks.Reduce)));
    }

    private static double[] Of(float[][] alpha, bool[][] kept) =>
        alpha.Select((row, e) => Techniques.DropMaskSampler.AnyDropped(kept[e]) ? AlphaRenormalization.KeptLogOdds(row, kept[e]) : double.NaN).ToArray();
}

/// <summary>
/// DropNAS's partial decay (§5.4 step 3) as a second optimizer step after the loss step: R = λw·Σ_kept ‖w‖² + λα·Σ (α·1[kept])²,
/// gradient 2λ·x, clipped, then SGD and Adam again (also during the alpha warm-up, as the reference does).
/// </summary>
public sealed class PartialDecaySystem : ISystem
{
    public string Name => "partial-decay";
    public Access Access { get; } = new Access().Read<WeightOptimizerSettings>().Read<ArchOptimizerSettings>().Read<WeightLr>().Read<ArchLr>()
        .Read<DropMasks>().Read<Dropped>().Read<CandidateOp>().Read<PassTensors>().Read<SupernetRuntime>()
        .Write<Weights>().Write<Momentum>().Write<Alpha>().Write<Beta>().Write<AlphaMoments>().Write<BetaMoments>().Write<OptimizerCounters>();

    public void Run(World.World world, in SystemContext ctx)
    {
        var net = world.ReadResource<SupernetRuntime>();
        var counters = world.Resource<OptimizerCounters>();
        var w = world.ReadResource<WeightOptimizerSettings>();
        var a = world.ReadResource<ArchOptimizerSettings>();
        var masks = world.TryResource<DropMasks>(out var d) ? d : null;
        var scope = world.ReadResource<PassTensors>().Scope;

        var decayW = DecayGradients(world, net, w.WeightDecay, scope);
        var weights = net.Weights(world, write: true);
        FillMissingGradientsSystem.Fill(decayW, weights, i => counters.MomentumStarted[i], scope);
        GradClip.ClipByNorm(decayW, w.GradClip);
        Sgd.Step(weights, decayW, net.Momentum(world, write: true), SgdSystem.Options(world, coupledDecay: false), counters.MomentumStarted);

        var alphaNormal = net.Alpha(world, CellType.Normal);
        var alphaReduce = net.Alpha(world, CellType.Reduce);
        var arch = net.Arch(world, write: true);
        var decayA = new Tensor?[arch.Length];
        for (var i = 0; i < arch.Length; i++)
        {
            var t = arch[i];
            if (ReferenceEquals(t, alphaNormal)) decayA[i] = AlphaDecay(t, masks?.Normal, a.WeightDecay, scope);
            else if (ReferenceEquals(t, alphaReduce)) decayA[i] = AlphaDecay(t, masks?.Reduce, a.WeightDecay, scope);
        }
        FillMissingGradientsSystem.Fill(decayA, arch, i => counters.ArchSteps[i] > 0, scope);
        var (expAvg, expAvgSq) = net.ArchMoments(world, write: true);
        Adam.Step(arch, decayA, expAvg, expAvgSq, counters.ArchSteps, AdamSystem.Options(world, coupledDecay: false));
    }

    /// <summary>2λ·w for every weight outside mixed ops and every weight of a kept op; null for the weights of dropped ops.</summary>
    public static Tensor?[] DecayGradients(World.World world, SupernetRuntime net, double rate, TensorScope scope)
    {
        var owners = net.WeightOwners;
        var weights = net.Weights(world);
        var factor = PartialDecay.GradientFactor(rate);
        var grads = new Tensor?[weights.Length];
        using var _ = NoGrad.Enter();
        for (var i = 0; i < grads.Length; i++)
        {
            var owner = world.Has<CandidateOp>(owners[i]) ? WeightOwner.Op : WeightOwner.Shared;
            if (PartialDecay.Decays(owner, opKept: !world.Has<Dropped>(owners[i]))) grads[i] = scope.Own(weights[i].Mul(factor));
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
}

/// <summary>Shifts the kept alphas of every edge with a dropped op so their kept mass is ρ again (§5.3 rule 5), after both updates.</summary>
public sealed class AlphaShiftSystem : ISystem
{
    public string Name => "alpha-shift";
    public Access Access { get; } = new Access().Read<KeptLogOdds>().Read<DropMasks>().Read<PassTensors>().Read<SupernetRuntime>().Write<Alpha>();

    public void Run(World.World world, in SystemContext ctx)
    {
        var net = world.ReadResource<SupernetRuntime>();
        var masks = world.ReadResource<DropMasks>();
        var logOdds = world.ReadResource<KeptLogOdds>();
        var scope = world.ReadResource<PassTensors>().Scope;
        Renormalize(net.Alpha(world, CellType.Normal, write: true), masks.Normal, logOdds.Normal, scope);
        Renormalize(net.Alpha(world, CellType.Reduce, write: true), masks.Reduce, logOdds.Reduce, scope);
    }

    private static void Renormalize(Tensor alpha, bool[][] kept, double[] logOdds, TensorScope scope)
    {
        var rows = Derivation.Rows(alpha);
        var changed = false;
        for (var e = 0; e < rows.Length; e++)
        {
            if (!Techniques.DropMaskSampler.AnyDropped(kept[e])) continue;
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
