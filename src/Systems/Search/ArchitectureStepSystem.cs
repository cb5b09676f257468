// The architecture step of bilevel search (§2.3 step 2): forward on the architecture batch, gradient of alpha (and beta), Adam.
using Nas.Components;
using Nas.Systems.Spaces.Darts;
using Nas.Torch;
using Nas.World;

namespace Nas.Systems.Search;

public sealed class ArchitectureStepSystem : ISystem
{
    public string Name => "architecture-step";
    public Access Access { get; } = new Access().Read<RunConfig>().Read<SearchClock>().Read<StepTensors>().Read<SupernetRuntime>().Read<ForwardProfile>()
        .Write<OptimizerCounters>().Write<StepMetrics>();

    public void Run(World.World world, in SystemContext ctx)
    {
        var config = world.Resource<RunConfig>().Config;
        var clock = world.Resource<SearchClock>();
        if (clock.Epoch < config.WarmupEpochs) return; // PC-DARTS warm-up: alpha and beta stay frozen (§3.3)
        var net = world.Resource<SupernetRuntime>();
        var batch = world.Resource<StepTensors>().Val ?? throw new InvalidOperationException("bilevel search needs an architecture batch");
        var counters = world.Resource<OptimizerCounters>();
        var lr = config.ArchLr * LearningRate.Confidence(clock.Epoch, clock.Epochs, config.ConfidentLrPower);

        using var scope = new TensorScope();
        Tensor?[] grads;
        double loss;
        if (config.SecondOrder)
        {
            var train = world.Resource<StepTensors>().Train;
            var eta = LearningRate.Cosine(config.Lr, config.LrMin, clock.Epoch, clock.Epochs);
            (grads, loss) = Unrolled.ArchGradient(world, net, train, batch, eta, config, scope);
        }
        else
        {
            var logits = SearchForward.Logits(world, net, batch.Images, scope);
            var l = scope.Own(logits.CrossEntropy(batch.Labels));
            loss = l.Item();
            grads = Autograd.Grad([l], net.Arch);
        }
        foreach (var g in grads) if (g is not null) scope.Own(g);
        Adam.Step(net.Arch, grads, net.ArchExpAvg, net.ArchExpAvgSq, counters.ArchSteps,
            new AdamOptions(lr, config.ArchBeta1, config.ArchBeta2, 1e-8, config.ArchWeightDecay));
        ref var m = ref world.Resource<StepMetrics>();
        m = m with { ValLoss = loss, ArchLr = lr };
    }
}
