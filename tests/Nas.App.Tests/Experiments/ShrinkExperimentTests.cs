// The shrink experiment (V5) at the smallest size: its files against each other and recomputed, the statistics on a hand-made case, resuming, bad flags.
using System.Globalization;
using Nas.App.Experiments;
using Nas.App.Tests.Inputs;
using Nas.Components;
using Nas.Systems.Data;
using Nas.Systems.OneShot;
using Nas.Systems.OneShot.BsNas;
using Nas.World;

namespace Nas.App.Tests.Experiments;

public sealed class ShrinkExperimentTests
{
    private static readonly Dataset Tiny = Synthetic.LoadTrain(new SyntheticSpec(Channels: 1, Height: 8, Width: 8, Classes: 4, TrainCount: 96, TestCount: 8, Seed: 3));
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static ShrinkExperimentOptions Options(string dir) => new(Subset: 0, Epochs: 3, FirstStage: 1, Subnets: 4, Population: 4, Generations: 1,
        Architectures: 6, NewSurvivors: 3, GroundTruthSubset: 0, GroundTruthEpochs: 1, Seed: 7, Batch: 16, Threads: 1, Resamples: 200, Data: Tiny, OutDir: dir);

    private static int Options(ActiveOptions a) => a.Ops.Sum(o => o.Length) + a.Widths.Sum(w => w.Length);

    [Fact]
    public void ARunsFilesAgreeAndEveryTauIsTheOneOfItsSurvivors()
    {
        var dir = Directory.CreateTempSubdirectory("nas-shrink-");
        var run = ShrinkExperiment.Run(Options(dir.FullName), new StringWriter());

        var none = run.Arms.Single(a => a.Name == ShrinkExperiment.None);
        Assert.Equal(ShrinkExperiment.ArmNames.Order(), run.Arms.Select(a => a.Name).Order());
        foreach (var arm in run.Arms.Where(a => a != none))
        {
            int removed = Options(none.Active) - Options(arm.Active);
            Assert.True(removed > 0 && removed % 7 == 0, $"{arm.Name}: {removed} options removed, expected whole rankings of D = 7");
            Assert.True(arm.SpaceSize < none.SpaceSize);
            Assert.True(ShrinkExperiment.Survives(arm.Best, arm.Active), $"{arm.Name}'s evolution result uses a pruned option");
        }

        // ground-truth.csv: one row per genome of shrink.csv, the same accuracy.
        var (_, gt) = GroundTruthFile.Read(Path.Combine(dir.FullName, GroundTruthFile.FileName));
        var csv = File.ReadAllLines(Path.Combine(dir.FullName, ShrinkReport.CsvFile));
        Assert.Equal("genome,origin,truth,survives_accuracy,supernet_accuracy,survives_angle,supernet_angle,survives_none,supernet_none", csv[0]);
        var rows = csv.Skip(1).Select(l => l.Split(',')).ToDictionary(f => f[0]);
        Assert.Equal(gt.Select(r => r.Cell).Order(), rows.Keys.Order());
        foreach (var r in gt) Assert.Equal(r.Accuracy, double.Parse(rows[r.Cell][2], Inv));
        Assert.Equal(6, rows.Values.Count(f => f[1].Split('+').Contains("sample")));
        Assert.All(rows.Values, f => Assert.NotEqual("", f[8])); // the no-shrink supernet scores every genome (the control)

        // Each arm's τ_b recomputed from the CSV over its survivors: the sample inside its space, and its new survivors.
        int column = 3;
        foreach (var arm in new[] { ShrinkExperiment.Accuracy, ShrinkExperiment.Angle, ShrinkExperiment.None })
        {
            var survivors = rows.Values.Where(f => f[column] == "1" && f[1].Split('+').Any(o => o == "sample" || o == "new-" + arm)).ToList();
            Assert.All(rows.Values.Where(f => f[1].Split('+').Contains("new-" + arm)), f => Assert.Equal("1", f[column]));
            var row = run.Rows.Single(r => r.Arm == arm);
            Assert.Equal(survivors.Count, row.Survivors);
            var truth = survivors.Select(f => double.Parse(f[2], Inv)).ToArray();
            var own = survivors.Select(f => double.Parse(f[column + 1], Inv)).ToArray();
            var control = survivors.Select(f => double.Parse(f[8], Inv)).ToArray();
            Assert.Equal(RankCorrelation.KendallTauB(own, truth), row.Tau, 12);
            Assert.Equal(RankCorrelation.KendallTauB(control, truth), row.ControlTau, 12);
            var best = run.Arms.Single(a => a.Name == arm).Best;
            Assert.Equal(run.Truth[ShrinkExperiment.Key(best)], row.BestAccuracy);
            column += 2;
        }
        Assert.Contains("# V5: BS-NAS shrinking", File.ReadAllText(Path.Combine(dir.FullName, ShrinkReport.MarkdownFile)));
        Assert.Equal(3 * 8 + 1, File.ReadAllLines(Path.Combine(dir.FullName, ShrinkReport.ArmsFile)).Length);

        // A second call trains nothing (arm-NAME.json holds each arm; its new survivors are drawn again from the same seed) and gives the same table.
        var secondConsole = new StringWriter();
        var again = ShrinkExperiment.Run(Options(dir.FullName), secondConsole);
        Assert.Equal(0, again.TrainedThisRun);
        Assert.Contains("arm accuracy: read from", secondConsole.ToString()); // the arms are not trained again either
        Assert.DoesNotContain("searching", secondConsole.ToString());
        Assert.Equal(run.Arms.Select(a => a.Best), again.Arms.Select(a => a.Best));
        Assert.Equal(run.Rows, again.Rows);
        // Other arm settings run the arms again (they are deterministic: the same genomes, the same ground truth rows reused).
        var third = new StringWriter();
        var rerun = ShrinkExperiment.Run(Options(dir.FullName) with { Resamples = 100 }, third);
        Assert.Contains("arm accuracy: read from", third.ToString()); // resamples are not an arm setting
        File.WriteAllText(Path.Combine(dir.FullName, "arm-angle.json"), File.ReadAllText(Path.Combine(dir.FullName, "arm-angle.json")).Replace("seed=7", "seed=8"));
        third = new StringWriter();
        rerun = ShrinkExperiment.Run(Options(dir.FullName), third);
        Assert.Contains("arm angle: searching", third.ToString());
        Assert.Equal(0, rerun.TrainedThisRun);
        Assert.Equal(run.Rows.Select(r => r with { Seconds = 0 }), rerun.Rows.Select(r => r with { Seconds = 0 })); // all but the arms' wall times

        // Other ground-truth settings are refused before any arm runs, naming the setting.
        var e = Assert.Throws<InvalidDataException>(() => ShrinkExperiment.Run(Options(dir.FullName) with { GroundTruthEpochs = 2 }, new StringWriter()));
        Assert.Contains("was written with epochs=1, this run has epochs=2", e.Message);
        dir.Delete(recursive: true);
    }

    [Fact]
    public void ASampleOnlyCallTrainsTheSampleAndTheFullRunTrainsOnlyTheRest()
    {
        var dir = Directory.CreateTempSubdirectory("nas-shrink-");
        var first = ShrinkExperiment.Run(Options(dir.FullName) with { SampleOnly = true }, new StringWriter());
        Assert.Empty(first.Arms);
        Assert.Equal(6, first.TrainedThisRun);
        Assert.Empty(Directory.GetFiles(dir.FullName, ShrinkReport.CsvFile));
        var full = ShrinkExperiment.Run(Options(dir.FullName), new StringWriter());
        Assert.Equal(full.Truth.Count - 6, full.TrainedThisRun);
        Assert.Equal(first.Sample, full.Sample);
        Assert.All(first.Truth, kv => Assert.Equal(kv.Value, full.Truth[kv.Key]));
        // A stand-alone training is deterministic: the sample trained in a fresh folder gives the same accuracies.
        var again = Directory.CreateTempSubdirectory("nas-shrink-");
        var fresh = ShrinkExperiment.Run(Options(again.FullName) with { SampleOnly = true }, new StringWriter());
        Assert.Equal(first.Truth, fresh.Truth);
        dir.Delete(recursive: true);
        again.Delete(recursive: true);
    }

    [Fact]
    public void DrawnGenomesAreDistinctAndInsideTheActiveSpace()
    {
        var space = BsNasSpace.Tiny28(10);
        var active = new ActiveOptions(space.Active.Ops.Select(o => o.Take(2).ToArray()).ToArray(), space.Active.Widths.Select(w => w.Skip(1).ToArray()).ToArray());
        var spec = Nas.Systems.Methods.OneShotSession.NetworkOf(ShrinkExperiment.ArmConfig(new ShrinkExperimentOptions(), Tiny, ShrinkExperiment.Accuracy), Tiny);
        var drawn = ShrinkExperiment.Draw(spec, active, 40, 11, 16, new HashSet<string>());
        Assert.Equal(40, drawn.Select(ShrinkExperiment.Key).Distinct().Count());
        Assert.All(drawn, g => Assert.True(ShrinkExperiment.Survives(g, active)));
        var full = ShrinkExperiment.Draw(spec, null, 200, 11, 16, new HashSet<string>());
        Assert.Contains(full, g => !ShrinkExperiment.Survives(g, active)); // the full space reaches the pruned options
        var excluded = ShrinkExperiment.Draw(spec, active, 5, 11, 16, drawn.Take(5).Select(ShrinkExperiment.Key).ToHashSet());
        Assert.DoesNotContain(excluded, g => drawn.Take(5).Any(d => d.SequenceEqual(g)));
    }

    /// <summary>
    /// Two layers, hand-made: op 0 at width 0 is the true best in layer 0 (genomes with it score 0.9), the arm pruned it; the
    /// arm's supernet ranks its survivors exactly as the truth, the no-shrink supernet exactly the other way.
    /// </summary>
    [Fact]
    public void ARowCountsTauControlBestOptionsAndChanceByHand()
    {
        int G(int op, int w) => BsNasGene.Encode(op, w);
        var full = new ActiveOptions([[0, 1, 2], [0, 1]], [[0, 1], [0, 1]]);
        var pruned = new ActiveOptions([[1, 2], [0, 1]], [[0, 1], [1]]);
        int[][] sample = [[G(0, 0), G(0, 0)], [G(1, 0), G(0, 1)], [G(2, 1), G(1, 1)], [G(1, 1), G(0, 1)]];
        int[][] extra = [[G(2, 0), G(0, 1)]];
        var truth = new Dictionary<string, double>
        {
            [ShrinkExperiment.Key(sample[0])] = 0.9, [ShrinkExperiment.Key(sample[1])] = 0.5, [ShrinkExperiment.Key(sample[2])] = 0.6,
            [ShrinkExperiment.Key(sample[3])] = 0.4, [ShrinkExperiment.Key(extra[0])] = 0.3,
        };
        var inverse = truth.ToDictionary(kv => kv.Key, kv => 1 - kv.Value);
        var none = new ShrinkArm(ShrinkExperiment.None, full, 36, sample[0], 1, inverse);
        var arm = new ShrinkArm(ShrinkExperiment.Accuracy, pruned, 12, sample[2], 2, truth);
        var o = new ShrinkExperimentOptions(Resamples: 100);

        var row = ShrinkExperiment.Row(o, arm, none, sample, extra, truth);
        Assert.Equal(3, row.FromSample); // all but sample[0], which uses the pruned op 0 in layer 0
        Assert.Equal(4, row.Survivors); // and the new survivor: truths 0.5, 0.6, 0.4, 0.3
        Assert.Equal(1.0, row.Tau, 12);
        Assert.Equal(-1.0, row.ControlTau, 12);
        // Best op: layer 0 op 0 (mean 0.9) is pruned; layer 1 op 0 (mean of 0.9, 0.5, 0.4, 0.3 = 0.525) vs op 1 (0.6): op 1 survives.
        Assert.Equal(1, row.BestOpSurvived);
        // Best width: layer 0 width 0 (0.9, 0.5, 0.3 → 0.567) vs width 1 (0.6, 0.4 → 0.5): kept; layer 1 width 0 (0.9) is pruned.
        Assert.Equal(1, row.BestWidthSurvived);
        Assert.Equal((2.0 / 3 + 2.0 / 2) / 2, row.ChanceOp, 12);
        Assert.Equal((2.0 / 2 + 1.0 / 2) / 2, row.ChanceWidth, 12);
        Assert.Equal(0.6, row.BestAccuracy);
        Assert.Equal(0.5, row.BestPercentile); // of the sample's 0.9, 0.5, 0.6, 0.4, two are lower than 0.6
    }

    [Theory]
    [InlineData("--epochs", "0", "--epochs must be at least 1, got 0")]
    [InlineData("--first-stage", "16", "--first-stage must be below --epochs (a stage must end before training does), got 16 and 16")]
    [InlineData("--subnets", "0", "--subnets must be at least 1")]
    [InlineData("--architectures", "2", "--architectures must be at least 3")]
    [InlineData("--new-survivors", "-1", "--new-survivors must be at least 0")]
    [InlineData("--gt-epochs", "0", "--gt-epochs must be at least 1")]
    [InlineData("--gt-subset", "-3", "--subset and --gt-subset must be 0 (all images) or positive, got 2000 and -3")]
    [InlineData("--population", "1", "--population must be at least 2")]
    [InlineData("--batch", "0", "--batch must be at least 1")]
    [InlineData("--threads", "0", "--threads 0: must be in 1..")]
    public void BadFlagsAreRefusedNamingTheFlagBeforeAnythingIsWritten(string flag, string value, string says)
    {
        var dir = Directory.CreateTempSubdirectory("nas-shrink-");
        var outDir = Path.Combine(dir.FullName, "out");
        var (code, _, stderr) = CliRun.Run(["experiment", "shrink", "--out", outDir, flag, value]);
        Assert.Equal(2, code);
        Assert.Contains("nas experiment shrink: " + says, stderr);
        Assert.False(Directory.Exists(outDir));
        dir.Delete(recursive: true);
    }
}
