// The weight step (§2.3 step 3): forward on the training batch with the updated alphas, backward, clip, SGD with momentum.
using Nas.Components;
using Nas.Systems.Spaces.Darts;
using Nas.Torch;
using Nas.World;

namespace Nas.Systems.Search;

public sealed class WeightStepSystem : ISystem
{
    public string Name => "weight-step";
    public Access Access { get; } = new Access().Read<RunConfig>().Read<SearchClock>().Read<StepTensors>().Read<SupernetRuntime>().Read<ForwardProfile>()
        .Write<OptimizerCounters>().Write<StepMetrics>();

    public void Run(World.World world, in SystemContext ctx)
    {
        var config = world.Resource<RunConfig>().Config;
        var clock = world.Resource<SearchClock>();
        var net = world.Resource<SupernetRuntime>();
        var batch = world.Resource<StepTensors>().Train;
        var counters = world.Resource<OptimizerCounters>();
        var lr = LearningRate.Cosine(config.Lr, config.LrMin, clock.Epoch, clock.Epochs);

        using var scope = new TensorScope();
        var logits = SearchForward.Logits(world, net, batch.Images, scope);
        var loss = scope.Own(logits.CrossEntropy(batch.Labels));
        var grads = Autograd.Grad([loss], net.Weights);
        foreach (var g in grads) if (g is not null) scope.Own(g);
        var norm = GradClip.ClipByNorm(grads, config.GradClip);
        Sgd.Step(net.Weights, grads, net.Momentum, new SgdOptions(lr, config.Momentum, 0, config.WeightDecay), counters.MomentumStarted);

        ref var m = ref world.Resource<StepMetrics>();
        m = m with { TrainLoss = loss.Item(), TrainAccuracy = Accuracy(logits, batch.Labels, scope), Lr = lr, GradNorm = norm };
    }

    public static double Accuracy(Tensor logits, Tensor labels, TensorScope scope)
    {
        var predicted = scope.Own(logits.Argmax(1));
        var correct = scope.Own(predicted.Eq(labels));
        var asFloat = scope.Own(correct.To(DType.Float32));
        return scope.Own(asFloat.Mean()).Item();
    }
}
