// The schedule of the one-shot methods (SPOS, BN-NAS, BNNAS++, BS-NAS): the one place that lists their systems in order, supernet training steps, then one evolution generation per step.
using Nas.Components;
using Nas.Systems.OneShot.Systems;
using Nas.Systems.Search;
using Nas.World;

namespace Nas.Systems.Methods;

public static class OneShotMethod
{
    public static readonly string[] Phases = ["Feed", "Sample", "Weights", "Shrink", "Search", "Maintenance"];

    public static bool IsOneShot(string method) => method is "spos" or "bn-nas" or "bnnas++" or "bs-nas";

    /// <summary>The supernet trains for its epochs (SPOS §1.3); the clock's last "epoch" is the evolution.</summary>
    public static readonly Condition Training = new("epoch < epochs",
        w => w.ReadResource<SearchClock>().Epoch < w.ReadResource<SupernetTrainingSettings>().Epochs);

    /// <summary>The evolution's steps (§1.5): one generation each, after training.</summary>
    public static readonly Condition Searching = new("epoch = epochs",
        w => w.ReadResource<SearchClock>().Epoch == w.ReadResource<SupernetTrainingSettings>().Epochs);

    /// <summary>BS-NAS (§4.4): the last training step of an epoch that ends a shrink stage.</summary>
    public static readonly Condition ShrinkStageEnd = new("last step of a shrink stage", w =>
    {
        var clock = w.ReadResource<SearchClock>();
        return clock.Epoch < w.ReadResource<SupernetTrainingSettings>().Epochs && clock.StepInEpoch == clock.StepsPerEpoch - 1
            && ShrinkSystem.ScheduleOf(w.ReadResource<ShrinkSettings>()).IsStageEnd(clock.Epoch + 1);
    });

    /// <summary>
    /// One step, top to bottom. A technique switched on in the config adds its systems here; switched off, they are
    /// absent. <paramref name="sampler"/> replaces the path sampling (e.g. a fixed path, for stand-alone training).
    /// With <paramref name="worldSize"/> ranks (data parallelism, docs/distributed.md) the path's gradients are averaged
    /// across the ranks between backward and the clip, and the ranks compare their trainable tensors every
    /// DataParallel.CheckEvery steps.
    /// </summary>
    public static Schedule Schedule(SearchConfig c, ISystem? sampler = null, int worldSize = 1)
    {
        var s = new Schedule(Phases);
        s.Add(new FeedTrainBatchSystem(), "Feed", when: Training);
        s.Add(sampler ?? (c.FlopsWindowMax > 0 ? new SampleFlopsWindowPathSystem() : new SamplePathSystem()), "Sample", when: Training);
        s.Add(new LinearLrSystem(), "Weights", when: Training);
        s.Add(new PathForwardSystem(), "Weights", when: Training);
        s.Add(new PathBackwardSystem(), "Weights", when: Training);
        // The same path on every rank (shared seed), so the same gradients are null; the rest are averaged.
        if (worldSize > 1) s.Add(new AllReduceGradientsSystem(GradientTargets.Weights), "Weights", when: Training);
        s.Add(c.GradClipMode == GradClipMode.Value ? new ClipGradientsByValueSystem() : new GradientClipSystem(), "Weights", when: Training);
        s.Add(new PathSgdSystem(), "Weights", when: Training);
        if (c.Shrink)
        {
            s.Add(new ShrinkSystem(), "Shrink", when: ShrinkStageEnd);        // tags underperforming ops Pruned (§4.4)
            s.Add(new DestroyPrunedSystem(), "Shrink", when: ShrinkStageEnd); // then destroys them with their tensors
        }
        if (c.Fitness == OneShotFitness.BnIndicator) s.Add(new BnScoreTableSystem(), "Search", when: Searching);
        if (c.Fitness == OneShotFitness.Composite) s.Add(new FacetPoolSystem(), "Search", when: Searching);
        s.Add(new EvolveSystem(c.Fitness), "Search", when: Searching);
        s.Add(new OneShotClockSystem(), "Maintenance");
        if (worldSize > 1) s.Add(new AgreementCheckSystem(OneShotSession.Agreed), "Maintenance", when: DataParallel.CheckDue);
        return s;
    }

    /// <summary>The configuration split by concern, as the resources the systems read (set on create and on resume).</summary>
    public static void SetSettings(World.World world, SearchConfig c)
    {
        world.SetResource(new SupernetTrainingSettings(c.Epochs, c.LabelSmoothing));
        world.SetResource(new ForwardSettings(c.OneShotForward));
        world.SetResource(new WeightOptimizerSettings(c.Lr, c.LrMin, c.Momentum, c.WeightDecay, c.GradClip));
        if (c.FlopsWindowMax > 0) world.SetResource(new FlopsWindowSettings(c.FlopsWindowMin, c.FlopsWindowMax, c.FlopsBin));
        if (c.Shrink) world.SetResource(new ShrinkSettings(c.ShrinkFirstStage, c.ShrinkLaterStage, c.ShrinkRemove, c.ShrinkSubnets, c.ShrinkStopAtSize, c.ShrinkCriterion));
        world.SetResource(new OneShotOptimizerRules(c.GradClipMode, c.WeightDecayScope));
        world.SetResource(new EvolutionSettings(c.Population, c.Generations, c.FlopsLimit, c.Seed, c.Nb201Dedupe, c.ParamsLimit));
        if (c.Fitness == OneShotFitness.Composite) world.SetResource(new FacetSettings(c.Facets, c.FacetPool, c.FacetProbe, c.FacetDraws, c.Seed));
    }
}
