// One pass of a search step (architecture or weights): mixing weights from alpha and beta, forward and loss on the pass's batch, backward.
using Nas.Components;
using Nas.Systems.Spaces.Darts;
using Nas.Torch;
using Nas.World;

namespace Nas.Systems.Search;

/// <summary>Which batch a pass runs on: the weights split (training) or the architecture split (validation, bilevel only).</summary>
public enum PassBatch { Train, Architecture }

/// <summary>
/// The first system of a pass: renews the pass's tensors, then computes each cell type's mixing weights from the current
/// alpha (softmax, §1.4; masked and renormalised over the kept ops under DropNAS, §5.3) and beta (softmax over each node's
/// incoming edges, §3.1b). Runs again before the weight pass, so the weights see the alpha the architecture step just moved.
/// </summary>
public sealed class MixingWeightsSystem : ISystem
{
    public string Name => "mixing-weights";
    public Access Access { get; } = new Access().Read<SupernetRuntime>().Read<Alpha>().Read<Beta>().Read<DropMasks>().Write<PassTensors>().Write<MixingWeights>();

    public void Run(World.World world, in SystemContext ctx)
    {
        var pass = world.Resource<PassTensors>();
        pass.Renew();
        var masks = world.TryResource<DropMasks>(out var d) ? d : null;
        var (normal, reduce) = SearchForward.CellWeightsOf(world, world.ReadResource<SupernetRuntime>(), masks, pass.Scope);
        world.SetResource(new MixingWeights(normal, reduce));
    }
}

/// <summary>Training-mode forward of the supernet on the pass's batch with this pass's mixing weights, and its cross-entropy loss.</summary>
public sealed class ForwardLossSystem(PassBatch batch) : ISystem
{
    public PassBatch Batch { get; } = batch;
    public string Name => Batch == PassBatch.Train ? "weight-forward" : "arch-forward";
    public Access Access { get; } = new Access().Read<SupernetRuntime>().Read<Weights>().Write<RunningStats>().Read<StepTensors>().Read<MixingWeights>()
        .Read<ForwardSettings>().Read<ForwardProfile>().Read<PassTensors>().Write<PassLoss>().Write<StepMetrics>();

    public void Run(World.World world, in SystemContext ctx)
    {
        var step = world.ReadResource<StepTensors>();
        var b = Batch == PassBatch.Train ? step.Train : step.Val ?? throw new InvalidOperationException("bilevel search needs an architecture batch");
        var scope = world.ReadResource<PassTensors>().Scope;
        var mix = world.ReadResource<MixingWeights>();
        // Profiling is a bench tool: absent (the normal case) it is not even looked up through the checked accessor.
        var profile = world.HasResource<ForwardProfile>() ? world.ReadResource<ForwardProfile>() : null;
        var logits = SearchForward.Run(world, world.ReadResource<SupernetRuntime>(), b.Images, mix.Normal, mix.Reduce, training: true, scope,
            world.ReadResource<ForwardSettings>().Mode, profile);
        var loss = scope.Own(logits.CrossEntropy(b.Labels));
        world.SetResource(new PassLoss(logits, loss));
        ref var m = ref world.Resource<StepMetrics>();
        m = Batch == PassBatch.Train
            ? m with { TrainLoss = loss.Item(), TrainAccuracy = Accuracy(logits, b.Labels, scope) }
            : m with { ValLoss = loss.Item() };
    }

    public static double Accuracy(Tensor logits, Tensor labels, TensorScope scope)
    {
        var predicted = scope.Own(logits.Argmax(1));
        var correct = scope.Own(predicted.Eq(labels));
        var asFloat = scope.Own(correct.To(DType.Float32));
        return scope.Own(asFloat.Mean()).Item();
    }
}

/// <summary>What a backward differentiates the pass's loss with respect to.</summary>
[Flags]
public enum GradientTargets { Weights = 1, Arch = 2, Both = Weights | Arch }

/// <summary>
/// Backward of the pass's loss into the gradient components (<see cref="WeightGrads"/> on the weight owners,
/// <see cref="AlphaGrad"/> / <see cref="BetaGrad"/> on the architectures). With both targets it is one backward over
/// weights and alpha together (the one-level step, §5.4), not two.
/// </summary>
public sealed class BackwardSystem(GradientTargets targets) : ISystem
{
    public GradientTargets Targets { get; } = targets;
    public string Name => Targets switch { GradientTargets.Weights => "weight-backward", GradientTargets.Arch => "arch-backward", _ => "backward" };
    public Access Access { get; } = Declare(targets);

    private static Access Declare(GradientTargets t)
    {
        var a = new Access().Read<PassLoss>().Read<SupernetRuntime>().Read<PassTensors>();
        if (t.HasFlag(GradientTargets.Weights)) a.Read<Weights>().Write<WeightGrads>();
        if (t.HasFlag(GradientTargets.Arch)) a.Read<Alpha>().Read<Beta>().Write<AlphaGrad>().Write<BetaGrad>();
        return a;
    }

    public void Run(World.World world, in SystemContext ctx)
    {
        var net = world.ReadResource<SupernetRuntime>();
        var scope = world.ReadResource<PassTensors>().Scope;
        Tensor[] inputs = Targets switch
        {
            GradientTargets.Weights => net.Weights(world),
            GradientTargets.Arch => net.Arch(world),
            _ => [.. net.Weights(world), .. net.Arch(world)],
        };
        var pass = world.ReadResource<PassLoss>();
        var grads = Autograd.Grad([pass.Loss], inputs);
        foreach (var g in grads) if (g is not null) scope.Own(g);
        // The graph is spent: free it now, as a step's scope would, not when the next pass renews the scope.
        pass.Loss.Dispose();
        pass.Logits.Dispose();
        var weights = Targets.HasFlag(GradientTargets.Weights) ? net.WeightCount : 0;
        if (weights > 0) GradientComponents.SetWeights(world, grads, 0, weights);
        if (Targets.HasFlag(GradientTargets.Arch)) GradientComponents.SetArch(world, grads, weights, grads.Length - weights);
    }
}

/// <summary>
/// Second-order DARTS (§2.3 step 2): the architecture gradient through one virtual SGD step with the finite-difference
/// Hessian-vector term. Replaces mixing weights, forward and backward of the architecture pass; weights are restored exactly.
/// </summary>
public sealed class UnrolledArchGradientSystem : ISystem
{
    public string Name => "unrolled-arch-gradient";
    public Access Access { get; } = new Access().Read<StepTensors>().Read<WeightLr>().Read<WeightOptimizerSettings>().Read<OptimizerCounters>()
        .Read<ForwardSettings>().Read<DropMasks>().Read<ForwardProfile>().Read<SupernetRuntime>().Read<Alpha>().Read<Beta>().Read<Momentum>()
        .Write<Weights>().Write<RunningStats>().Write<PassTensors>().Write<AlphaGrad>().Write<BetaGrad>().Write<StepMetrics>();

    public void Run(World.World world, in SystemContext ctx)
    {
        var pass = world.Resource<PassTensors>();
        pass.Renew();
        var step = world.ReadResource<StepTensors>();
        var val = step.Val ?? throw new InvalidOperationException("bilevel search needs an architecture batch");
        var (grads, loss) = Unrolled.ArchGradient(world, world.ReadResource<SupernetRuntime>(), step.Train, val, world.ReadResource<WeightLr>().Value,
            world.ReadResource<WeightOptimizerSettings>(), pass.Scope);
        GradientComponents.SetArch(world, grads, 0, grads.Length); // owned by the pass scope already
        ref var m = ref world.Resource<StepMetrics>();
        m = m with { ValLoss = loss };
    }
}
