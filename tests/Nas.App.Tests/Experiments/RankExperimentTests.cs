// The rank experiment's plumbing at the smallest size: every score is computed for every cell and the raw CSV is written.
using System.Globalization;
using Nas.App.Experiments;
using Nas.Systems.Data;

namespace Nas.App.Tests.Experiments;

public sealed class RankExperimentTests
{
    [Fact]
    public void ThreeCellsWriteOneCsvRowEachWithTheGroundTruthAndEveryScore()
    {
        var dir = Directory.CreateTempSubdirectory("nas-rank-");
        var data = Synthetic.LoadTrain(new SyntheticSpec(Channels: 1, Height: 8, Width: 8, TrainCount: 128, TestCount: 16));
        var o = new RankExperimentOptions(Architectures: 3, Subset: 0, Channels: 2, Batch: 16, GroundTruthEpochs: 1, SupernetEpochs: 1,
            Data: data, OutDir: dir.FullName);
        var console = new StringWriter();
        RankExperiment.Run(o, console);
        var csv = File.ReadAllLines(Path.Combine(dir.FullName, "rank.csv"));
        Assert.Equal(4, csv.Length);
        var header = csv[0].Split(',');
        Assert.Equal(["cell", "ground_truth_accuracy"], header[..2]);
        Assert.Contains("\"FLOPs (baseline)\"", header);
        Assert.Contains("\"BNNAS++ rank-sum E+T+U\"", header);
        var cells = new HashSet<string>();
        foreach (var line in csv[1..])
        {
            // The NB-201 cell string has no comma, so splitting on commas is exact here.
            var fields = line.Split(',');
            Assert.Equal(header.Length, fields.Length);
            Assert.True(cells.Add(fields[0]), $"cell {fields[0]} appears twice");
            Assert.InRange(double.Parse(fields[1], CultureInfo.InvariantCulture), 0, 1);
            Assert.All(fields[2..], f => Assert.True(f == "-inf" || double.TryParse(f, CultureInfo.InvariantCulture, out _), $"score {f}"));
        }
        // The console table names each score of the CSV.
        foreach (var name in header[2..]) Assert.Contains($"| {name.Trim('"')} |", console.ToString());
        dir.Delete(recursive: true);
    }
}
