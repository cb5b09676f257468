// Experiment V1 (methods.md §7, issue 16 item 4): BN-NAS's BN-only supernet training against full training, per step and to a fixed ranking quality.
using Nas.App.Config;
using System.Diagnostics;
using System.Globalization;
using Nas.Components;
using Nas.Systems.Data;
using Nas.Systems.Methods;
using Nas.Systems.OneShot.Indicators;
using Nas.Systems.OneShot.NasBench201;
using Nas.Systems.OneShot.Systems;

namespace Nas.App.Experiments;

/// <summary>
/// Sizes of experiment V1. <see cref="Subset"/> and <see cref="Channels"/> must be those the ground truth was trained with
/// (its file records them: the supernet is the same NB-201 skeleton on the same images); <see cref="Batch"/> and
/// <see cref="Seed"/> are the supernets' (64 and 1: the rank experiment's supernets). <see cref="TimingSteps"/> steps per arm,
/// in blocks of <see cref="TimingBlock"/> that alternate the arms, after <see cref="WarmupSteps"/> untimed steps each.
/// The "fixed quality" is τ_b ≥ full training's final τ_b − <see cref="Tolerance"/> (methods.md §7 V1: 0.05).
/// </summary>
public sealed record BnSpeedupOptions(
    string GroundTruth = "", int Subset = 8000, int Channels = 8, int Batch = 64, ulong Seed = 1, int TimingSteps = 300, int TimingBlock = 50,
    int WarmupSteps = 5, int FullEpochs = 10, int BnEpochs = 10, double Tolerance = 0.05, int Resamples = 1000, Dataset? Data = null,
    string OutDir = "runs/bn-speedup");

/// <summary>A supernet training run of the experiment: BN-only or full, for its own number of epochs (its lr decays over them).</summary>
public readonly record struct SpeedupArm(string Name, bool BnOnly, int Epochs);

/// <summary>The BN-NAS indicator's ranking after <see cref="Epoch"/> epochs of an arm, with the arm's training steps and seconds so far.</summary>
public readonly record struct EpochPoint(string Arm, int Epoch, int Steps, double Seconds, double Tau, double Rho, double Low, double High);

/// <summary>One cell's BN-NAS indicator after an epoch of an arm (scores.csv).</summary>
public readonly record struct IndicatorRow(string Arm, int Epoch, string Cell, double Indicator);

/// <summary>The median step time of one block of the timing phase.</summary>
public readonly record struct TimingBlock(int Block, string Arm, int Steps, double MedianMs);

/// <summary>The cells of the ground-truth file (replica 0, by index) with their NB-201 genomes and accuracies.</summary>
public sealed record SpeedupTruth(string Path, IReadOnlyList<string> Names, IReadOnlyList<int[]> Genomes, double[] Truth);

public sealed record BnSpeedupResult(SpeedupTruth Truth, IReadOnlyList<TimingBlock> Blocks, double FullStepMs, double BnStepMs, int PathsCompared,
    IReadOnlyList<EpochPoint> Points, IReadOnlyList<IndicatorRow> Indicators, string Summary);

public static class BnSpeedupExperiment
{
    public const string Full = "full", BnOnly = "bn-only", BnOnlyOneEpoch = "bn-only-1ep";

    /// <summary>Full training for the full epochs, BN-only for the BN epochs, and BN-only with a 1-epoch schedule (the paper's setting) unless that is the same run.</summary>
    public static IReadOnlyList<SpeedupArm> Arms(BnSpeedupOptions o) =>
        o.BnEpochs == 1 ? [new(Full, false, o.FullEpochs), new(BnOnly, true, 1)]
            : [new(Full, false, o.FullEpochs), new(BnOnly, true, o.BnEpochs), new(BnOnlyOneEpoch, true, 1)];

    /// <summary>Refuses a value no run could use, naming its flag.</summary>
    public static void Validate(BnSpeedupOptions o)
    {
        if (string.IsNullOrWhiteSpace(o.GroundTruth)) throw new ArgumentException("--ground-truth FILE is required: the ground-truth.csv of a `nas experiment rank` run");
        InputChecks.AtLeast("--channels", o.Channels, 1);
        InputChecks.AtLeast("--batch", o.Batch, 1);
        InputChecks.AtLeast("--subset", o.Subset, 0);
        InputChecks.AtLeast("--timing-steps", o.TimingSteps, 1);
        InputChecks.AtLeast("--timing-block", o.TimingBlock, 1);
        InputChecks.AtLeast("--warmup-steps", o.WarmupSteps, 0);
        InputChecks.AtLeast("--full-epochs", o.FullEpochs, 1);
        InputChecks.AtLeast("--bn-epochs", o.BnEpochs, 1);
        InputChecks.AtLeast("--resamples", o.Resamples, 1);
        if (!(o.Tolerance >= 0 && o.Tolerance < 2)) throw new ArgumentException($"--tolerance must be in [0, 2) (a difference of Kendall τ), got {o.Tolerance.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>The rank experiment's options these sizes stand for (its skeleton, recipe and statistics).</summary>
    public static RankExperimentOptions RankOptions(BnSpeedupOptions o) =>
        new(Subset: o.Subset, Channels: o.Channels, Batch: o.Batch, Seed: o.Seed, Resamples: o.Resamples, Data: o.Data, OutDir: o.OutDir);

    /// <summary>The bn-nas preset on the rank experiment's NB-201 skeleton; <paramref name="bnOnly"/> false trains every parameter (still scored by the BN indicator).</summary>
    public static SearchConfig ArmConfig(BnSpeedupOptions o, Dataset data, bool bnOnly, int epochs) =>
        RankTraining.Config(RankOptions(o), data, "bn-nas") with { BnOnly = bnOnly, Epochs = epochs };

    public static BnSpeedupResult Run(BnSpeedupOptions o, TextWriter output)
    {
        Validate(o);
        var (settings, truth) = ReadGroundTruth(o.GroundTruth); // a bad file is refused before the data is loaded
        var data = o.Data ?? FashionMnist.LoadTrain();
        if (o.Subset > 0 && o.Subset < data.Count) data = data.Take(o.Subset);
        CheckSettings(o.GroundTruth, settings, o, data);
        var wall = Stopwatch.StartNew();
        output.WriteLine($"# bn-speedup: {truth.Names.Count} NB-201 cells of {o.GroundTruth} (C={o.Channels}, 1 cell/stage) on {data.Name} ({data.Count} images), " +
            $"batch {o.Batch}, seed {o.Seed}; full {o.FullEpochs} epochs, BN-only {o.BnEpochs} epochs; out {o.OutDir}");

        var (blocks, fullMs, bnMs, paths) = Time(o, data, output);
        var points = new List<EpochPoint>();
        var indicators = new List<IndicatorRow>();
        foreach (var arm in Arms(o))
        {
            output.WriteLine($"training the {arm.Name} supernet ({arm.Epochs} epoch{(arm.Epochs == 1 ? "" : "s")}{(arm.BnOnly ? ", BN parameters only" : ", every parameter")})");
            using var s = OneShotSession.Create(ArmConfig(o, data, arm.BnOnly, arm.Epochs), data);
            points.AddRange(TrainArm(s, arm.Name, truth, o, output, indicators));
        }
        var summary = BnSpeedupReport.Summary(o, data, truth, blocks, fullMs, bnMs, points, wall.Elapsed.TotalSeconds);
        output.WriteLine();
        output.Write(summary);
        BnSpeedupReport.Write(o.OutDir, blocks, points, indicators, summary);
        return new BnSpeedupResult(truth, blocks, fullMs, bnMs, paths, points, indicators, summary);
    }

    /// <summary>
    /// The file's settings and the ground truth of the cells it holds (replica 0, by index; second-seed rows are not the
    /// ground truth). A missing or malformed file, a cell string that is not NB-201's and fewer than 3 cells are refused
    /// as ArgumentExceptions naming --ground-truth and the file; the data is not needed (and not loaded) for any of this.
    /// </summary>
    public static (IReadOnlyDictionary<string, string> Settings, SpeedupTruth Truth) ReadGroundTruth(string path)
    {
        if (!File.Exists(path)) throw new ArgumentException($"--ground-truth {path}: no such file (a ground-truth.csv of `nas experiment rank`)");
        IReadOnlyDictionary<string, string> settings;
        List<GroundTruthRow> rows;
        try
        {
            (settings, rows) = GroundTruthFile.Read(path);
        }
        catch (InvalidDataException e)
        {
            throw new ArgumentException($"--ground-truth {e.Message}");
        }
        var cells = rows.Where(r => r.Replica == 0).OrderBy(r => r.Index).ToList();
        if (cells.Count < 3)
            throw new ArgumentException($"--ground-truth {path}: holds {cells.Count} trained cells; a rank correlation needs at least 3");
        var genomes = cells.Select(r =>
        {
            try { return Nb201Cell.Parse(r.Cell); }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                throw new ArgumentException($"--ground-truth {path}: cell {r.Index} '{r.Cell}' is not an NB-201 cell string: {e.Message}");
            }
        }).ToList();
        return (settings, new SpeedupTruth(path, cells.Select(r => r.Cell).ToList(), genomes, cells.Select(r => r.Accuracy).ToArray()));
    }

    /// <summary>
    /// Refuses a ground truth trained on another skeleton or other images than this run's supernets: format, data, images
    /// and channels must match, each refusal naming the file, both values and the flag that chooses this run's.
    /// </summary>
    public static void CheckSettings(string path, IReadOnlyDictionary<string, string> settings, BnSpeedupOptions o, Dataset data)
    {
        void Require(string key, string value, string flag)
        {
            if (!settings.TryGetValue(key, out var found))
                throw new ArgumentException($"--ground-truth {path}: has no setting '{key}', so it is not a ground-truth file of this version of `nas experiment rank`");
            if (found != value)
                throw new ArgumentException($"--ground-truth {path}: its cells were trained with {key}={found}, this run has {key}={value}" +
                    (flag.Length > 0 ? $"; pass the {flag} the rank run used (the supernet must be the skeleton and images of the ground truth)" : ""));
        }
        Require("format", "1", "");
        Require("data", data.Name, "--subset");
        Require("images", data.Count.ToString(CultureInfo.InvariantCulture), "--subset");
        Require("channels", o.Channels.ToString(CultureInfo.InvariantCulture), "--channels");
    }

    /// <summary>
    /// Per-step time of full and BN-only training: two fresh supernets of the same config but BnOnly, the same seed (so the
    /// same initial weights, batches and sampled paths: checked step by step), warmed up, then timed in alternating blocks
    /// (ABBA: full first in even blocks) so that a change of machine load falls on both. Returns the block medians, each
    /// arm's median over all its timed steps (ms) and the number of steps whose paths were compared.
    /// </summary>
    public static (List<TimingBlock> Blocks, double FullMs, double BnMs, int Paths) Time(BnSpeedupOptions o, Dataset data, TextWriter output)
    {
        int epochs = o.WarmupSteps + o.TimingSteps; // at least one step an epoch, so no timed step is past the training phase
        using var full = OneShotSession.Create(ArmConfig(o, data, bnOnly: false, epochs), data);
        using var bn = OneShotSession.Create(ArmConfig(o, data, bnOnly: true, epochs), data);
        var paths = new Dictionary<string, List<int[]>> { [Full] = [], [BnOnly] = [] };
        var times = new Dictionary<string, List<double>> { [Full] = [], [BnOnly] = [] };
        List<double> Steps(string arm, OneShotSession s, int count)
        {
            var t = new List<double>();
            for (int i = 0; i < count; i++)
            {
                var sw = Stopwatch.StartNew();
                s.Step();
                t.Add(sw.Elapsed.TotalSeconds);
                paths[arm].Add((int[])s.World.Resource<SampledPath>().Genes.Clone());
            }
            return t;
        }
        Steps(Full, full, o.WarmupSteps);
        Steps(BnOnly, bn, o.WarmupSteps);
        output.WriteLine($"timing {o.TimingSteps} steps of each arm in blocks of {o.TimingBlock} (after {o.WarmupSteps} untimed steps each), batch {o.Batch}");
        var blocks = new List<TimingBlock>();
        for (int done = 0, block = 0; done < o.TimingSteps; done += o.TimingBlock, block++)
        {
            int n = Math.Min(o.TimingBlock, o.TimingSteps - done);
            var order = block % 2 == 0 ? new[] { (Full, full), (BnOnly, bn) } : [(BnOnly, bn), (Full, full)];
            foreach (var (arm, s) in order)
            {
                var t = Steps(arm, s, n);
                times[arm].AddRange(t);
                blocks.Add(new TimingBlock(block, arm, n, RankTraining.Median(t) * 1000));
            }
            var (f, b) = (blocks[^2].Arm == Full ? blocks[^2] : blocks[^1], blocks[^2].Arm == BnOnly ? blocks[^2] : blocks[^1]);
            output.WriteLine($"  block {block}: {n} steps each, median full {f.MedianMs:F1} ms, BN-only {b.MedianMs:F1} ms ({f.MedianMs / b.MedianMs:F2}x)");
        }
        for (int i = 0; i < paths[Full].Count; i++)
            if (!paths[Full][i].AsSpan().SequenceEqual(paths[BnOnly][i]))
                throw new InvalidOperationException($"step {i}: full training sampled {Nb201Cell.Format(paths[Full][i])}, BN-only {Nb201Cell.Format(paths[BnOnly][i])}; the arms must train the same paths");
        double fullMs = RankTraining.Median(times[Full]) * 1000, bnMs = RankTraining.Median(times[BnOnly]) * 1000;
        output.WriteLine($"median step: full {fullMs:F1} ms, BN-only {bnMs:F1} ms, ratio {fullMs / bnMs:F2}x (the same {paths[Full].Count} paths)");
        return (blocks, fullMs, bnMs, paths[Full].Count);
    }

    /// <summary>
    /// Trains <paramref name="s"/> for its epochs and scores every cell with the BN-NAS indicator before training (epoch 0)
    /// and after each epoch: τ_b, ρ and the bootstrap interval against the ground truth, with the training seconds so far
    /// (step times only; scoring is not counted). Adds each cell's indicator to <paramref name="indicators"/>.
    /// </summary>
    public static List<EpochPoint> TrainArm(OneShotSession s, string arm, SpeedupTruth truth, BnSpeedupOptions o, TextWriter output, List<IndicatorRow> indicators)
    {
        var points = new List<EpochPoint>();
        var rank = RankOptions(o);
        void Score(int epoch, int steps, double seconds)
        {
            var table = Scoring.BnTable(s.Supernet);
            var values = truth.Genomes.Select(g => BnIndicator.Score(table, g)).ToArray();
            for (int i = 0; i < values.Length; i++) indicators.Add(new IndicatorRow(arm, epoch, truth.Names[i], values[i]));
            var row = RankExperiment.Statistics(arm, values, truth.Truth, rank);
            points.Add(new EpochPoint(arm, epoch, steps, seconds, row.Tau, row.Rho, row.Low, row.High));
            output.WriteLine($"  {arm} epoch {epoch}/{s.Config.Epochs}: {seconds:F1} s of training, BN indicator τ_b {row.Tau:F3} [{row.Low:F2}, {row.High:F2}], ρ {row.Rho:F3}");
        }
        Score(0, 0, 0);
        RankTraining.Train(s, null, (epoch, times) => Score(epoch, times.Count, times.Sum()));
        return points;
    }
}
