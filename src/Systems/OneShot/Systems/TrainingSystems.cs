// The supernet-training phase of a one-shot run: feed, sample a single path, one SGD step on it, clock.
using Nas.Components;
using Nas.Systems.OneShot.BsNas;
using Nas.Systems.OneShot.Search;
using Nas.Systems.OneShot.Supernet;
using Nas.Systems.Search;
using Nas.Torch;
using Nas.World;

namespace Nas.Systems.OneShot.Systems;

/// <summary>Draws this step's training batch while the supernet trains; the evolution phase needs none.</summary>
public sealed class OneShotFeedSystem : ISystem
{
    public string Name => "oneshot-feed";
    public Access Access { get; } = new Access().Read<RunConfig>().Read<SearchClock>().Read<DataFeed>().Write<StepTensors>().Write<StreamPositions>();

    public void Run(World.World world, in SystemContext ctx)
    {
        if (world.Resource<SearchClock>().Epoch >= world.Resource<RunConfig>().Config.Epochs) return;
        var feed = world.Resource<DataFeed>();
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
    public Access Access { get; } = new Access().Read<RunConfig>().Read<SearchClock>().Read<ActiveOptions>().Read<OneShotNetwork>()
        .Write<RngStreams>().Write<SampledPath>();

    public void Run(World.World world, in SystemContext ctx)
    {
        var config = world.Resource<RunConfig>().Config;
        var clock = world.Resource<SearchClock>();
        if (clock.Epoch >= config.Epochs) return;
        var spec = new OneShotSupernet(world).Spec;
        world.TryResource<ActiveOptions>(out var active);
        world.SetResource(new SampledPath(DrawFor(config, spec, active, clock.Epoch, world.Rng(RandomStreams.Path))));
    }

    /// <summary>
    /// <see cref="Draw"/>, or with a FLOPs window configured (`flops_window_max` &gt; 0) SPOS's uniform constraint
    /// sampling over it (§1.3): a FLOPs bin uniformly, then draws until one lands in the bin.
    /// </summary>
    public static int[] DrawFor(SearchConfig config, OneShotNetwork spec, ActiveOptions? active, int epoch, Rng rng)
    {
        if (config.FlopsWindowMax <= 0) return Draw(spec, active, epoch, config.Epochs, rng);
        return ChoiceSpaces.InFlopsBin(OneShotSupernet.ChoiceSpace(spec, active), config.FlopsWindowMin, config.FlopsWindowMax, config.FlopsBin,
            rng.NextInt, () => Draw(spec, active, epoch, config.Epochs, rng));
    }

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
/// One supernet step on the sampled path: forward, label-smoothed cross-entropy, gradients of every trainable tensor
/// (unused ones come back null), clip, SGD. A null gradient skips the tensor entirely — no momentum drift, no weight
/// decay — as SPOS sets unused gradients to None (§1.3). A momentum buffer lives in the store as "name.momentum" from
/// the tensor's first gradient on, so "buffer started" is "buffer present" and survives snapshots and pruning.
/// </summary>
public sealed class SupernetStepSystem : ISystem
{
    public string Name => "supernet-step";
    public Access Access { get; } = new Access().Read<RunConfig>().Read<SearchClock>().Read<StepTensors>().Read<SampledPath>()
        .Read<OneShotNetwork>().Read<ChoiceOp>().Write<StepMetrics>();

    public void Run(World.World world, in SystemContext ctx)
    {
        var config = world.Resource<RunConfig>().Config;
        var clock = world.Resource<SearchClock>();
        if (clock.Epoch >= config.Epochs) return;
        var net = new OneShotSupernet(world);
        var batch = world.Resource<StepTensors>().Train;
        var genome = world.Resource<SampledPath>().Genes;
        long total = Math.Max(1, clock.StepsPerEpoch * config.Epochs);
        long done = clock.Epoch * clock.StepsPerEpoch + clock.StepInEpoch;
        var lr = config.LrMin + (config.Lr - config.LrMin) * (1 - (double)done / total); // linear decay per step (§1.3, §2.3)

        using var scope = new TensorScope();
        var logits = net.Forward(genome, batch.Images, training: true, scope);
        var loss = scope.Own(logits.CrossEntropy(batch.Labels, labelSmoothing: config.LabelSmoothing));
        ref var m = ref world.Resource<StepMetrics>();
        if (!loss.RequiresGrad) // BN-only on NB-201: a path of none/skip/pool has no trainable tensor; nothing to step
        {
            m = m with { TrainLoss = loss.Item(), TrainAccuracy = ForwardLossSystem.Accuracy(logits, batch.Labels, scope), Lr = lr, GradNorm = 0 };
            return;
        }
        var trainable = net.Trainable();
        var grads = Autograd.Grad([loss], trainable.Select(t => t.Tensor).ToArray());
        foreach (var g in grads) if (g is not null) scope.Own(g);
        var norm = GradClip.ClipByNorm(grads, config.GradClip);
        var used = Enumerable.Range(0, grads.Length).Where(i => grads[i] is not null).ToArray();
        var started = new bool[used.Length];
        var buffers = new Tensor[used.Length];
        for (int k = 0; k < used.Length; k++)
        {
            var (owner, name, t) = trainable[used[k]];
            started[k] = world.Tensors.TryGet(owner, name + ".momentum", out var buf);
            buffers[k] = started[k] ? buf : world.Tensors.Add(owner, name + ".momentum", t.ZerosLike());
        }
        Sgd.Step(used.Select(i => trainable[i].Tensor).ToArray(), used.Select(i => grads[i]).ToArray(), buffers,
            new SgdOptions(lr, config.Momentum, 0, config.WeightDecay), started.AsSpan());

        m = m with { TrainLoss = loss.Item(), TrainAccuracy = ForwardLossSystem.Accuracy(logits, batch.Labels, scope), Lr = lr, GradNorm = norm };
    }
}

/// <summary>Counts the step; the evolution is the run's last "epoch", one generation per step (Start, then T generations).</summary>
public sealed class OneShotClockSystem : ISystem
{
    public string Name => "oneshot-clock";
    public Access Access { get; } = new Access().Read<RunConfig>().Write<SearchClock>();

    public void Run(World.World world, in SystemContext ctx)
    {
        var config = world.Resource<RunConfig>().Config;
        ref var clock = ref world.Resource<SearchClock>();
        clock = AdvanceClockSystem.Advance(clock);
        if (clock.Epoch == config.Epochs && clock.StepInEpoch == 0) clock = clock with { StepsPerEpoch = config.Generations + 1 };
    }
}
