// The effective configuration of a search: a method preset, then a config file, then command-line flags. Stored in the world as a resource.
using Nas.Components;
using Nas.Systems.Spaces.Darts;

namespace Nas.Systems.Methods;

public enum SearchSpace { Stacked, Broad }

public sealed record SearchConfig
{
    public string Method { get; init; } = "darts";
    public SearchSpace Space { get; init; } = SearchSpace.Stacked;
    public string Dataset { get; init; } = "fashion-mnist";
    public int Subset { get; init; }
    public int Layers { get; init; } = 8;
    public int Channels { get; init; } = 16;
    public int Nodes { get; init; } = 4;
    public int Batch { get; init; } = 64;
    public int Epochs { get; init; } = 50;
    /// <summary>Stop after this many steps in total (0 = run all epochs).</summary>
    public long Steps { get; init; }
    public ulong Seed { get; init; } = 2;
    public int Threads { get; init; } = Environment.ProcessorCount;
    public string Device { get; init; } = "cpu";
    public long SnapshotEvery { get; init; }
    public int SnapshotKeep { get; init; } = 3;
    public double TrainPortion { get; init; } = 0.5;
    /// <summary>The supernet forward: batched (fast, the default) or reference (the plain per-op path it is tested against).</summary>
    public ForwardMode Forward { get; init; } = ForwardMode.Batched;

    // Weight optimiser (SGD, cosine schedule per epoch).
    public double Lr { get; init; } = 0.025;
    public double LrMin { get; init; } = 0.001;
    public double Momentum { get; init; } = 0.9;
    public double WeightDecay { get; init; } = 3e-4;
    public double GradClip { get; init; } = 5;

    // Architecture optimiser (Adam, coupled L2).
    public double ArchLr { get; init; } = 3e-4;
    public double ArchBeta1 { get; init; } = 0.5;
    public double ArchBeta2 { get; init; } = 0.999;
    public double ArchWeightDecay { get; init; } = 1e-3;
    /// <summary>Epochs during which alpha (and beta) stay frozen (PC-DARTS warm-up).</summary>
    public int WarmupEpochs { get; init; }
    public bool SecondOrder { get; init; }

    // Techniques that can be switched on in any combination the checks allow.
    /// <summary>Partial channel connections: 1/K of the channels go through the mixed op (1 = off).</summary>
    public int PartialChannels { get; init; } = 1;
    public bool EdgeNormalization { get; init; }
    /// <summary>Confident learning rate power p (0 = off): alpha lr × ((e+1)/E)^p.</summary>
    public double ConfidentLrPower { get; init; }
    /// <summary>Whether c(e) scales the architecture lr (default) or the architecture loss, as the authors' second-order code does.</summary>
    public Nas.Components.ConfidentLrMode ConfidentLrMode { get; init; } = Nas.Components.ConfidentLrMode.Lr;
    /// <summary>DropNAS drop rate r (0 = off): each op dropped with probability r^(1/|group|); r_p, and r_np unless set below.</summary>
    public double DropRate { get; init; }
    /// <summary>DropNAS r_np, the parameter-free group's rate (pools, skip, none); negative = the same as <see cref="DropRate"/>.</summary>
    public double DropRateParameterFree { get; init; } = -1;
    /// <summary>DropNAS's op set: its own order, or the 1-skip / 3-skip variants of §5.2.</summary>
    public Nas.Components.DropNasSpace DropnasSpace { get; init; } = Nas.Components.DropNasSpace.Original;
    /// <summary>One-level search: weights and alphas updated on the same batch (DropNAS).</summary>
    public bool OneLevel { get; init; }
    /// <summary>Broad space: number of convolution blocks and enhancement cells (§4.2).</summary>
    public int ConvBlocks { get; init; } = 2;
    public int EnhancementCells { get; init; } = 1;

    // One-shot family (methods.md part 2; see docs/one-shot.md for which defaults are ours [I]).
    public Nas.Components.OneShotSpaceKind OneShotSpace { get; init; } = Nas.Components.OneShotSpaceKind.Mobile;
    /// <summary>NB-201 cells per stage (§5.2: 5).</summary>
    public int CellsPerStage { get; init; } = 5;
    public double LabelSmoothing { get; init; }
    /// <summary>BN-only supernet training (§2.3) and which BN parameters train.</summary>
    public bool BnOnly { get; init; }
    public Nas.Components.BnScope BnScope { get; init; } = Nas.Components.BnScope.LastBnPerOp;
    /// <summary>BNNAS++'s unbiased supernet: an output BN on every non-zero op (§3.2).</summary>
    public bool UnbiasedBn { get; init; }
    public Nas.Components.OneShotFitness Fitness { get; init; } = Nas.Components.OneShotFitness.Accuracy;
    /// <summary>BNNAS++ facets in the combination: any of the letters e, t, u (§3.3).</summary>
    public string Facets { get; init; } = "etu";
    public int FacetPool { get; init; } = 32;
    public int FacetProbe { get; init; } = 32;
    public int FacetDraws { get; init; } = 4;
    public int Population { get; init; } = 50;
    public int Generations { get; init; } = 20;
    /// <summary>FLOPs (MACs) cap of the evolution; 0 = none.</summary>
    public double FlopsLimit { get; init; }
    /// <summary>
    /// SPOS's training-time FLOPs window (§1.3): with <see cref="FlopsWindowMax"/> &gt; 0, each step's path is drawn by
    /// picking one of the [min, max] bins of <see cref="FlopsBin"/> MACs uniformly, then drawing until one lands in it.
    /// </summary>
    public double FlopsWindowMin { get; init; }
    public double FlopsWindowMax { get; init; }
    public double FlopsBin { get; init; }
    /// <summary>NB-201 only: the evolution evaluates one cell per class of this equivalence (none = every distinct genome).</summary>
    public Nas.Components.Nb201Dedupe Nb201Dedupe { get; init; } = Nas.Components.Nb201Dedupe.None;
    public int RecalibrationBatches { get; init; } = 20;
    public int EvalBatches { get; init; } = 10;
    /// <summary>BS-NAS: spring widths (§4.3) and shrinking (§4.4).</summary>
    public bool Spring { get; init; }
    public bool Shrink { get; init; }
    public int ShrinkFirstStage { get; init; } = 10;
    public int ShrinkLaterStage { get; init; } = 1;
    public int ShrinkRemove { get; init; } = 7;
    public int ShrinkSubnets { get; init; } = 100;
    public double ShrinkStopAtSize { get; init; } = 1e6;
    /// <summary>How shrinking scores options: BN-recalibrated accuracy (default) or ABS's weight angle (§4.4).</summary>
    public Nas.Components.ShrinkCriterion ShrinkCriterion { get; init; } = Nas.Components.ShrinkCriterion.Accuracy;

    public static IReadOnlyList<string> Methods { get; } =
        ["darts", "pc-darts", "bnas-d", "bnas-v2-clr", "bnas-v2-pc", "dropnas", "spos", "bn-nas", "bnnas++", "bs-nas"];
}
