// The effective configuration of a search: a method preset, then a config file, then command-line flags. Stored in the world as the RunConfig resource.
using Nas.World;

namespace Nas.Components;

public enum SearchSpace { Stacked, Broad }

/// <summary>How a <see cref="SearchConfig"/> member or enum value is spelled in config files and messages: snake_case.</summary>
public static class ConfigKeys
{
    /// <summary>"ArchLr" -> "arch_lr", "OneSkip" -> "one_skip".</summary>
    public static string SnakeCase(string name)
    {
        var sb = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) sb.Append('_');
            sb.Append(char.ToLowerInvariant(name[i]));
        }
        return sb.ToString();
    }

    /// <summary>The config spelling of an enum value.</summary>
    public static string Of(Enum value) => SnakeCase(value.ToString());
}

public sealed record SearchConfig
{
    [SnapshotKey("Method")] public string Method { get; init; } = "darts";
    [SnapshotKey("Space")] public SearchSpace Space { get; init; } = SearchSpace.Stacked;
    [SnapshotKey("Dataset")] public string Dataset { get; init; } = "fashion-mnist";
    [SnapshotKey("Subset")] public int Subset { get; init; }
    [SnapshotKey("Layers")] public int Layers { get; init; } = 8;
    [SnapshotKey("Channels")] public int Channels { get; init; } = 16;
    [SnapshotKey("Nodes")] public int Nodes { get; init; } = 4;
    [SnapshotKey("Batch")] public int Batch { get; init; } = 64;
    [SnapshotKey("Epochs")] public int Epochs { get; init; } = 50;
    /// <summary>Stop after this many steps in total (0 = run all epochs).</summary>
    [SnapshotKey("Steps")] public long Steps { get; init; }
    [SnapshotKey("Seed")] public ulong Seed { get; init; } = 2;
    [SnapshotKey("Threads")] public int Threads { get; init; } = Environment.ProcessorCount;
    [SnapshotKey("Device")] public string Device { get; init; } = "cpu";
    [SnapshotKey("SnapshotEvery")] public long SnapshotEvery { get; init; }
    [SnapshotKey("SnapshotKeep")] public int SnapshotKeep { get; init; } = 3;
    [SnapshotKey("TrainPortion")] public double TrainPortion { get; init; } = 0.5;
    /// <summary>The supernet forward: batched (fast, the default) or reference (the plain per-op path it is tested against).</summary>
    [SnapshotKey("Forward")] public ForwardMode Forward { get; init; } = ForwardMode.Batched;
    /// <summary>
    /// The one-shot methods' kernel set: reference (the default: their golden runs were recorded on it) or batched (the fast
    /// set, equal up to float32 rounding). A key of its own: snapshots written before it carry forward: batched for one-shot
    /// runs that ran the reference forward, and resume them on it.
    /// </summary>
    [SnapshotKey("OneShotForward")] public ForwardMode OneShotForward { get; init; } = ForwardMode.Reference;

    // Weight optimiser (SGD, cosine schedule per epoch).
    [SnapshotKey("Lr")] public double Lr { get; init; } = 0.025;
    [SnapshotKey("LrMin")] public double LrMin { get; init; } = 0.001;
    [SnapshotKey("Momentum")] public double Momentum { get; init; } = 0.9;
    [SnapshotKey("WeightDecay")] public double WeightDecay { get; init; } = 3e-4;
    [SnapshotKey("GradClip")] public double GradClip { get; init; } = 5;

    // Architecture optimiser (Adam, coupled L2).
    [SnapshotKey("ArchLr")] public double ArchLr { get; init; } = 3e-4;
    [SnapshotKey("ArchBeta1")] public double ArchBeta1 { get; init; } = 0.5;
    [SnapshotKey("ArchBeta2")] public double ArchBeta2 { get; init; } = 0.999;
    [SnapshotKey("ArchWeightDecay")] public double ArchWeightDecay { get; init; } = 1e-3;
    /// <summary>Epochs during which alpha (and beta) stay frozen (PC-DARTS warm-up).</summary>
    [SnapshotKey("WarmupEpochs")] public int WarmupEpochs { get; init; }
    [SnapshotKey("SecondOrder")] public bool SecondOrder { get; init; }

    // Techniques that can be switched on in any combination the checks allow.
    /// <summary>Partial channel connections: 1/K of the channels go through the mixed op (1 = off).</summary>
    [SnapshotKey("PartialChannels")] public int PartialChannels { get; init; } = 1;
    [SnapshotKey("EdgeNormalization")] public bool EdgeNormalization { get; init; }
    /// <summary>Confident learning rate power p (0 = off): alpha lr × ((e+1)/E)^p.</summary>
    [SnapshotKey("ConfidentLrPower")] public double ConfidentLrPower { get; init; }
    /// <summary>Whether c(e) scales the architecture lr (default) or the architecture loss, as the authors' second-order code does.</summary>
    [SnapshotKey("ConfidentLrMode")] public ConfidentLrMode ConfidentLrMode { get; init; } = ConfidentLrMode.Lr;
    /// <summary>DropNAS drop rate r (0 = off): each op dropped with probability r^(1/|group|); r_p, and r_np unless set below.</summary>
    [SnapshotKey("DropRate")] public double DropRate { get; init; }
    /// <summary>DropNAS r_np, the parameter-free group's rate (pools, skip, none); negative = the same as <see cref="DropRate"/>.</summary>
    [SnapshotKey("DropRateParameterFree")] public double DropRateParameterFree { get; init; } = -1;
    /// <summary>DropNAS's op set: its own order, or the 1-skip / 3-skip variants of §5.2.</summary>
    [SnapshotKey("DropnasSpace")] public DropNasSpace DropnasSpace { get; init; } = DropNasSpace.Original;
    /// <summary>One-level search: weights and alphas updated on the same batch (DropNAS).</summary>
    [SnapshotKey("OneLevel")] public bool OneLevel { get; init; }
    /// <summary>Broad space: number of convolution blocks and enhancement cells (§4.2).</summary>
    [SnapshotKey("ConvBlocks")] public int ConvBlocks { get; init; } = 2;
    [SnapshotKey("EnhancementCells")] public int EnhancementCells { get; init; } = 1;

    // One-shot family (methods.md part 2; see docs/one-shot.md for which defaults are ours [I]).
    [SnapshotKey("OneShotSpace")] public OneShotSpaceKind OneShotSpace { get; init; } = OneShotSpaceKind.Mobile;
    /// <summary>NB-201 cells per stage (§5.2: 5).</summary>
    [SnapshotKey("CellsPerStage")] public int CellsPerStage { get; init; } = 5;
    [SnapshotKey("LabelSmoothing")] public double LabelSmoothing { get; init; }
    /// <summary>BN-only supernet training (§2.3) and which BN parameters train.</summary>
    [SnapshotKey("BnOnly")] public bool BnOnly { get; init; }
    [SnapshotKey("BnScope")] public BnScope BnScope { get; init; } = BnScope.LastBnPerOp;
    /// <summary>BNNAS++'s unbiased supernet: an output BN on every non-zero op (§3.2).</summary>
    [SnapshotKey("UnbiasedBn")] public bool UnbiasedBn { get; init; }
    /// <summary>How the evolution scores a candidate (<see cref="OneShotFitness"/>); the zero-cost proxies (naswot … flops) on NB-201 only.</summary>
    [SnapshotKey("Fitness")] public OneShotFitness Fitness { get; init; } = OneShotFitness.Accuracy;
    /// <summary>BNNAS++ facets in the combination: any of the letters e, t, u (§3.3).</summary>
    [SnapshotKey("Facets")] public string Facets { get; init; } = "etu";
    [SnapshotKey("FacetPool")] public int FacetPool { get; init; } = 32;
    [SnapshotKey("FacetProbe")] public int FacetProbe { get; init; } = 32;
    [SnapshotKey("FacetDraws")] public int FacetDraws { get; init; } = 4;
    [SnapshotKey("Population")] public int Population { get; init; } = 50;
    [SnapshotKey("Generations")] public int Generations { get; init; } = 20;
    /// <summary>FLOPs (MACs) cap of the evolution; 0 = none. Every one-shot preset sets one (docs/techniques.md says how it was chosen).</summary>
    [SnapshotKey("FlopsLimit")] public double FlopsLimit { get; init; }
    /// <summary>Parameter-count cap of the evolution, the same rule as <see cref="FlopsLimit"/>; 0 = none.</summary>
    [SnapshotKey("ParamsLimit")] public double ParamsLimit { get; init; }
    /// <summary>One-shot training: clip the gradients by global norm (default) or each element by value (BN-NAS's code), at <see cref="GradClip"/>.</summary>
    [SnapshotKey("GradClipMode")] public GradClipMode GradClipMode { get; init; } = GradClipMode.Norm;
    /// <summary>One-shot training: weight decay on every trained tensor (default) or on conv and linear weights only (BN-NAS's code: no BN γ/β, no bias).</summary>
    [SnapshotKey("WeightDecayScope")] public WeightDecayScope WeightDecayScope { get; init; } = WeightDecayScope.All;
    /// <summary>One-shot supernet BatchNorms with γ and β (default); false = affine=False, as SPOS's official supernet.</summary>
    [SnapshotKey("BnAffine")] public bool BnAffine { get; init; } = true;
    /// <summary>Mobile space: identity a searchable choice where stride 1 and widths match (default), or off (fixed depth, as BN-NAS's code).</summary>
    [SnapshotKey("IdentityChoice")] public IdentityChoice IdentityChoice { get; init; } = IdentityChoice.Searchable;
    /// <summary>
    /// SPOS's training-time FLOPs window (§1.3): with <see cref="FlopsWindowMax"/> &gt; 0, each step's path is drawn by
    /// picking one of the [min, max] bins of <see cref="FlopsBin"/> MACs uniformly, then drawing until one lands in it.
    /// </summary>
    [SnapshotKey("FlopsWindowMin")] public double FlopsWindowMin { get; init; }
    [SnapshotKey("FlopsWindowMax")] public double FlopsWindowMax { get; init; }
    [SnapshotKey("FlopsBin")] public double FlopsBin { get; init; }
    /// <summary>NB-201 only: the evolution evaluates one cell per class of this equivalence (none = every distinct genome).</summary>
    [SnapshotKey("Nb201Dedupe")] public Nb201Dedupe Nb201Dedupe { get; init; } = Nb201Dedupe.None;
    [SnapshotKey("RecalibrationBatches")] public int RecalibrationBatches { get; init; } = 20;
    [SnapshotKey("EvalBatches")] public int EvalBatches { get; init; } = 10;
    /// <summary>BS-NAS: spring widths (§4.3) and shrinking (§4.4).</summary>
    [SnapshotKey("Spring")] public bool Spring { get; init; }
    [SnapshotKey("Shrink")] public bool Shrink { get; init; }
    [SnapshotKey("ShrinkFirstStage")] public int ShrinkFirstStage { get; init; } = 10;
    [SnapshotKey("ShrinkLaterStage")] public int ShrinkLaterStage { get; init; } = 1;
    [SnapshotKey("ShrinkRemove")] public int ShrinkRemove { get; init; } = 7;
    [SnapshotKey("ShrinkSubnets")] public int ShrinkSubnets { get; init; } = 100;
    [SnapshotKey("ShrinkStopAtSize")] public double ShrinkStopAtSize { get; init; } = 1e6;
    /// <summary>How shrinking scores options: BN-recalibrated accuracy (default) or ABS's weight angle (§4.4).</summary>
    [SnapshotKey("ShrinkCriterion")] public ShrinkCriterion ShrinkCriterion { get; init; } = ShrinkCriterion.Accuracy;

    public static IReadOnlyList<string> Methods { get; } =
        ["darts", "pc-darts", "bnas-d", "bnas-v2-clr", "bnas-v2-pc", "dropnas", "spos", "bn-nas", "bnnas++", "bs-nas"];
}

/// <summary>The effective configuration, as a resource systems can read; snapshotted, so a resume knows the data set and method.</summary>
[Resource("nas.search.config", 1)]
public sealed record RunConfig([SnapshotKey("Config")] SearchConfig Config);
