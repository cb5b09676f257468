// What a long one-shot run prints while it evolves: the generation, not "epoch 11/10".
using Nas.App.Runs;
using Nas.Components;
using Nas.Systems.Data;
using Nas.Systems.Methods;

namespace Nas.App.Tests.Runs;

public sealed class SearchProgressTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"nas-progress-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void TheEvolutionPhaseReportsGenerationsAndTheBestErrorNotEpochs()
    {
        var config = Presets.For("spos") with
        {
            Batch = 16, Epochs = 1, Threads = 1, Dataset = "synthetic", Population = 4, Generations = 2, RecalibrationBatches = 1,
            EvalBatches = 1, TrainPortion = 0.5,
        };
        var data = Synthetic.LoadTrain(new SyntheticSpec(Channels: 1, Height: 8, Width: 8, Classes: 4, TrainCount: 64, TestCount: 16, Seed: 3));
        using var run = new SearchRun(OneShotSession.Create(config, data), RunFolder.CreateNew(_dir, "--out", moveAside: false));
        var session = run.Session;
        session.Step();
        Assert.Equal("epoch 1/1", run.SummaryFields()[0]); // training
        while (session.World.CountOf<ArchCandidate>() == 0) session.Step(); // the start: population scored
        var fields = run.SummaryFields();
        Assert.Equal("generation 0/2", fields[0]);
        Assert.Equal($"evaluated {session.World.Resource<EvolutionState>().Evaluated.Length}", fields[1]);
        Assert.StartsWith("best error 0.", fields[2]);
        session.Step();
        Assert.Equal("generation 1/2", run.SummaryFields()[0]);
    }
}
