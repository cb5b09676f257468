// Issue 16 item 2: rank correlation of every score (RankScores) against NB-201 cells trained alone, at a size that decides; resumable.
using System.Diagnostics;
using System.Globalization;
using Nas.Components;
using Nas.Systems.Data;
using Nas.Systems.OneShot;
using Nas.Systems.OneShot.NasBench201;
using Nas.World;

namespace Nas.App.Experiments;

/// <summary>
/// Sizes of the experiment. The defaults are the documented 60-cell run (docs/results.md): distinct NB-201 cells
/// (isomorphism classes), ground truth trained on <see cref="Subset"/> Fashion-MNIST images, a second training seed on
/// the first <see cref="StabilityCells"/> cells. <see cref="Scores"/>: comma-separated keys of RankScores.All, or "all".
/// </summary>
public sealed record RankExperimentOptions(
    int Architectures = 60, int Subset = 8000, int Channels = 8, int Batch = 64, int GroundTruthEpochs = 3, int SupernetEpochs = 6,
    int StabilityCells = 12, ulong Seed = 1, string Scores = "all", int Resamples = 1000, Dataset? Data = null, string OutDir = "runs/rank");

/// <summary>One score's statistics against the ground truth; <see cref="Infinite"/> counts its −∞ values.</summary>
public readonly record struct RankRow(string Score, double Tau, double Rho, double Low, double High, double HitRate, int Infinite);

/// <summary>What a run did: the cells, the ground truth, the rows of the table, and how many trainings this run made (a resumed run makes fewer).</summary>
public sealed record RankResult(IReadOnlyList<int[]> Cells, double[] Truth, IReadOnlyList<RankRow> Rows, int TrainedThisRun, double? StabilityTau);

public static class RankExperiment
{
    private static readonly Lazy<int> ClassCount = new(() =>
        Enumerable.Range(0, Nb201Cell.Count).Select(i => Nb201Isomorphism.Key(Nb201Cell.FromIndex(i), Nb201Dedupe.Isomorphic)).Distinct().Count());

    /// <summary>How many isomorphism classes the sample draws from (Nb201Dedupe.Isomorphic: 8,765; NB-201's own rule gives 6,466).</summary>
    public static int Classes => ClassCount.Value;

    /// <summary>
    /// <paramref name="count"/> cells drawn uniformly from the 15,625 with an Rng of <paramref name="seed"/>, keeping
    /// the first of each isomorphism class (Nb201Isomorphism.Canonical). Sequential: the first k of a longer sample are the sample of k.
    /// </summary>
    public static List<int[]> SampleCells(int count, ulong seed)
    {
        if (count < 1 || count > Classes) throw new ArgumentOutOfRangeException(nameof(count), $"architectures must be between 1 and {Classes} (isomorphism classes), got {count}");
        var rng = new Rng(seed);
        var cells = new List<int[]>();
        var seen = new HashSet<string>();
        while (cells.Count < count)
        {
            var g = Nb201Cell.FromIndex(rng.NextInt(Nb201Cell.Count));
            if (seen.Add(Nb201Isomorphism.Key(g, Nb201Dedupe.Isomorphic))) cells.Add(g);
        }
        return cells;
    }

    /// <summary>What the ground truth depends on; a resumed ground-truth file must carry the same values.</summary>
    public static List<(string Key, string Value)> Settings(RankExperimentOptions o, Dataset data)
    {
        var c = RankTraining.Config(o, data, "spos");
        static string S(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        return
        [
            ("format", "1"), ("seed", o.Seed.ToString(CultureInfo.InvariantCulture)), ("data", data.Name), ("images", data.Count.ToString(CultureInfo.InvariantCulture)),
            ("channels", o.Channels.ToString(CultureInfo.InvariantCulture)), ("batch", o.Batch.ToString(CultureInfo.InvariantCulture)),
            ("epochs", o.GroundTruthEpochs.ToString(CultureInfo.InvariantCulture)), ("recipe", c.Method), ("lr", S(c.Lr)), ("momentum", S(c.Momentum)),
            ("weight_decay", S(c.WeightDecay)), ("label_smoothing", S(c.LabelSmoothing)), ("train_portion", S(c.TrainPortion)), ("eval_batches", c.EvalBatches.ToString(CultureInfo.InvariantCulture)),
        ];
    }

    public static RankResult Run(RankExperimentOptions o, TextWriter output) => Run(o, output, RankScores.Select(o.Scores));

    /// <summary>The run with an explicit list of scores (<see cref="RankExperimentOptions.Scores"/> is not read).</summary>
    public static RankResult Run(RankExperimentOptions o, TextWriter output, IReadOnlyList<IRankScore> scores)
    {
        if (o.Architectures < 3) throw new ArgumentException($"--architectures must be at least 3 for a rank correlation, got {o.Architectures}");
        if (o.GroundTruthEpochs < 1 || o.SupernetEpochs < 1) throw new ArgumentException($"--epochs and --supernet-epochs must be at least 1, got {o.GroundTruthEpochs} and {o.SupernetEpochs}");
        if (o.StabilityCells < 0 || o.StabilityCells == 1 || o.StabilityCells == 2) throw new ArgumentException($"--stability-cells must be 0 or at least 3 (a rank correlation), got {o.StabilityCells}");
        var data = o.Data ?? FashionMnist.LoadTrain();
        if (o.Subset > 0 && o.Subset < data.Count) data = data.Take(o.Subset);
        var cells = SampleCells(o.Architectures, o.Seed);
        var names = cells.Select(g => Nb201Cell.Format(g)).ToList();
        int stability = Math.Min(o.StabilityCells, cells.Count);
        output.WriteLine($"# rank experiment: {cells.Count} distinct NB-201 cells (C={o.Channels}, 1 cell/stage) on {data.Name} ({data.Count} images), " +
            $"ground truth {o.GroundTruthEpochs} epochs, second seed on {stability} cells, seed {o.Seed}, out {o.OutDir}");

        var gtPath = Path.Combine(o.OutDir, GroundTruthFile.FileName);
        var done = GroundTruthFile.Open(gtPath, Settings(o, data), names, output);
        var jobs = Enumerable.Range(0, cells.Count).Select(i => (Index: i, Replica: 0))
            .Concat(Enumerable.Range(0, stability).Select(i => (Index: i, Replica: 1))).ToList();
        int total = jobs.Count, finished = jobs.Count(j => done.ContainsKey(j)), trained = 0;
        if (finished > 0) output.WriteLine($"resuming {gtPath}: {finished} of {total} trainings already done");
        double seconds = 0;
        foreach (var (index, replica) in jobs.Where(j => !done.ContainsKey(j)))
        {
            ulong seed = RankTraining.TrainingSeed(o, replica);
            var sw = Stopwatch.StartNew();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            double accuracy = RankTraining.TrainAlone(o, data, cells[index], seed);
            var row = new GroundTruthRow(index, names[index], replica, seed, accuracy, sw.Elapsed.TotalSeconds);
            GroundTruthFile.Append(gtPath, row);
            done[(index, replica)] = row;
            trained++;
            finished++;
            seconds += row.Seconds;
            double eta = seconds / trained * (total - finished);
            output.WriteLine($"ground truth {finished}/{total}: cell {index} seed {seed} {names[index]} accuracy {accuracy:F4} in {row.Seconds:F1} s, " +
                $"CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:F1} s (mean {seconds / trained:F1} s, ETA {eta / 60:F1} min)");
        }

        var truth = Enumerable.Range(0, cells.Count).Select(i => done[(i, 0)].Accuracy).ToArray();
        double? stabilityTau = null;
        if (stability >= 3)
        {
            var a = Enumerable.Range(0, stability).Select(i => done[(i, 0)].Accuracy).ToArray();
            var b = Enumerable.Range(0, stability).Select(i => done[(i, 1)].Accuracy).ToArray();
            stabilityTau = RankCorrelation.KendallTauB(a, b);
            double meanGap = a.Zip(b, (p, q) => Math.Abs(p - q)).Average();
            output.WriteLine($"ground-truth stability over {stability} cells, seeds {RankTraining.TrainingSeed(o, 0)} and {RankTraining.TrainingSeed(o, 1)}: " +
                $"Kendall τ_b {stabilityTau:F3}, Spearman ρ {RankCorrelation.Spearman(a, b):F3}, mean |Δ accuracy| {meanGap:F4}");
        }

        using var context = new RankScoreContext(cells, data, o, output);
        var columns = new List<(string Name, double[] Score)>();
        foreach (var s in scores)
        {
            var values = s.Compute(context);
            if (values.Length != s.Columns.Count) throw new InvalidOperationException($"score '{s.Key}' returned {values.Length} columns, it names {s.Columns.Count}");
            for (int k = 0; k < values.Length; k++)
            {
                if (values[k].Length != cells.Count) throw new InvalidOperationException($"score '{s.Columns[k]}' returned {values[k].Length} values for {cells.Count} cells");
                if (values[k].Any(double.IsNaN)) throw new InvalidOperationException($"score '{s.Columns[k]}' returned NaN for cell {Array.FindIndex(values[k], double.IsNaN)}");
                columns.Add((s.Columns[k], values[k]));
            }
        }

        var rows = columns.Select(c => Statistics(c.Name, c.Score, truth, o)).ToList();
        var summary = Summary(o, data, cells.Count, stability, stabilityTau, rows, context);
        output.WriteLine();
        output.Write(summary);
        WriteOutputs(o.OutDir, names, truth, done, columns, rows, summary);
        return new RankResult(cells, truth, rows, trained, stabilityTau);
    }

    /// <summary>τ_b, ρ, the seeded bootstrap interval of τ_b (resampling cells) and the top-10 % hit rate of one score.</summary>
    public static RankRow Statistics(string name, double[] raw, double[] truth, RankExperimentOptions o)
    {
        // −∞ (T of a singular NTK) ranks below everything and ties with other −∞; kept finite so pairs compare.
        var score = raw.Select(v => double.IsNegativeInfinity(v) ? double.MinValue : v).ToArray();
        var boot = new Rng(o.Seed);
        var (lo, hi) = RankCorrelation.Bootstrap(score, truth, RankCorrelation.KendallTauB, boot, o.Resamples);
        return new RankRow(name, RankCorrelation.KendallTauB(score, truth), RankCorrelation.Spearman(score, truth), lo, hi,
            RankCorrelation.TopHitRate(score, truth), raw.Count(double.IsNegativeInfinity));
    }

    private static string Summary(RankExperimentOptions o, Dataset data, int n, int stability, double? stabilityTau, List<RankRow> rows, RankScoreContext context)
    {
        var w = new StringWriter();
        int k = RankCorrelation.TopCount(n, 0.1);
        w.WriteLine($"n = {n} cells, {data.Name} ({data.Count} images), C = {o.Channels}, ground truth {o.GroundTruthEpochs} epochs, supernets {o.SupernetEpochs} epochs, seed {o.Seed}");
        w.WriteLine($"top-10 % hit rate: k = {k}; a random ranking expects {k / (double)n:F3}. Bootstrap: {o.Resamples} resamples of the cells.");
        if (stabilityTau is { } st) w.WriteLine($"ground truth between two training seeds on {stability} cells: Kendall τ_b {st:F3}");
        w.WriteLine();
        w.WriteLine("| score | Kendall τ_b | Spearman ρ | τ 95% bootstrap | top-10% hit rate |");
        w.WriteLine("|---|---|---|---|---|");
        foreach (var r in rows)
            w.WriteLine($"| {r.Score}{(r.Infinite > 0 ? $" ({r.Infinite} of {n} −∞)" : "")} | {r.Tau:F3} | {r.Rho:F3} | [{r.Low:F2}, {r.High:F2}] | {r.HitRate:F3} |");
        if (context.Notes.Count > 0) w.WriteLine();
        foreach (var note in context.Notes) w.WriteLine(note);
        if (context.MedianStepSeconds.TryGetValue("spos", out var full) && context.MedianStepSeconds.TryGetValue("bn-nas", out var bnOnly))
            w.WriteLine($"supernet step time, full (spos) / BN-only (bn-nas): {full / bnOnly:F2}x");
        return w.ToString();
    }

    /// <summary>rank.csv (one row per cell: its string, ground truth, second-seed accuracy if trained, every score; −∞ as "-inf"), summary.md, one SVG per score.</summary>
    private static void WriteOutputs(string dir, List<string> names, double[] truth, Dictionary<(int Index, int Replica), GroundTruthRow> done,
        List<(string Name, double[] Score)> columns, List<RankRow> rows, string summary)
    {
        Directory.CreateDirectory(dir);
        static string Cell(double v) => double.IsNegativeInfinity(v) ? "-inf" : v.ToString("R", CultureInfo.InvariantCulture);
        static string Quote(string s) => "\"" + s.Replace("\"", "\"\"") + "\"";
        var lines = new List<string> { string.Join(",", new[] { "cell", "ground_truth_accuracy", "second_seed_accuracy" }.Concat(columns.Select(c => Quote(c.Name)))) };
        for (int i = 0; i < names.Count; i++)
        {
            var second = done.TryGetValue((i, 1), out var r) ? Cell(r.Accuracy) : "";
            lines.Add(string.Join(",", new[] { Quote(names[i]), Cell(truth[i]), second }.Concat(columns.Select(c => Cell(c.Score[i])))));
        }
        File.WriteAllLines(Path.Combine(dir, "rank.csv"), lines);
        File.WriteAllText(Path.Combine(dir, "summary.md"), summary);
        var used = new HashSet<string>();
        for (int c = 0; c < columns.Count; c++)
        {
            var slug = RankPlot.Slug(columns[c].Name);
            if (!used.Add(slug)) slug += $"-{c}";
            File.WriteAllText(Path.Combine(dir, $"scatter-{slug}.svg"), RankPlot.Svg(columns[c].Name, columns[c].Score, truth, rows[c].Tau));
        }
    }
}
