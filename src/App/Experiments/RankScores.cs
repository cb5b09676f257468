// The scores the rank experiment correlates with ground truth: one interface, one registry; a new score is one line in RankScores.All.
using System.Diagnostics;
using Nas.Components;
using Nas.Systems.Data;
using Nas.Systems.Methods;
using Nas.Systems.OneShot;
using Nas.Systems.OneShot.Indicators;
using Nas.Systems.OneShot.NasBench201;
using Nas.Systems.OneShot.Proxies;
using Nas.Systems.OneShot.Search;
using Nas.Systems.OneShot.Systems;
using Nas.Systems.Search;
using Nas.Torch;
using Nas.World;

namespace Nas.App.Experiments;

/// <summary>What a score sees: the sampled cells (in sample order), the training data, the options, a log for progress.</summary>
public sealed class RankScoreContext(IReadOnlyList<int[]> cells, Dataset data, RankExperimentOptions options, TextWriter log) : IDisposable
{
    private TensorScope? _probeScope;
    private (Tensor Images, Tensor Labels)? _probe;

    public IReadOnlyList<int[]> Cells { get; } = cells;
    public Dataset Data { get; } = data;
    public RankExperimentOptions Options { get; } = options;
    public TextWriter Log { get; } = log;

    /// <summary>The skeleton every cell is trained and scored in: C = Options.Channels, one cell per stage, the data's shape.</summary>
    public Nb201Layout Layout => new(Options.Channels, 1, Data.Channels, Data.Height, Data.Classes);

    /// <summary>The network every cell's ground truth trains (the one-shot NB-201 network of the options), for scores that build it afresh.</summary>
    public OneShotNetwork Network => OneShotSession.NetworkOf(RankTraining.Config(Options, Data, "spos"), Data);

    /// <summary>
    /// One fixed batch for scores computed without training (zero-cost proxies): the first <c>Options.Batch</c> images of
    /// the training split with their labels, unaugmented, normalised as in training. Built on first use; owned by the context.
    /// </summary>
    public (Tensor Images, Tensor Labels) Probe
    {
        get
        {
            if (_probe is { } p) return p;
            _probeScope = new TensorScope();
            var split = Split.Darts(Data.Count, RankTraining.Config(Options, Data, "spos").TrainPortion);
            _probe = OneShotSession.ProbeBatch(Data, split, Options.Batch, _probeScope);
            return _probe.Value;
        }
    }

    public void Dispose() => _probeScope?.Dispose();

    /// <summary>The seed every cell's ground-truth network is initialised from (a proxy scoring "at initialisation" uses the same).</summary>
    public ulong GroundTruthSeed => RankTraining.TrainingSeed(Options, replica: 0);

    /// <summary>Lines for the summary below the table (e.g. supernet step times).</summary>
    public List<string> Notes { get; } = [];

    /// <summary>Median seconds per supernet step, by method (filled by the supernet scores; the summary prints spos / bn-nas, full / BN-only).</summary>
    public Dictionary<string, double> MedianStepSeconds { get; } = [];
}

/// <summary>
/// One source of scores. <see cref="Key"/> is the name <c>--scores</c> selects it by; <see cref="Columns"/> are the
/// columns it yields (one for most; one supernet can yield several). Every value predicts "higher is better"; −∞ is
/// allowed (ranked below everything), NaN is not.
/// </summary>
public interface IRankScore
{
    string Key { get; }
    IReadOnlyList<string> Columns { get; }

    /// <summary>One array per column, one value per cell of <see cref="RankScoreContext.Cells"/>.</summary>
    double[][] Compute(RankScoreContext context);
}

/// <summary>A score computed for each cell on its own (no shared supernet): params, FLOPs, a zero-cost proxy.</summary>
public sealed record PerCellScore(string Key, string Column, Func<RankScoreContext, int[], double> Score) : IRankScore
{
    public IReadOnlyList<string> Columns => [Column];
    public double[][] Compute(RankScoreContext context) => [context.Cells.Select(g => Score(context, g)).ToArray()];
}

public static class RankScores
{
    /// <summary>Every score, in table order. A new score is one line here (keys must stay unique).</summary>
    public static IReadOnlyList<IRankScore> All { get; } =
    [
        new PerCellScore("params", "params", (c, g) => Nb201Network.NetworkCost(g, c.Layout).Params),
        new PerCellScore("flops", "FLOPs", (c, g) => Nb201Network.NetworkCost(g, c.Layout).Macs),
        new SposAccuracyScore(),
        new BnNasBiasedScore(),
        new BnnasPlusPlusScores(),
        // Zero-cost proxies (src/Systems/OneShot/Proxies, docs/proxies.md): the ground truth's initial network, one probe batch.
        Proxy(ProxyKind.Naswot),
        Proxy(ProxyKind.Synflow),
        Proxy(ProxyKind.Snip),
        Proxy(ProxyKind.GradNorm),
    ];

    private static PerCellScore Proxy(ProxyKind kind) =>
        new(ZeroCostProxies.Name(kind), ZeroCostProxies.Name(kind), (c, g) => ZeroCostProxies.Score(kind, g, c.Network, c.Probe.Images, c.Probe.Labels, c.GroundTruthSeed));

    /// <summary>The scores named in a comma-separated list of keys ("all" or empty: every score), in table order.</summary>
    public static IReadOnlyList<IRankScore> Select(string? keys)
    {
        if (string.IsNullOrWhiteSpace(keys) || keys.Trim() == "all") return All;
        var wanted = keys.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        var unknown = wanted.Where(k => All.All(s => s.Key != k)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"--scores: unknown score '{unknown[0]}'; known: {string.Join(", ", All.Select(s => s.Key))} (or 'all')");
        return All.Where(s => wanted.Contains(s.Key)).ToList();
    }
}

/// <summary>Training one NB-201 cell alone and training the supernets: one recipe shared by the ground truth and the scores.</summary>
public static class RankTraining
{
    /// <summary>Sets the sampled path to one fixed genome (stand-alone training of that architecture).</summary>
    private sealed class FixedPathSystem(int[] genome) : ISystem
    {
        public string Name => "fixed-path";
        public Access Access { get; } = new Access().Write<SampledPath>();
        public void Run(World.World world, in SystemContext ctx) => world.SetResource(new SampledPath(genome));
    }

    /// <summary>
    /// A preset on the NB-201 skeleton of the options (one cell per stage). Scoring evaluates on every held-out image
    /// (the 20 % the split keeps from training), so the ground truth's resolution is 1 / held-out count.
    /// </summary>
    public static SearchConfig Config(RankExperimentOptions o, Dataset data, string method)
    {
        var preset = Presets.For(method);
        int heldOut = data.Count - (int)Math.Floor(preset.TrainPortion * data.Count);
        return preset with
        {
            OneShotSpace = OneShotSpaceKind.Nb201, CellsPerStage = 1, Channels = o.Channels, Batch = o.Batch, Seed = o.Seed,
            Threads = Math.Max(1, Environment.ProcessorCount), RecalibrationBatches = 10, EvalBatches = Math.Max(1, (heldOut + o.Batch - 1) / o.Batch),
            FacetPool = 16, FacetProbe = 32,
        };
    }

    /// <summary>The training seed of replica <paramref name="replica"/> (0: the ground truth, 1: the stability check), the same for every cell.</summary>
    public static ulong TrainingSeed(RankExperimentOptions o, int replica) => o.Seed + (ulong)replica;

    /// <summary>Held-out accuracy of <paramref name="genome"/> trained alone (SPOS recipe, a fixed path) for the options' ground-truth epochs.</summary>
    public static double TrainAlone(RankExperimentOptions o, Dataset data, int[] genome, ulong seed)
    {
        using var s = OneShotSession.Create(Config(o, data, "spos") with { Epochs = o.GroundTruthEpochs, Seed = seed }, data);
        Train(s, genome);
        return 1 - Scoring.Error(s.Supernet, s.World.Resource<EvalData>(), genome);
    }

    /// <summary>
    /// Trains all epochs of the session's training phase (the search phase is not run); returns per-step seconds.
    /// <paramref name="epochEnd"/> is called after the last step of each epoch with the epochs done and the step times so
    /// far; it may read the world (e.g. score it) but not change it, and its time is not a step's.
    /// </summary>
    public static List<double> Train(OneShotSession s, int[]? fixedGenome, Action<int, IReadOnlyList<double>>? epochEnd = null)
    {
        var schedule = OneShotMethod.Schedule(s.Config, fixedGenome is null ? null : new FixedPathSystem(fixedGenome)); // the loop stops before the search
        var times = new List<double>();
        while (s.Clock.Epoch < s.Config.Epochs)
        {
            int epoch = s.Clock.Epoch;
            var sw = Stopwatch.StartNew();
            schedule.Run(s.World, s.Clock.Step);
            times.Add(sw.Elapsed.TotalSeconds);
            if (s.Clock.Epoch > epoch) epochEnd?.Invoke(s.Clock.Epoch, times);
        }
        return times;
    }

    public static double Median(IReadOnlyList<double> v)
    {
        var s = v.Order().ToArray();
        return s.Length == 0 ? double.NaN : s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    /// <summary>A supernet of <paramref name="method"/> trained for the options' supernet epochs; its median step time goes to the context.</summary>
    public static OneShotSession Supernet(RankScoreContext c, string method, string label)
    {
        c.Log.WriteLine($"training the {label} supernet ({c.Options.SupernetEpochs} epochs)");
        var s = OneShotSession.Create(Config(c.Options, c.Data, method) with { Epochs = c.Options.SupernetEpochs }, c.Data);
        var times = Train(s, null);
        c.MedianStepSeconds[method] = Median(times);
        c.Notes.Add($"{label} supernet: {c.Options.SupernetEpochs} epochs, {times.Count} steps, median step {Median(times) * 1000:F1} ms (batch {c.Options.Batch})");
        return s;
    }

    /// <summary>The BN-NAS γ table (Scoring.BnTable, edges × ops) of a freshly trained BN-only supernet of <paramref name="method"/>; the supernet is freed.</summary>
    public static double[][] BnTable(RankScoreContext c, string method, string label)
    {
        using var s = Supernet(c, method, label);
        return Scoring.BnTable(s.Supernet);
    }
}

/// <summary>SPOS (§1.4): held-out accuracy of each cell's path in a uniformly trained supernet, after BN recalibration.</summary>
public sealed class SposAccuracyScore : IRankScore
{
    public string Key => "spos";
    public IReadOnlyList<string> Columns => ["SPOS supernet accuracy"];

    public double[][] Compute(RankScoreContext c)
    {
        using var s = RankTraining.Supernet(c, "spos", "SPOS (full training)");
        var d = s.World.Resource<EvalData>();
        return [c.Cells.Select(g => 1 - Scoring.Error(s.Supernet, d, g)).ToArray()];
    }
}

/// <summary>BN-NAS (§2.2): the mean |γ| indicator on its own BN-only supernet, where only the op BNs carry γ (biased, §3.2).</summary>
public sealed class BnNasBiasedScore : IRankScore
{
    /// <summary>The preset that trains the biased supernet, and its label in progress lines and notes.</summary>
    public const string Method = "bn-nas", Label = "BN-NAS (BN-only)";

    public string Key => "bn-nas";
    public IReadOnlyList<string> Columns => ["BN-NAS indicator (biased supernet)"];

    public double[][] Compute(RankScoreContext c)
    {
        var table = RankTraining.BnTable(c, Method, Label);
        return [c.Cells.Select(g => BnIndicator.Score(table, g)).ToArray()];
    }
}

/// <summary>
/// BNNAS++ (§3): one unbiased supernet (a BN on every op), scored by the BN-NAS indicator and by the facets E, T, −U
/// and their rank sum over a seeded pool.
/// </summary>
public sealed class BnnasPlusPlusScores : IRankScore
{
    /// <summary>The preset that trains the unbiased supernet, and its label in progress lines and notes.</summary>
    public const string Method = "bnnas++", Label = "BNNAS++ (unbiased, BN-only)";

    public string Key => "bnnas++";
    public IReadOnlyList<string> Columns =>
        ["BN-NAS indicator (unbiased supernet)", "BNNAS++ E (expressivity)", "BNNAS++ T (trainability)", "BNNAS++ -U (certainty)", "BNNAS++ rank-sum E+T+U"];

    public double[][] Compute(RankScoreContext c)
    {
        using var s = RankTraining.Supernet(c, Method, Label);
        var d = s.World.Resource<EvalData>();
        var net = s.Supernet;
        var table = Scoring.BnTable(net);
        var settings = s.World.ReadResource<FacetSettings>();
        var facets = c.Cells.Select(g => Scoring.ComputeFacets(net, d, g, settings)).ToArray();
        var pool = Scoring.AsList(Scoring.Pool(net, d, new Nb201Space(c.Layout), settings, new Rng(c.Options.Seed ^ 0xFAC7UL).NextInt));
        return
        [
            c.Cells.Select(g => BnIndicator.Score(table, g)).ToArray(),
            facets.Select(f => f.E).ToArray(),
            facets.Select(f => f.T).ToArray(),
            facets.Select(f => -f.U).ToArray(),
            facets.Select(f => BnnasPlusPlus.Combine(f, pool)).ToArray(),
        ];
    }
}
