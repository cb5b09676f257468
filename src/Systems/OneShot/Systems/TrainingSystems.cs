// The supernet-training phase of a one-shot run, before the step proper: feed the batch, sample a single path, the step's lr; and the clock.
using Nas.Components;
using Nas.Systems.OneShot.BsNas;
using Nas.Systems.OneShot.Search;
using Nas.Systems.OneShot.Supernet;
using Nas.Systems.Search;
using Nas.World;

namespace Nas.Systems.OneShot.Systems;

/// <summary>Draws this step's training batch (the evolution phase needs none, so the schedule runs this only while the supernet trains).</summary>
public sealed class FeedTrainBatchSystem : ISystem
{
    public string Name => "feed-train-batch";
    public Access Access { get; } = new Access().Read<DataFeed>().Write<StepTensors>().Write<StreamPositions>();

    public void Run(World.World world, in SystemContext ctx)
    {
        var feed = world.ReadResource<DataFeed>();
        var step = world.Resource<StepTensors>();
        step.Renew();
        step.Train = feed.Train.Next(step.Scope);
        world.SetResource(new StreamPositions(feed.Train.State, null));
    }
}

/// <summary>
/// Uniform single-path sampling (§1.3, §2.3): each layer uniform over its admissible genes, from the world's RNG. BS-NAS
/// draws only active options and, per the broadening schedule, admissible widths (§4.3).
/// </summary>
public sealed class SamplePathSystem : ISystem
{
    public string Name => "sample-path";
    public Access Access { get; } = new Access().Read<SupernetTrainingSettings>().Read<SearchClock>().Read<ActiveOptions>().Read<OneShotNetwork>()
        .Write<RngStreams>().Write<SampledPath>();

    public void Run(World.World world, in SystemContext ctx)
    {
        var epochs = world.ReadResource<SupernetTrainingSettings>().Epochs;
        world.TryResource<ActiveOptions>(out var active);
        var genes = Draw(OneShotSupernet.SpecOf(world), active, world.ReadResource<SearchClock>().Epoch, epochs, world.Rng(RandomStreams.Path));
        world.SetResource(new SampledPath(genes));
    }

    /// <summary><see cref="Draw"/>, or within a FLOPs window (<paramref name="window"/> not null) SPOS's uniform constraint sampling (§1.3).</summary>
    public static int[] DrawFor(FlopsWindowSettings? window, OneShotNetwork spec, ActiveOptions? active, int epoch, int epochs, Rng rng) =>
        window is null ? Draw(spec, active, epoch, epochs, rng) : SampleFlopsWindowPathSystem.Draw(window, spec, active, epoch, epochs, rng);

    public static int[] Draw(OneShotNetwork spec, ActiveOptions? active, int epoch, int epochs, Rng rng)
    {
        var space = OneShotSupernet.ChoiceSpace(spec, active);
        var genome = new int[space.Layers];
        var broadening = BroadeningSchedule.For(epochs);
        var layers = Mobile.MobileSpace.Tiny28(identity: true, spec.Classes).LayerSpecs;
        for (int l = 0; l < genome.Length; l++)
        {
            IReadOnlyList<int> choices = space.Choices(l);
            if (spec.Spring)
            {
                var admissible = Spring.AdmissibleWidths(layers[l].Out, broadening, epoch);
                var narrowed = choices.Where(g => BsNasGene.Op(g) == -1 || admissible.Contains(BsNasGene.Width(g))).ToArray();
                if (narrowed.Length > 0) choices = narrowed;
            }
            genome[l] = choices[rng.NextInt(choices.Count)];
        }
        space.Canonicalize(genome);
        return genome;
    }
}

/// <summary>
/// SPOS's training-time FLOPs window (§1.3) in place of <see cref="SamplePathSystem"/>: one of the window's FLOPs bins
/// uniformly, then uniform paths drawn until one lands in it.
/// </summary>
public sealed class SampleFlopsWindowPathSystem : ISystem
{
    public string Name => "sample-path-in-flops-window";
    public Access Access { get; } = new Access().Read<SupernetTrainingSettings>().Read<FlopsWindowSettings>().Read<SearchClock>().Read<ActiveOptions>()
        .Read<OneShotNetwork>().Write<RngStreams>().Write<SampledPath>();

    public void Run(World.World world, in SystemContext ctx)
    {
        var epochs = world.ReadResource<SupernetTrainingSettings>().Epochs;
        world.TryResource<ActiveOptions>(out var active);
        var genes = Draw(world.ReadResource<FlopsWindowSettings>(), OneShotSupernet.SpecOf(world), active, world.ReadResource<SearchClock>().Epoch, epochs,
            world.Rng(RandomStreams.Path));
        world.SetResource(new SampledPath(genes));
    }

    public static int[] Draw(FlopsWindowSettings window, OneShotNetwork spec, ActiveOptions? active, int epoch, int epochs, Rng rng) =>
        ChoiceSpaces.InFlopsBin(OneShotSupernet.ChoiceSpace(spec, active), window.Min, window.Max, window.Bin,
            rng.NextInt, () => SamplePathSystem.Draw(spec, active, epoch, epochs, rng));
}

/// <summary>The step's weight lr: linear decay from lr to lr_min over all training steps (§1.3, §2.3), per step.</summary>
public sealed class LinearLrSystem : ISystem
{
    public string Name => "linear-lr";
    public Access Access { get; } = new Access().Read<SearchClock>().Read<SupernetTrainingSettings>().Read<WeightOptimizerSettings>()
        .Write<WeightLr>().Write<StepMetrics>();

    public void Run(World.World world, in SystemContext ctx)
    {
        var o = world.ReadResource<WeightOptimizerSettings>();
        var lr = At(world.ReadResource<SearchClock>(), world.ReadResource<SupernetTrainingSettings>().Epochs, o.Lr, o.LrMin);
        world.SetResource(new WeightLr(lr));
        ref var m = ref world.Resource<StepMetrics>();
        m = m with { Lr = lr };
    }

    public static double At(SearchClock clock, int epochs, double lr, double lrMin)
    {
        long total = Math.Max(1, clock.StepsPerEpoch * epochs);
        long done = clock.Epoch * clock.StepsPerEpoch + clock.StepInEpoch;
        return lrMin + (lr - lrMin) * (1 - (double)done / total);
    }
}

/// <summary>Counts the step; the evolution is the run's last "epoch", one generation per step (Start, then T generations).</summary>
public sealed class OneShotClockSystem : ISystem
{
    public string Name => "oneshot-clock";
    public Access Access { get; } = new Access().Read<SupernetTrainingSettings>().Read<EvolutionSettings>().Write<SearchClock>();

    public void Run(World.World world, in SystemContext ctx)
    {
        var epochs = world.ReadResource<SupernetTrainingSettings>().Epochs;
        ref var clock = ref world.Resource<SearchClock>();
        clock = AdvanceClockSystem.Advance(clock);
        if (clock.Epoch == epochs && clock.StepInEpoch == 0) clock = clock with { StepsPerEpoch = world.ReadResource<EvolutionSettings>().Generations + 1 };
    }
}
