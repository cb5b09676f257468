// The schedule of the differentiable methods: the one place that lists a search step's systems in order, like a training loop.
using Nas.Components;
using Nas.Systems.Search;
using Nas.World;

namespace Nas.Systems.Methods;

public static class DifferentiableMethod
{
    public static readonly string[] Phases = ["Feed", "Sample", "Rates", "Architecture", "Weights", "Maintenance"];

    /// <summary>PC-DARTS's warm-up (§3.3): alpha and beta stay frozen for the first warmup_epochs epochs.</summary>
    public static readonly Condition AfterWarmup = new("epoch >= warmup_epochs",
        w => w.ReadResource<SearchClock>().Epoch >= w.ReadResource<ArchOptimizerSettings>().WarmupEpochs);

    /// <summary>
    /// One step, top to bottom. A technique switched on in the config adds its systems here; switched off, they are absent.
    /// Bilevel (§2.3): the architecture step on the architecture batch, then the weight step on the training batch with the
    /// alpha it just moved. One-level (DropNAS, §5.4): one forward and backward for weights and alpha on one batch.
    /// With <paramref name="worldSize"/> ranks (data parallelism, docs/distributed.md) each backward is followed by the
    /// gradients' all-reduce, and the ranks compare their parameters every DataParallel.CheckEvery steps.
    /// </summary>
    public static Schedule Schedule(SearchConfig c, int worldSize = 1)
    {
        var parallel = worldSize > 1;
        var s = new Schedule(Phases);
        s.Add(new FeedBatchesSystem(), "Feed");
        if (c.DropRate > 0) s.Add(new SampleDropMasksSystem(), "Sample"); // masks first (§5.3), shared by all cells of a type
        s.Add(new WeightLrSystem(), "Rates");
        if (c.OneLevel) OneLevel(s, c, parallel);
        else Bilevel(s, c, parallel);
        s.Add(new AdvanceClockSystem(), "Maintenance");
        if (parallel) s.Add(new AgreementCheckSystem(), "Maintenance", when: DataParallel.CheckDue);
        return s;
    }

    private static void Bilevel(Schedule s, SearchConfig c, bool parallel)
    {
        var when = c.WarmupEpochs > 0 ? AfterWarmup : null;
        ArchRates(s, c, "Architecture", when);
        if (c.SecondOrder) s.Add(new UnrolledArchGradientSystem(), "Architecture", when: when);
        else
        {
            s.Add(new MixingWeightsSystem(), "Architecture", when: when);
            s.Add(new ForwardLossSystem(PassBatch.Architecture), "Architecture", when: when);
            s.Add(new BackwardSystem(GradientTargets.Arch), "Architecture", when: when);
        }
        if (parallel) s.Add(new AllReduceGradientsSystem(GradientTargets.Arch), "Architecture", when: when);
        ArchLossScale(s, c, "Architecture", when);
        s.Add(new AdamSystem(coupledDecay: true), "Architecture", when: when);

        s.Add(new MixingWeightsSystem(), "Weights");
        s.Add(new ForwardLossSystem(PassBatch.Train), "Weights");
        s.Add(new BackwardSystem(GradientTargets.Weights), "Weights");
        if (parallel) s.Add(new AllReduceGradientsSystem(GradientTargets.Weights), "Weights");
        s.Add(new GradientClipSystem(), "Weights");
        s.Add(new SgdSystem(coupledDecay: true), "Weights");
    }

    private static void OneLevel(Schedule s, SearchConfig c, bool parallel)
    {
        ArchRates(s, c, "Rates", when: null);
        if (c.DropRate > 0) s.Add(new KeptLogOddsSystem(), "Weights");
        s.Add(new MixingWeightsSystem(), "Weights");
        s.Add(new ForwardLossSystem(PassBatch.Train), "Weights");
        s.Add(new BackwardSystem(GradientTargets.Both), "Weights");  // dropped ops are not computed: their weights get no gradient
        s.Add(new FillMissingGradientsSystem(), "Weights");
        if (parallel) s.Add(new AllReduceGradientsSystem(GradientTargets.Both), "Weights"); // one bucketed call for weights and alpha
        s.Add(new GradientClipSystem(), "Weights");
        s.Add(new SgdSystem(coupledDecay: false), "Weights");           // the decay is the partial-decay step's
        ArchLossScale(s, c, "Weights", c.WarmupEpochs > 0 ? AfterWarmup : null);
        s.Add(new AdamSystem(coupledDecay: false), "Weights", when: c.WarmupEpochs > 0 ? AfterWarmup : null);
        s.Add(new PartialDecaySystem(), "Weights");
        if (c.DropRate > 0) s.Add(new AlphaShiftSystem(), "Weights");
    }

    private static void ArchRates(Schedule s, SearchConfig c, string phase, Condition? when)
    {
        s.Add(new ArchLrSystem(), phase, when: when);
        if (c.ConfidentLrPower > 0 && c.ConfidentLrMode == ConfidentLrMode.Lr) s.Add(new ConfidentLrSystem(), phase, when: when);
    }

    /// <summary>The authors' second-order CLR: c(e) on the architecture loss, i.e. on its gradient, between backward and Adam.</summary>
    private static void ArchLossScale(Schedule s, SearchConfig c, string phase, Condition? when)
    {
        if (c.ConfidentLrPower > 0 && c.ConfidentLrMode == ConfidentLrMode.Loss) s.Add(new ConfidentLossSystem(), phase, when: when);
    }

    /// <summary>
    /// The genotype rule of a composition: the one-level step is DropNAS's (§5.4), whose code derives with pt.darts's parser
    /// on raw α (§5.6); the bilevel methods rank by softmax(α) (and β).
    /// </summary>
    public static DerivationRule DerivationOf(SearchConfig c) => c.OneLevel ? DerivationRule.RawAlpha : DerivationRule.Softmax;

    /// <summary>The configuration split by concern, as the resources the systems read (set on create and on resume).</summary>
    public static void SetSettings(World.World world, SearchConfig c)
    {
        world.SetResource(new WeightOptimizerSettings(c.Lr, c.LrMin, c.Momentum, c.WeightDecay, c.GradClip));
        world.SetResource(new ArchOptimizerSettings(c.ArchLr, c.ArchBeta1, c.ArchBeta2, c.ArchWeightDecay, c.WarmupEpochs));
        world.SetResource(new ForwardSettings(c.Forward));
        world.SetResource(new DerivationSettings(DerivationOf(c)));
        if (c.ConfidentLrPower > 0) world.SetResource(new ConfidentLrSettings(c.ConfidentLrPower, c.ConfidentLrMode));
        if (c.DropRate > 0) world.SetResource(new DropNasSettings(c.DropRate, c.DropRateParameterFree >= 0 ? c.DropRateParameterFree : c.DropRate));
    }
}
