// One supernet training step on the sampled path, as systems: forward and loss, backward, then (after the shared gradient clip) SGD with momentum.
using Nas.Components;
using Nas.Systems.OneShot.Supernet;
using Nas.Systems.Search;
using Nas.Systems.Spaces.Darts;
using Nas.Torch;
using Nas.World;

namespace Nas.Systems.OneShot.Systems;

/// <summary>
/// The sampled path's forward on the training batch (train-mode BN, running statistics updated) and its label-smoothed
/// cross-entropy. It renews <see cref="PassTensors"/>, which keeps only the logits and the loss: the intermediate
/// activations' handles are released at once, as the autograd graph holds what backward needs.
/// </summary>
public sealed class PathForwardSystem : ISystem
{
    public string Name => "path-forward";
    public Access Access { get; } = new Access().Read<SampledPath>().Read<StepTensors>().Read<SupernetTrainingSettings>().Read<OneShotNetwork>()
        .Read<ChoiceOp>().Read<SupernetTensors>().Read<Weights>().Write<RunningStats>().Read<ForwardSettings>().Read<ForwardProfile>().Write<PassTensors>().Write<PassLoss>().Write<StepMetrics>();

    public void Run(World.World world, in SystemContext ctx)
    {
        var pass = world.Resource<PassTensors>();
        pass.Renew();
        var net = new OneShotSupernet(world);
        var batch = world.ReadResource<StepTensors>().Train;
        Tensor logits, loss;
        using (var activations = new TensorScope())
        {
            logits = pass.Scope.Own(activations.Release(net.Forward(world.ReadResource<SampledPath>().Genes, batch.Images, training: true, activations)));
            loss = pass.Scope.Own(logits.CrossEntropy(batch.Labels, labelSmoothing: world.ReadResource<SupernetTrainingSettings>().LabelSmoothing));
        }
        world.SetResource(new PassLoss(logits, loss));
        ref var m = ref world.Resource<StepMetrics>();
        m = m with { TrainLoss = loss.Item(), TrainAccuracy = ForwardLossSystem.Accuracy(logits, batch.Labels, pass.Scope) };
    }
}

/// <summary>
/// Gradients of the loss with respect to every trainable tensor, in <see cref="SupernetTensors.Trainable"/> order, written
/// onto the <see cref="WeightGrads"/> components of their owners (the network and op entities); a tensor off the path
/// gets none (null), so the optimizer skips it. A BN-only NB-201 path of none/skip/pool reaches no
/// trainable tensor: then every gradient is null and the step moves nothing.
/// </summary>
public sealed class PathBackwardSystem : ISystem
{
    public string Name => "path-backward";
    public Access Access { get; } = new Access().Read<PassLoss>().Read<PassTensors>().Read<SupernetTensors>().Read<Weights>().Write<WeightGrads>();

    public void Run(World.World world, in SystemContext ctx)
    {
        var loss = world.ReadResource<PassLoss>().Loss;
        var trainable = world.ReadResource<SupernetTensors>().Trainable;
        var grads = new Tensor?[trainable.Length];
        if (loss.RequiresGrad)
        {
            var scope = world.ReadResource<PassTensors>().Scope;
            grads = Autograd.Grad([loss], trainable.Select(p => p.Value).ToArray());
            foreach (var g in grads) if (g is not null) scope.Own(g);
        }
        GradientComponents.SetWeights(world, grads, 0, grads.Length);
    }
}

/// <summary>
/// Clips every gradient element to [−grad_clip, grad_clip] in place (torch's clip_grad_value_, as BN-NAS's supernet code
/// does, §2.3) instead of the global-norm clip. The step's grad_norm is still the L2 norm before clipping.
/// </summary>
public sealed class ClipGradientsByValueSystem : ISystem
{
    public string Name => "clip-gradients-by-value";
    public Access Access { get; } = new Access().Read<WeightOptimizerSettings>().Write<WeightGrads>().Write<StepMetrics>();

    public void Run(World.World world, in SystemContext ctx)
    {
        var grads = GradientComponents.Weights(world, write: true);
        var norm = GradClip.ClipByNorm(grads, double.PositiveInfinity); // coefficient min(1, ∞) = 1: the norm only, no change
        ClipByValue(grads, world.ReadResource<WeightOptimizerSettings>().GradClip);
        ref var m = ref world.Resource<StepMetrics>();
        m = m with { GradNorm = norm };
    }

    /// <summary>Each element of each non-null gradient clamped to [−<paramref name="value"/>, <paramref name="value"/>], in place.</summary>
    public static void ClipByValue(Tensor?[] grads, double value)
    {
        if (!(value > 0)) throw new ArgumentOutOfRangeException(nameof(value), value, "the clip value must be positive");
        using var _ = NoGrad.Enter();
        foreach (var g in grads)
        {
            if (g is null) continue;
            using var clamped = g.Clamp(-value, value);
            g.CopyFrom(clamped);
        }
    }
}

/// <summary>
/// SGD with momentum and coupled weight decay at the step's lr. A tensor without a gradient is skipped entirely — no
/// momentum drift, no decay — as SPOS sets unused gradients to None (§1.3); its momentum buffer starts with its first
/// gradient, so "buffer started" is "buffer present", which snapshots and pruning keep. With
/// <see cref="WeightDecayScope.Weights"/> only conv and linear weights are decayed (BN-NAS's code, §2.3): the others step
/// in a second call without decay (SGD is per tensor, so splitting the call changes no bit of the decayed ones).
/// </summary>
public sealed class PathSgdSystem : ISystem
{
    public string Name => "path-sgd";
    // The cache records a momentum buffer when one is created; the spent gradients are released (a write of them).
    public Access Access { get; } = new Access().Read<WeightOptimizerSettings>().Read<OneShotOptimizerRules>().Read<WeightLr>().Write<WeightGrads>()
        .Write<SupernetTensors>().Write<Weights>().Write<Momentum>();

    public void Run(World.World world, in SystemContext ctx)
    {
        world.Tensors.Use<Weights>(write: true);
        world.Tensors.Use<Momentum>(write: true); // buffers are read, stepped, and created on a parameter's first gradient
        var trainable = world.Resource<SupernetTensors>().Trainable;
        var grads = GradientComponents.Weights(world);
        var used = Enumerable.Range(0, grads.Length).Where(i => grads[i] is not null).ToArray();
        var options = SgdSystem.Options(world, coupledDecay: true);
        bool weightsOnly = world.TryResource<OneShotOptimizerRules>(out var rules) && rules.Decay == WeightDecayScope.Weights;
        if (!weightsOnly) Step(world, trainable, grads, used, options);
        else
        {
            Step(world, trainable, grads, used.Where(i => Decays(trainable[i].Role)).ToArray(), options);
            Step(world, trainable, grads, used.Where(i => !Decays(trainable[i].Role)).ToArray(), options with { WeightDecay = 0 });
        }
        GradientComponents.ReleaseWeights(world);
    }

    /// <summary>BN-NAS's rule: decay 4-D conv weights and the classifier weight; BN γ/β and biases get none.</summary>
    public static bool Decays(TensorRole role) => role is TensorRole.ConvWeight or TensorRole.LinearWeight;

    private static void Step(World.World world, SupernetParameter[] trainable, Tensor?[] grads, int[] used, SgdOptions options)
    {
        if (used.Length == 0) return;
        var started = new bool[used.Length];
        var buffers = new Tensor[used.Length];
        for (int k = 0; k < used.Length; k++)
        {
            var p = trainable[used[k]];
            started[k] = p.Momentum is not null;
            buffers[k] = p.Momentum ??= world.Tensors.Add(p.Owner, p.MomentumKey, p.Value.ZerosLike());
        }
        Sgd.Step(used.Select(i => trainable[i].Value).ToArray(), used.Select(i => grads[i]).ToArray(), buffers, options, started.AsSpan());
    }
}
