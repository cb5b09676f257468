// The update half of a pass: gradient clipping, SGD on the weights, Adam on alpha and beta, and PyTorch's zero_grad semantics for missing gradients.
using Nas.Components;
using Nas.Systems.Spaces.Darts;
using Nas.Torch;
using Nas.World;

namespace Nas.Systems.Search;

/// <summary>Clips the weight gradients to a total L2 norm of grad_clip (§2.3 step 3); the norm before clipping is the step's grad_norm.</summary>
public sealed class GradientClipSystem : ISystem
{
    public string Name => "clip-gradients";
    public Access Access { get; } = new Access().Read<WeightOptimizerSettings>().Write<WeightGrads>().Write<StepMetrics>();

    public void Run(World.World world, in SystemContext ctx)
    {
        var norm = GradClip.ClipByNorm(GradientComponents.Weights(world, write: true), world.ReadResource<WeightOptimizerSettings>().GradClip);
        ref var m = ref world.Resource<StepMetrics>();
        m = m with { GradNorm = norm };
    }
}

/// <summary>
/// SGD with momentum on the network weights at this step's weight lr. <paramref name="coupledDecay"/>: L2 decay inside the
/// step (DARTS); off where the method decays in a step of its own (DropNAS's partial decay, §5.4).
/// </summary>
public sealed class SgdSystem(bool coupledDecay) : ISystem
{
    public bool CoupledDecay { get; } = coupledDecay;
    public string Name => CoupledDecay ? "sgd" : "sgd (no decay)";
    // The spent gradients are released (disposed and cleared) here: a write of them.
    public Access Access { get; } = new Access().Read<WeightOptimizerSettings>().Read<WeightLr>().Write<WeightGrads>()
        .Read<SupernetRuntime>().Write<Weights>().Write<Momentum>().Write<OptimizerCounters>();

    public void Run(World.World world, in SystemContext ctx)
    {
        var net = world.ReadResource<SupernetRuntime>();
        var grads = GradientComponents.Weights(world);
        Sgd.Step(net.Weights(world, write: true), grads, net.Momentum(world, write: true), Options(world, CoupledDecay), world.Resource<OptimizerCounters>().MomentumStarted);
        GradientComponents.ReleaseWeights(world);
    }

    public static SgdOptions Options(World.World world, bool coupledDecay)
    {
        var o = world.ReadResource<WeightOptimizerSettings>();
        return new SgdOptions(world.ReadResource<WeightLr>().Value, o.Momentum, 0, coupledDecay ? o.WeightDecay : 0);
    }
}

/// <summary>Adam on alpha (and beta) at this step's arch lr; <paramref name="coupledDecay"/> as for <see cref="SgdSystem"/>.</summary>
public sealed class AdamSystem(bool coupledDecay) : ISystem
{
    public bool CoupledDecay { get; } = coupledDecay;
    public string Name => CoupledDecay ? "adam" : "adam (no decay)";
    public Access Access { get; } = new Access().Read<ArchOptimizerSettings>().Read<ArchLr>().Write<AlphaGrad>().Write<BetaGrad>()
        .Read<SupernetRuntime>().Write<Alpha>().Write<Beta>().Write<AlphaMoments>().Write<BetaMoments>().Write<OptimizerCounters>();

    public void Run(World.World world, in SystemContext ctx)
    {
        var net = world.ReadResource<SupernetRuntime>();
        var grads = GradientComponents.Arch(world);
        var (expAvg, expAvgSq) = net.ArchMoments(world, write: true);
        Adam.Step(net.Arch(world, write: true), grads, expAvg, expAvgSq, world.Resource<OptimizerCounters>().ArchSteps, Options(world, CoupledDecay));
        GradientComponents.ReleaseArch(world);
    }

    public static AdamOptions Options(World.World world, bool coupledDecay)
    {
        var o = world.ReadResource<ArchOptimizerSettings>();
        return new AdamOptions(world.ReadResource<ArchLr>().Value, o.Beta1, o.Beta2, 1e-8, coupledDecay ? o.WeightDecay : 0);
    }
}

/// <summary>
/// PyTorch 1.x `zero_grad()` keeps zero tensors once a parameter had a gradient: such a parameter without a gradient this
/// step (an op DropNAS dropped) gets a zero gradient, so momentum still moves it (§5.4 step 4 note); one that never had a
/// gradient stays skipped. For methods that follow the reference's optimizer loop over partially computed graphs.
/// </summary>
public sealed class FillMissingGradientsSystem : ISystem
{
    public string Name => "fill-missing-gradients";
    public Access Access { get; } = new Access().Read<SupernetRuntime>().Read<Weights>().Read<Alpha>().Read<Beta>().Read<OptimizerCounters>()
        .Read<PassTensors>().Write<WeightGrads>().Write<AlphaGrad>().Write<BetaGrad>();

    public void Run(World.World world, in SystemContext ctx)
    {
        var net = world.ReadResource<SupernetRuntime>();
        var counters = world.ReadResource<OptimizerCounters>();
        var scope = world.ReadResource<PassTensors>().Scope;
        var weights = GradientComponents.Weights(world, write: true);
        Fill(weights, net.Weights(world), i => counters.MomentumStarted[i], scope);
        GradientComponents.SetWeights(world, weights, 0, weights.Length);
        var arch = GradientComponents.Arch(world, write: true);
        Fill(arch, net.Arch(world), i => counters.ArchSteps[i] > 0, scope);
        GradientComponents.SetArch(world, arch, 0, arch.Length);
    }

    public static void Fill(Tensor?[] grads, Tensor[] parameters, Func<int, bool> hadGradient, TensorScope scope)
    {
        for (var i = 0; i < grads.Length; i++)
            if (grads[i] is null && hadGradient(i)) grads[i] = scope.Own(parameters[i].ZerosLike());
    }
}
