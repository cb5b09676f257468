// The effective configuration of a search: a method preset, then a config file, then command-line flags. Stored in the world as a resource.
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
    /// <summary>DropNAS drop rate r (0 = off): each op dropped with probability r^(1/|group|).</summary>
    public double DropRate { get; init; }
    /// <summary>One-level search: weights and alphas updated on the same batch (DropNAS).</summary>
    public bool OneLevel { get; init; }
    /// <summary>Broad space: number of convolution blocks and enhancement cells (§4.2).</summary>
    public int ConvBlocks { get; init; } = 2;
    public int EnhancementCells { get; init; } = 1;

    public static IReadOnlyList<string> Methods { get; } =
        ["darts", "pc-darts", "bnas-d", "bnas-v2-clr", "bnas-v2-pc", "dropnas", "spos", "bn-nas", "bnnas++", "bs-nas"];
}
