// The run page's architecture weights are the ones the forward mixes with: softmax(alpha)·softmax(beta) under edge
// normalization, zero on DropNAS's dropped ops; and `nas report` refuses a folder that is not a run with one clear line.
using Nas.App.Commands;
using Nas.App.Page;
using Nas.Components;
using Nas.Systems.Data;
using Nas.Systems.Methods;
using Nas.Systems.Search;

namespace Nas.App.Tests.Page;

public sealed class RunDetailTests
{
    private static Dataset Data() =>
        Synthetic.LoadTrain(new SyntheticSpec(Channels: 1, Height: 8, Width: 8, Classes: 4, TrainCount: 64, TestCount: 16, Seed: 3));

    private static SearchConfig Tiny(string method) => Presets.For(method) with { Layers = 3, Channels = 4, Batch = 8, Threads = 1, Dataset = "synthetic", Epochs = 2 };

    [Fact]
    public void UnderEdgeNormalizationTheWeightsAreSoftmaxAlphaTimesTheEdgesBeta()
    {
        using var session = SearchSession.Create(Tiny("darts") with { EdgeNormalization = true }, Data());
        session.Step();
        var arch = RunDetail.Of(session.World, session.Config).Architecture!;
        Assert.Equal(8, arch.Ops.Length);
        foreach (var (cell, type) in arch.Cells.Zip(new[] { CellType.Normal, CellType.Reduce }))
        {
            var expected = session.EdgeWeights(type, withBeta: true); // the genotype's own weighting, the oracle here
            Assert.Equal(14, cell.Edges.Length);
            for (var e = 0; e < 14; e++)
                for (var o = 0; o < 8; o++)
                    Assert.Equal(expected[e][o], cell.Weights[e][o], 1e-6f);
            Assert.NotNull(cell.Beta);
            Assert.Equal(1f, cell.Beta![0] + cell.Beta[1], 1e-5f); // node 0's two inputs
            Assert.Null(cell.Kept);
        }
        Assert.Equal("softmax(alpha) × softmax(beta)", arch.Weighting);
    }

    [Fact]
    public void UnderDropNasTheDroppedOpsWeighNothingAndAreMarked()
    {
        using var session = SearchSession.Create(Tiny("dropnas") with { DropRate = 0.5 }, Data());
        session.Step();
        var cell = RunDetail.Of(session.World, session.Config).Architecture!.Cells[0];
        Assert.NotNull(cell.Kept);
        var dropped = 0;
        for (var e = 0; e < cell.Edges.Length; e++)
        {
            for (var o = 0; o < cell.Weights[e].Length; o++)
                if (!cell.Kept![e][o]) { dropped++; Assert.Equal(0f, cell.Weights[e][o]); }
            Assert.Equal(1f, cell.Weights[e].Sum(), 1e-5f); // renormalised over the kept ops
        }
        Assert.True(dropped > 0, "a drop rate of 0.5 dropped nothing");
    }

    [Fact]
    public void EdgesAreNamedInRowOrder() =>
        Assert.Equal(["c_{k-2} → 0", "c_{k-1} → 0", "c_{k-2} → 1", "c_{k-1} → 1", "0 → 1"], RunDetail.EdgeNames(2));

    [Fact]
    public void AReportOfAFolderWithoutStepsIsRefusedNamingTheFolder()
    {
        var dir = Directory.CreateTempSubdirectory("nas-report-").FullName;
        try
        {
            var e = Assert.Throws<ReportCommand.ReportException>(() => ReportCommand.Data(dir));
            Assert.Equal($"{dir}: no steps.jsonl (not a run folder, or the run made no step)", e.Message);
            Assert.Contains("no such run folder", Assert.Throws<ReportCommand.ReportException>(() => ReportCommand.Data(Path.Combine(dir, "x"))).Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
