// Experiment V1 at the smallest size: what each arm trains, the CSVs against an independent recomputation, the time-to-quality rule, refusals.
using System.Globalization;
using Nas.App.Experiments;
using Nas.App.Tests.Inputs;
using Nas.Components;
using Nas.Systems.Data;
using Nas.Systems.Methods;
using Nas.Systems.OneShot;
using Nas.Systems.OneShot.NasBench201;

namespace Nas.App.Tests.Experiments;

[Collection("Console")] // the flag tests run the command line with the console captured
public sealed class BnSpeedupExperimentTests : IDisposable
{
    private static readonly Dataset Tiny = Synthetic.LoadTrain(new SyntheticSpec(Channels: 1, Height: 8, Width: 8, TrainCount: 128, TestCount: 16));
    private readonly string _dir = Directory.CreateTempSubdirectory("nas-bn-speedup-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A ground-truth file as `nas experiment rank` writes it for <see cref="Tiny"/> at C = 2, with made-up accuracies (no training needed here).</summary>
    private string GroundTruth(int cells = 6, int channels = 2)
    {
        var path = Path.Combine(_dir, $"rank-{cells}-{channels}", GroundTruthFile.FileName);
        var rank = new RankExperimentOptions(Subset: 0, Channels: channels, Batch: 16, Data: Tiny);
        var names = RankExperiment.SampleCells(cells, 1).Select(g => Nb201Cell.Format(g)).ToList();
        GroundTruthFile.Open(path, RankExperiment.Settings(rank, Tiny), names, TextWriter.Null);
        for (int i = 0; i < cells; i++) GroundTruthFile.Append(path, new GroundTruthRow(i, names[i], 0, 1, Accuracy(i), 1.5));
        GroundTruthFile.Append(path, new GroundTruthRow(0, names[0], 1, 2, 0.99, 1.5)); // a second-seed row: not the ground truth
        return path;
    }

    private static double Accuracy(int i) => (i * 7 % 11 + 1) / 20.0;

    private BnSpeedupOptions Options(string groundTruth) => new(GroundTruth: groundTruth, Subset: 0, Channels: 2, Batch: 16, TimingSteps: 4, TimingBlock: 2,
        WarmupSteps: 1, FullEpochs: 2, BnEpochs: 2, Resamples: 20, Data: Tiny, OutDir: Path.Combine(_dir, "out"));

    private static Dictionary<(long, string), float[]> Parameters(OneShotSession s, Func<TensorRole, bool> roles) =>
        s.Supernet.Tensors.Parameters.Where(p => roles(p.Role)).ToDictionary(p => (s.World.SequenceOf(p.Owner), p.Name), p => p.Value.ToFloatArray());

    private static SpeedupTruth Truth(BnSpeedupOptions o) => BnSpeedupExperiment.ReadGroundTruth(o.GroundTruth).Truth;

    [Fact]
    public void BnOnlyTrainingChangesOnlyBnParametersAndLeavesEveryConvWeightAsInitialised()
    {
        var o = Options(GroundTruth());
        using var s = OneShotSession.Create(BnSpeedupExperiment.ArmConfig(o, Tiny, bnOnly: true, 1), Tiny);
        var before = Parameters(s, _ => true);
        BnSpeedupExperiment.TrainArm(s, "bn-only", Truth(o), o, TextWriter.Null, []);
        var roles = s.Supernet.Tensors.Parameters.ToDictionary(p => (s.World.SequenceOf(p.Owner), p.Name), p => p.Role);
        var changed = Parameters(s, _ => true).Where(kv => !kv.Value.SequenceEqual(before[kv.Key])).Select(kv => roles[kv.Key]).ToList();
        Assert.NotEmpty(changed);
        Assert.All(changed, r => Assert.True(r is TensorRole.BnWeight or TensorRole.BnBias, $"{r} changed under BN-only training"));
        Assert.Contains(roles, kv => kv.Value == TensorRole.ConvWeight); // there were conv weights to keep
    }

    [Fact]
    public void FullTrainingChangesConvWeights()
    {
        var o = Options(GroundTruth());
        using var s = OneShotSession.Create(BnSpeedupExperiment.ArmConfig(o, Tiny, bnOnly: false, 1), Tiny);
        var before = Parameters(s, r => r == TensorRole.ConvWeight);
        BnSpeedupExperiment.TrainArm(s, "full", Truth(o), o, TextWriter.Null, []);
        var after = Parameters(s, r => r == TensorRole.ConvWeight);
        Assert.Contains(after, kv => !kv.Value.SequenceEqual(before[kv.Key]));
    }

    [Fact]
    public void BothArmsStartFromTheSameWeights()
    {
        var o = Options(GroundTruth());
        using var full = OneShotSession.Create(BnSpeedupExperiment.ArmConfig(o, Tiny, bnOnly: false, 1), Tiny);
        using var bn = OneShotSession.Create(BnSpeedupExperiment.ArmConfig(o, Tiny, bnOnly: true, 1), Tiny);
        var a = Parameters(full, _ => true);
        var b = Parameters(bn, _ => true);
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        Assert.All(a, kv => Assert.Equal(kv.Value, b[kv.Key]));
    }

    [Fact]
    public void EachEpochsTauAndRhoAreThoseOfTheIndicatorsInScoresCsvAgainstTheGroundTruth()
    {
        var o = Options(GroundTruth());
        var result = BnSpeedupExperiment.Run(o, TextWriter.Null);
        var truth = RankExperiment.SampleCells(6, 1).Select((g, i) => (Cell: Nb201Cell.Format(g), Accuracy: Accuracy(i))).ToDictionary(c => c.Cell, c => c.Accuracy);
        var scores = File.ReadLines(Path.Combine(o.OutDir, "scores.csv")).Skip(1).Select(l => l.Split(','))
            .GroupBy(f => (f[0], int.Parse(f[1], CultureInfo.InvariantCulture)))
            .ToDictionary(g => g.Key, g => g.Select(f => (Cell: f[2], Score: double.Parse(f[3], CultureInfo.InvariantCulture))).ToList());
        var rows = File.ReadLines(Path.Combine(o.OutDir, "speedup.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        // full and bn-only: epochs 0, 1, 2; the 1-epoch BN-only run: 0, 1.
        Assert.Equal(["full/0", "full/1", "full/2", "bn-only/0", "bn-only/1", "bn-only/2", "bn-only-1ep/0", "bn-only-1ep/1"], rows.Select(f => $"{f[0]}/{f[1]}"));
        foreach (var f in rows)
        {
            var cells = scores[(f[0], int.Parse(f[1], CultureInfo.InvariantCulture))];
            Assert.Equal(truth.Keys.Order(), cells.Select(c => c.Cell).Order());
            double[] x = cells.Select(c => c.Score).ToArray(), y = cells.Select(c => truth[c.Cell]).ToArray();
            Assert.Equal(RankCorrelation.KendallTauB(x, y), double.Parse(f[4], CultureInfo.InvariantCulture)); // exact: both written with "R"
            Assert.Equal(RankCorrelation.Spearman(x, y), double.Parse(f[5], CultureInfo.InvariantCulture));
        }
        Assert.Contains(rows, f => double.IsFinite(double.Parse(f[4], CultureInfo.InvariantCulture))); // not a run of constant indicators
        // Cumulative steps and seconds: 7 steps an epoch (⌊0.8 · 128⌋ = 102 training images, ⌈102 / 16⌉ batches).
        Assert.Equal(["0", "7", "14"], rows.Take(3).Select(f => f[2]));
        Assert.Equal(0.0, double.Parse(rows[0][3], CultureInfo.InvariantCulture));
        Assert.True(double.Parse(rows[2][3], CultureInfo.InvariantCulture) > double.Parse(rows[1][3], CultureInfo.InvariantCulture));
        Assert.Equal(6, result.Truth.Names.Count); // the second-seed row is not a cell
        Assert.Equal(1 + 4, result.PathsCompared);
        var timing = File.ReadAllLines(Path.Combine(o.OutDir, "timing.csv"));
        Assert.Equal("block,arm,steps,median_ms", timing[0]);
        Assert.Equal(["0,full,2", "0,bn-only,2", "1,bn-only,2", "1,full,2"], timing.Skip(1).Select(l => string.Join(",", l.Split(',').Take(3))));
        Assert.Contains("**Verdict**", File.ReadAllText(Path.Combine(o.OutDir, "speedup.md")));
    }

    private static EpochPoint P(string arm, int epoch, double seconds, double tau) => new(arm, epoch, epoch * 10, seconds, tau, 0, 0, 0);

    [Fact]
    public void TheFixedQualityIsFirstReachedAtTheFirstTrainedEpochWithinToleranceOfFullTrainingsFinalTau()
    {
        // Values exact in binary: the threshold is 0.5 − 0.25 = 0.25, and a τ equal to it counts as reaching it.
        EpochPoint[] full = [P("full", 0, 0, 0.0), P("full", 1, 10, 0.125), P("full", 2, 20, 0.25), P("full", 3, 30, 0.5)];
        EpochPoint[] bn = [P("bn-only", 0, 0, 0.375), P("bn-only", 2, 4, 0.3125), P("bn-only", 1, 2, 0.1875)];
        double threshold = BnSpeedupReport.Threshold(full, 0.25);
        Assert.Equal(0.25, threshold);
        Assert.Equal(2, BnSpeedupReport.FirstReach(full, threshold)!.Value.Epoch);
        Assert.Equal(4, BnSpeedupReport.FirstReach(bn, threshold)!.Value.Seconds); // epoch 0 (untrained) does not count, the order of the series does not matter
        Assert.Null(BnSpeedupReport.FirstReach(bn, 0.4));
    }

    [Fact]
    public void AGroundTruthOfOtherChannelsOrImagesIsRefusedNamingTheFlagAndTheFile()
    {
        var path = GroundTruth(channels: 3);
        var e = Assert.Throws<ArgumentException>(() => BnSpeedupExperiment.Run(Options(path), TextWriter.Null));
        Assert.Contains("--channels", e.Message);
        Assert.Contains("channels=3", e.Message);
        Assert.Contains(path, e.Message);
        var subset = Assert.Throws<ArgumentException>(() => BnSpeedupExperiment.Run(Options(GroundTruth()) with { Subset = 100 }, TextWriter.Null));
        Assert.Contains("--subset", subset.Message);
        Assert.False(Directory.Exists(Path.Combine(_dir, "out")));
    }

    [Fact]
    public void AGroundTruthWithFewerThanThreeCellsIsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => BnSpeedupExperiment.Run(Options(GroundTruth(cells: 2)), TextWriter.Null));
        Assert.Contains("holds 2 trained cells", e.Message);
    }

    [Theory]
    [InlineData("missing", "no such file")]
    [InlineData("no-header", "expected the header")]
    [InlineData("bad-row", "accuracy '1.5' is not in [0, 1]")]
    [InlineData("not-a-cell", "is not an NB-201 cell string")]
    public void ABadGroundTruthFileIsRefusedNamingTheFlagAndTheFile(string kind, string says)
    {
        var path = GroundTruth();
        var lines = File.ReadAllLines(path).ToList();
        int header = lines.FindIndex(l => l.StartsWith("index,"));
        if (kind == "missing") path += ".gone";
        if (kind == "no-header") lines.RemoveAt(header);
        string Field(int field, string value) => string.Join(",", lines[header + 1].Split(',').Select((f, i) => i == field ? value : f));
        if (kind == "bad-row") lines[header + 1] = Field(4, "1.5");
        if (kind == "not-a-cell") lines[header + 1] = Field(1, "|conv~0|");
        if (kind != "missing") File.WriteAllLines(path, lines);
        var outDir = Path.Combine(_dir, "out");
        var (code, _, stderr) = CliRun.Run(["experiment", "bn-speedup", "--ground-truth", path, "--subset", "0", "--channels", "2", "--out", outDir]);
        Assert.Equal(2, code);
        Assert.Contains("--ground-truth", stderr);
        Assert.Contains(path, stderr);
        Assert.Contains(says, stderr);
        Assert.False(Directory.Exists(outDir));
    }

    [Theory]
    [InlineData("--timing-steps", "0", "--timing-steps must be at least 1, got 0")]
    [InlineData("--timing-block", "0", "--timing-block must be at least 1, got 0")]
    [InlineData("--full-epochs", "0", "--full-epochs must be at least 1, got 0")]
    [InlineData("--bn-epochs", "-1", "--bn-epochs must be at least 1, got -1")]
    [InlineData("--tolerance", "-0.1", "--tolerance must be in [0, 2)")]
    [InlineData("--channels", "0", "--channels must be at least 1, got 0")]
    public void BadFlagsAreRefusedNamingTheFlagBeforeAnythingIsWritten(string flag, string value, string says)
    {
        var outDir = Path.Combine(_dir, "out");
        var (code, _, stderr) = CliRun.Run(["experiment", "bn-speedup", "--ground-truth", GroundTruth(), "--out", outDir, flag, value]);
        Assert.Equal(2, code);
        Assert.Contains(says, stderr);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void WithoutAGroundTruthTheCommandSaysTheFlagIsRequired()
    {
        var (code, _, stderr) = CliRun.Run(["experiment", "bn-speedup", "--out", Path.Combine(_dir, "out")]);
        Assert.Equal(2, code);
        Assert.Contains("--ground-truth FILE is required", stderr);
    }
}
