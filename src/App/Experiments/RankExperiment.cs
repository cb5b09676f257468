// Issue item 7: rank correlation of SPOS accuracy, the BN-NAS indicator and BNNAS++'s facets against briefly trained NB-201 cells; BN-only vs full step time.
using System.Diagnostics;
using Nas.Components;
using Nas.Systems.Data;
using Nas.Systems.Methods;
using Nas.Systems.OneShot;
using Nas.Systems.OneShot.Indicators;
using Nas.Systems.OneShot.NasBench201;
using Nas.Systems.OneShot.Search;
using Nas.Systems.OneShot.Systems;
using Nas.Systems.Search;
using Nas.World;

namespace Nas.App.Experiments;

/// <summary>Sizes of the experiment; the defaults aim at ~10 minutes on 2 cores [I].</summary>
public sealed record RankExperimentOptions(
    int Architectures = 12, int Subset = 3000, int Channels = 4, int Batch = 64,
    int GroundTruthEpochs = 2, int SupernetEpochs = 2, int TimingSteps = 20, ulong Seed = 1, Dataset? Data = null, string? OutDir = null);

public static class RankExperiment
{
    /// <summary>Sets the sampled path to one fixed genome (stand-alone training of that architecture).</summary>
    private sealed class FixedPathSystem(int[] genome) : ISystem
    {
        public string Name => "fixed-path";
        public Access Access { get; } = new Access().Write<SampledPath>();
        public void Run(World.World world, in SystemContext ctx) => world.SetResource(new SampledPath(genome));
    }

    private static SearchConfig Base(RankExperimentOptions o, string method) => Presets.For(method) with
    {
        OneShotSpace = OneShotSpaceKind.Nb201, CellsPerStage = 1, Channels = o.Channels, Batch = o.Batch, Seed = o.Seed,
        Threads = Math.Max(1, Environment.ProcessorCount), RecalibrationBatches = 10, EvalBatches = 10, FacetPool = 16, FacetProbe = 32,
    };

    /// <summary>Trains all epochs of the session's training phase (the search phase is not run); returns per-step seconds.</summary>
    private static List<double> TrainSupernet(OneShotSession s, int[]? fixedGenome, int maxSteps = int.MaxValue)
    {
        var schedule = OneShotMethod.Schedule(s.Config, fixedGenome is null ? null : new FixedPathSystem(fixedGenome)); // the loop stops before the search
        var times = new List<double>();
        while (s.Clock.Epoch < s.Config.Epochs && times.Count < maxSteps)
        {
            var sw = Stopwatch.StartNew();
            schedule.Run(s.World, s.Clock.Step);
            times.Add(sw.Elapsed.TotalSeconds);
        }
        return times;
    }

    private static double Median(List<double> v) { var s = v.Order().ToArray(); return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2; }

    public static void Run(RankExperimentOptions o, TextWriter output)
    {
        var data = o.Data ?? FashionMnist.LoadTrain();
        if (o.Subset > 0 && o.Subset < data.Count) data = data.Take(o.Subset);
        var rng = new Rng(o.Seed);
        var genomes = new List<int[]>();
        var seen = new HashSet<int>();
        while (genomes.Count < o.Architectures)
        {
            var g = Nb201Cell.FromIndex(rng.NextInt(Nb201Cell.Count));
            if (seen.Add(Nb201Cell.Index(g))) genomes.Add(g);
        }
        output.WriteLine($"# rank experiment: {o.Architectures} NB-201 cells (C={o.Channels}, 1 cell/stage) on {data.Name} ({data.Count} images), seed {o.Seed}");

        var truth = new double[genomes.Count];
        for (int i = 0; i < genomes.Count; i++)
        {
            using var s = OneShotSession.Create(Base(o, "spos") with { Epochs = o.GroundTruthEpochs, Seed = o.Seed + (ulong)i }, data);
            TrainSupernet(s, genomes[i]);
            truth[i] = 1 - Scoring.Error(s.Supernet, s.World.Resource<EvalData>(), genomes[i]);
            output.WriteLine($"ground truth {i + 1}/{genomes.Count}: {Nb201Cell.Format(genomes[i])} accuracy {truth[i]:F4}");
        }

        var rows = new List<(string Name, double[] Score)>();
        double[] Flops = genomes.Select(g => Nb201Network.NetworkCost(g, new Nb201Layout(o.Channels, 1, data.Channels, data.Height, data.Classes)).Macs).Select(x => (double)x).ToArray();
        rows.Add(("FLOPs (baseline)", Flops));

        List<double> fullTimes, bnTimes;
        using (var spos = OneShotSession.Create(Base(o, "spos") with { Epochs = o.SupernetEpochs }, data))
        {
            fullTimes = TrainSupernet(spos, null);
            var d = spos.World.Resource<EvalData>();
            rows.Add(("SPOS supernet accuracy", genomes.Select(g => 1 - Scoring.Error(spos.Supernet, d, g)).ToArray()));
        }
        using (var bn = OneShotSession.Create(Base(o, "bn-nas") with { Epochs = o.SupernetEpochs }, data))
        {
            bnTimes = TrainSupernet(bn, null);
            var table = Scoring.BnTable(bn.Supernet);
            rows.Add(("BN-NAS indicator (biased supernet)", genomes.Select(g => BnIndicator.Score(table, g)).ToArray()));
        }
        using (var pp = OneShotSession.Create(Base(o, "bnnas++") with { Epochs = o.SupernetEpochs }, data))
        {
            TrainSupernet(pp, null);
            var d = pp.World.Resource<EvalData>();
            var net = pp.Supernet;
            var table = Scoring.BnTable(net);
            rows.Add(("BN-NAS indicator (unbiased supernet)", genomes.Select(g => BnIndicator.Score(table, g)).ToArray()));
            var facets = genomes.Select(g => Scoring.ComputeFacets(net, d, g, pp.World.ReadResource<FacetSettings>())).ToArray();
            var pool = Scoring.AsList(Scoring.Pool(net, d, new Nb201Space(new Nb201Layout(o.Channels, 1, data.Channels, data.Height, data.Classes)), pp.World.ReadResource<FacetSettings>(), new Rng(o.Seed ^ 0xFAC7UL).NextInt));
            rows.Add(("BNNAS++ E (expressivity)", facets.Select(f => f.E).ToArray()));
            rows.Add(("BNNAS++ T (trainability)", facets.Select(f => f.T).ToArray()));
            rows.Add(("BNNAS++ -U (certainty)", facets.Select(f => -f.U).ToArray()));
            rows.Add(("BNNAS++ rank-sum E+T+U", facets.Select(f => BnnasPlusPlus.Combine(f, pool)).ToArray()));
        }

        output.WriteLine();
        output.WriteLine("| score | Kendall τ_b | Spearman ρ | τ 95% bootstrap |");
        output.WriteLine("|---|---|---|---|");
        foreach (var (name, raw) in rows)
        {
            // −∞ (T of a singular NTK) ranks below everything and ties with other −∞; kept finite so pairs compare.
            var score = raw.Select(v => double.IsNegativeInfinity(v) ? double.MinValue : v).ToArray();
            int infinite = raw.Count(double.IsNegativeInfinity);
            if (infinite > 0) output.WriteLine($"<!-- {name}: {infinite} of {raw.Length} scores are -inf (singular J Jᵀ) -->");
            var (lo, hi) = RankCorrelation.Bootstrap(score, truth, RankCorrelation.KendallTauB, new Rng(o.Seed));
            output.WriteLine($"| {name} | {RankCorrelation.KendallTauB(score, truth):F3} | {RankCorrelation.Spearman(score, truth):F3} | [{lo:F2}, {hi:F2}] |");
        }
        if (o.OutDir is not null) WriteCsv(Path.Combine(o.OutDir, "rank.csv"), genomes, truth, rows);
        output.WriteLine();
        double full = Median(fullTimes), bnOnly = Median(bnTimes);
        output.WriteLine($"supernet step time, median over {fullTimes.Count} / {bnTimes.Count} steps (batch {o.Batch}): full {full * 1000:F1} ms, BN-only {bnOnly * 1000:F1} ms, ratio {full / bnOnly:F2}x");
    }

    /// <summary>The raw data of the table: one row per cell (its NB-201 string, its ground-truth accuracy, every score; −∞ as "-inf").</summary>
    private static void WriteCsv(string path, List<int[]> genomes, double[] truth, List<(string Name, double[] Score)> rows)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        static string Cell(double v) => double.IsNegativeInfinity(v) ? "-inf" : v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        static string Quote(string s) => "\"" + s.Replace("\"", "\"\"") + "\"";
        var lines = new List<string> { string.Join(",", new[] { "cell", "ground_truth_accuracy" }.Concat(rows.Select(r => Quote(r.Name)))) };
        for (int i = 0; i < genomes.Count; i++)
            lines.Add(string.Join(",", new[] { Quote(Nb201Cell.Format(genomes[i])), Cell(truth[i]) }.Concat(rows.Select(r => Cell(r.Score[i])))));
        File.WriteAllLines(path, lines);
    }
}
