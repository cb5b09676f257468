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
        .Read<ChoiceOp>().Read<SupernetTensors>().Read<ForwardSettings>().Read<ForwardProfile>().Write<PassTensors>().Write<PassLoss>().Write<StepMetrics>();

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
/// Gradients of the loss with respect to every trainable tensor, in <see cref="SupernetTensors.Trainable"/> order; a
/// tensor off the path gets none (null), so the optimizer skips it. A BN-only NB-201 path of none/skip/pool reaches no
/// trainable tensor: then every gradient is null and the step moves nothing.
/// </summary>
public sealed class PathBackwardSystem : ISystem
{
    public string Name => "path-backward";
    public Access Access { get; } = new Access().Read<PassLoss>().Read<PassTensors>().Read<SupernetTensors>().Write<WeightGradients>();

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
        world.SetResource(new WeightGradients(grads));
    }
}

/// <summary>
/// SGD with momentum and coupled weight decay at the step's lr. A tensor without a gradient is skipped entirely — no
/// momentum drift, no decay — as SPOS sets unused gradients to None (§1.3); its momentum buffer starts with its first
/// gradient, so "buffer started" is "buffer present", which snapshots and pruning keep.
/// </summary>
public sealed class PathSgdSystem : ISystem
{
    public string Name => "path-sgd";
    public Access Access { get; } = new Access().Read<WeightOptimizerSettings>().Read<WeightLr>().Read<WeightGradients>().Write<SupernetTensors>();

    public void Run(World.World world, in SystemContext ctx)
    {
        var trainable = world.Resource<SupernetTensors>().Trainable;
        var grads = world.ReadResource<WeightGradients>().Values;
        var used = Enumerable.Range(0, grads.Length).Where(i => grads[i] is not null).ToArray();
        var started = new bool[used.Length];
        var buffers = new Tensor[used.Length];
        for (int k = 0; k < used.Length; k++)
        {
            var p = trainable[used[k]];
            started[k] = p.Momentum is not null;
            buffers[k] = p.Momentum ??= world.Tensors.Add(p.Owner, p.MomentumKey, p.Value.ZerosLike());
        }
        Sgd.Step(used.Select(i => trainable[i].Value).ToArray(), used.Select(i => grads[i]).ToArray(), buffers,
            SgdSystem.Options(world, coupledDecay: true), started.AsSpan());
        SgdSystem.Release(grads);
    }
}
