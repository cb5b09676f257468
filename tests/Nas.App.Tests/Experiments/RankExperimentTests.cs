// The rank experiment at the smallest size: every score for every cell, the raw CSV, a resumable ground truth, the SVGs.
using System.Globalization;
using System.Xml.Linq;
using Nas.App.Experiments;
using Nas.Components;
using Nas.Systems.Data;
using Nas.Systems.OneShot.NasBench201;

namespace Nas.App.Tests.Experiments;

public sealed class RankExperimentTests
{
    private static readonly Dataset Tiny = Synthetic.LoadTrain(new SyntheticSpec(Channels: 1, Height: 8, Width: 8, TrainCount: 128, TestCount: 16));

    private static RankExperimentOptions Options(string dir, int cells = 4, string scores = "params,flops") =>
        new(Architectures: cells, Subset: 0, Channels: 2, Batch: 16, GroundTruthEpochs: 1, SupernetEpochs: 1, StabilityCells: 3,
            Scores: scores, Resamples: 50, Data: Tiny, OutDir: dir);

    [Fact]
    public void EveryScoreGetsACsvColumnATableRowAndAWellFormedScatterPlot()
    {
        var dir = Directory.CreateTempSubdirectory("nas-rank-");
        var console = new StringWriter();
        var result = RankExperiment.Run(Options(dir.FullName, scores: "all"), console);
        var csv = File.ReadAllLines(Path.Combine(dir.FullName, "rank.csv"));
        Assert.Equal(5, csv.Length);
        var header = csv[0].Split(',');
        Assert.Equal(["cell", "ground_truth_accuracy", "second_seed_accuracy"], header[..3]);
        var columns = RankScores.All.SelectMany(s => s.Columns).ToList();
        Assert.Equal(columns.Select(c => $"\"{c}\""), header[3..]);
        var cells = new HashSet<string>();
        for (int i = 1; i < csv.Length; i++)
        {
            // The NB-201 cell string has no comma, so splitting on commas is exact here.
            var fields = csv[i].Split(',');
            Assert.Equal(header.Length, fields.Length);
            Assert.True(cells.Add(fields[0]), $"cell {fields[0]} appears twice");
            Assert.InRange(double.Parse(fields[1], CultureInfo.InvariantCulture), 0, 1);
            Assert.Equal(i <= 3, fields[2] != ""); // the first 3 cells have a second seed
            Assert.All(fields[3..], f => Assert.True(f == "-inf" || double.TryParse(f, CultureInfo.InvariantCulture, out _), $"score {f}"));
        }
        var summary = File.ReadAllText(Path.Combine(dir.FullName, "summary.md"));
        foreach (var c in columns) Assert.Contains($"| {c}", summary);
        Assert.Equal(columns.Count, result.Rows.Count);
        Assert.NotNull(result.StabilityTau);
        var svgs = Directory.GetFiles(dir.FullName, "scatter-*.svg");
        Assert.Equal(columns.Count, svgs.Length);
        foreach (var svg in svgs)
        {
            var doc = XDocument.Load(svg); // throws unless well-formed
            Assert.Equal(4, doc.Descendants(XName.Get("circle", "http://www.w3.org/2000/svg")).Count());
        }
        dir.Delete(recursive: true);
    }

    [Fact]
    public void APluggedInScoreIsOneLineAndSeesEveryCellTheNetworkAndAProbeBatch()
    {
        var dir = Directory.CreateTempSubdirectory("nas-rank-");
        var seen = new List<string>();
        long[] probe = [];
        int channels = 0;
        var score = new PerCellScore("genes", "sum of genes", (c, g) =>
        {
            seen.Add(Nb201Cell.Format(g));
            probe = c.Probe.Images.Shape;
            channels = c.Network.Channels;
            return g.Sum();
        });
        var result = RankExperiment.Run(Options(dir.FullName) with { StabilityCells = 0 }, TextWriter.Null, [score]);
        Assert.Equal(result.Cells.Select(g => Nb201Cell.Format(g)), seen);
        Assert.Equal([16L, 1, 8, 8], probe);
        Assert.Equal(2, channels);
        var row = Assert.Single(result.Rows);
        Assert.Equal("sum of genes", row.Score);
        Assert.Equal("cell,ground_truth_accuracy,second_seed_accuracy,\"sum of genes\"", File.ReadLines(Path.Combine(dir.FullName, "rank.csv")).First());
        dir.Delete(recursive: true);
    }

    [Fact]
    public void ARerunResumesFromTheGroundTruthFileWithoutRetraining()
    {
        var dir = Directory.CreateTempSubdirectory("nas-rank-");
        var first = RankExperiment.Run(Options(dir.FullName), TextWriter.Null);
        Assert.Equal(4 + 3, first.TrainedThisRun);
        var again = RankExperiment.Run(Options(dir.FullName), TextWriter.Null);
        Assert.Equal(0, again.TrainedThisRun);
        Assert.Equal(first.Truth, again.Truth);
        // More cells extend the sample: only the new cell is trained.
        var more = RankExperiment.Run(Options(dir.FullName, cells: 5), TextWriter.Null);
        Assert.Equal(1, more.TrainedThisRun);
        Assert.Equal(first.Truth, more.Truth[..4]);
        dir.Delete(recursive: true);
    }

    [Fact]
    public void AnInterruptedRunTrainsOnlyWhatIsMissingAndDropsAHalfWrittenLine()
    {
        var dir = Directory.CreateTempSubdirectory("nas-rank-");
        var first = RankExperiment.Run(Options(dir.FullName), TextWriter.Null);
        var path = Path.Combine(dir.FullName, GroundTruthFile.FileName);
        var lines = File.ReadAllLines(path);
        // As if killed while writing the 6th training: two rows lost, the first of them half written.
        File.WriteAllText(path, string.Join("\n", lines[..^2]) + "\n" + lines[^2][..10]);
        var console = new StringWriter();
        var resumed = RankExperiment.Run(Options(dir.FullName), console);
        Assert.Equal(2, resumed.TrainedThisRun);
        Assert.Contains("dropping an unfinished last line", console.ToString());
        Assert.Equal(first.Truth, resumed.Truth); // seeded training reproduces the lost rows
        Assert.Equal(lines.Length, File.ReadAllLines(path).Length);
        dir.Delete(recursive: true);
    }

    [Fact]
    public void AGroundTruthFileFromOtherSettingsIsRefusedNamingTheField()
    {
        var dir = Directory.CreateTempSubdirectory("nas-rank-");
        RankExperiment.Run(Options(dir.FullName) with { StabilityCells = 0 }, TextWriter.Null);
        var e = Assert.Throws<InvalidDataException>(() => RankExperiment.Run(Options(dir.FullName) with { StabilityCells = 0, GroundTruthEpochs = 2 }, TextWriter.Null));
        Assert.Contains("epochs=1", e.Message);
        Assert.Contains("epochs=2", e.Message);
        Assert.Contains(GroundTruthFile.FileName, e.Message);
        dir.Delete(recursive: true);
    }

    [Fact]
    public void ARowWhoseCellIsNotTheSampledOneIsRefused()
    {
        var dir = Directory.CreateTempSubdirectory("nas-rank-");
        RankExperiment.Run(Options(dir.FullName) with { StabilityCells = 0 }, TextWriter.Null);
        var path = Path.Combine(dir.FullName, GroundTruthFile.FileName);
        var lines = File.ReadAllLines(path);
        var fields = lines[^1].Split(',');
        fields[1] = Nb201Cell.Format(new int[Nb201Cell.EdgeCount]);
        lines[^1] = string.Join(",", fields);
        File.WriteAllLines(path, lines);
        var e = Assert.Throws<InvalidDataException>(() => RankExperiment.Run(Options(dir.FullName) with { StabilityCells = 0 }, TextWriter.Null));
        Assert.Contains("but this run samples", e.Message);
        dir.Delete(recursive: true);
    }

    [Fact]
    public void TheSampleHoldsDistinctIsomorphismClassesAndALongerSampleExtendsAShorterOne()
    {
        var sixty = RankExperiment.SampleCells(60, 1);
        Assert.Equal(60, sixty.Select(g => Nb201Isomorphism.Key(g, Nb201Dedupe.Isomorphic)).Distinct().Count());
        var twelve = RankExperiment.SampleCells(12, 1);
        Assert.Equal(twelve.Select(g => Nb201Cell.Format(g)), sixty.Take(12).Select(g => Nb201Cell.Format(g)));
        Assert.NotEqual(twelve.Select(g => Nb201Cell.Format(g)), RankExperiment.SampleCells(12, 2).Select(g => Nb201Cell.Format(g)));
    }

    [Fact]
    public void TheSampleCanTakeEveryIsomorphismClassAndNoMore()
    {
        Assert.Equal(8765, RankExperiment.Classes); // Nb201Dedupe.Isomorphic's classes (docs/one-shot.md), not NB-201's 6,466
        var all = RankExperiment.SampleCells(RankExperiment.Classes, 3);
        Assert.Equal(8765, all.Select(g => Nb201Isomorphism.Key(g, Nb201Dedupe.Isomorphic)).Distinct().Count());
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => RankExperiment.SampleCells(8766, 3));
        Assert.Contains("architectures must be between 1 and 8765 (isomorphism classes), got 8766", e.Message);
    }

    [Fact]
    public void StatisticsRankMinusInfinityBelowEverythingAndAgreeWithHandCounts()
    {
        var o = new RankExperimentOptions(Resamples: 100);
        // A score that orders the truth exactly, with its worst cell at −∞: τ = ρ = 1, every bootstrap τ is 1, all hits.
        var exact = RankExperiment.Statistics("s", [double.NegativeInfinity, 1, 2, 3, 4, 5, 6, 7, 8, 9], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], o);
        Assert.Equal((1.0, 1.0, 1.0, 1), (exact.Tau, exact.Low, exact.High, exact.Infinite));
        Assert.Equal(1, exact.Rho, 12);
        Assert.Equal(1, exact.HitRate, 12);
        // By hand (n = 5, truth 1..5, score 2,1,3,5,4): 8 concordant, 2 discordant pairs, τ = 6/10; Σd² = 4, ρ = 1 − 6·4/120 = 0.8;
        // k = 1: the true best (cell 4) is the score's second: no hit.
        var swapped = RankExperiment.Statistics("s", [2, 1, 3, 5, 4], [1, 2, 3, 4, 5], o);
        Assert.Equal(0.6, swapped.Tau, 12);
        Assert.Equal(0.8, swapped.Rho, 12);
        Assert.Equal(0, swapped.HitRate, 12);
        Assert.InRange(swapped.Tau, swapped.Low, swapped.High);
    }

    [Fact]
    public void AnUnknownScoreIsRefusedListingTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => RankScores.Select("params,synflw"));
        Assert.Contains("'synflw'", e.Message);
        Assert.Contains("bnnas++", e.Message);
        Assert.Equal(["params", "flops"], RankScores.Select("flops, params").Select(s => s.Key));
    }

    [Fact]
    public void TheScatterPlotIsWellFormedXmlWithTauInItsTitleAndAStripForMinusInfinity()
    {
        var svg = RankPlot.Svg("BNNAS++ T <trainability> & co", [double.NegativeInfinity, 0.5, 2, 1], [0.1, 0.4, 0.9, 0.5], 0.667);
        var doc = XDocument.Parse(svg);
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(4, doc.Descendants(ns + "circle").Count());
        var title = doc.Descendants(ns + "text").First().Value;
        Assert.Contains("τ_b = 0.667", title);
        Assert.Contains("1 at −∞", title);
        Assert.Equal("bnnas-t-trainability-co", RankPlot.Slug("BNNAS++ T <trainability> & co"));
    }
}
