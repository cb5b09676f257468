// `nas inspect`: a summary of a good search snapshot (differentiable or one-shot), one clear line and exit 1 for a damaged one.
using Nas.Components;
using Nas.Systems.Data;
using Nas.Systems.Methods;
using Nas.Systems.OneShot;
using Nas.Systems.Search;
using Nas.World.Snapshots;

namespace Nas.App.Tests.Snapshots;

public sealed class InspectTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nas-inspect-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string SaveOneStep()
    {
        var config = Presets.For("darts") with { Layers = 3, Channels = 4, Batch = 8, Threads = 1, Dataset = "synthetic" };
        var data = Synthetic.LoadTrain(new SyntheticSpec(Channels: 1, Height: 8, Width: 8, Classes: 4, TrainCount: 64, TestCount: 16, Seed: 3));
        using var session = SearchSession.Create(config, data);
        session.Step();
        return SearchSnapshot.Save(session, new SnapshotStore(_dir, keep: 1));
    }

    [Fact]
    public void InspectSummarisesMethodStepEntitiesTensorsAndGenotype()
    {
        var path = SaveOneStep();
        var output = new StringWriter();
        Assert.Equal(0, global::Nas.App.Commands.InspectCommand.Run(path, output));
        var text = output.ToString();
        Assert.Contains("method     darts", text);
        Assert.Contains("step       1", text);
        Assert.Contains("checksum   ok", text);
        Assert.Contains("nas.op ", text);
        Assert.Contains("genotype   Genotype(normal=[", text);
    }

    [Fact]
    public void InspectOfADamagedSnapshotFailsWithoutAStackTrace()
    {
        var path = SaveOneStep();
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0xff;
        File.WriteAllBytes(path, bytes);
        var output = new StringWriter();
        Assert.Equal(1, global::Nas.App.Commands.InspectCommand.Run(path, output));
        Assert.Equal("", output.ToString());
    }

    /// <summary>A tiny SPOS run stepped until its evolution has evaluated architectures (one epoch of 2 steps, then the start).</summary>
    private (string Path, string Text) SaveSposInEvolution()
    {
        var config = Presets.For("spos") with
        {
            Batch = 16, Epochs = 1, Threads = 1, Dataset = "synthetic", Population = 4, Generations = 2, RecalibrationBatches = 1,
            EvalBatches = 1, TrainPortion = 0.5,
        };
        var data = Synthetic.LoadTrain(new SyntheticSpec(Channels: 1, Height: 8, Width: 8, Classes: 4, TrainCount: 64, TestCount: 16, Seed: 3));
        using var session = OneShotSession.Create(config, data);
        while (session.World.CountOf<ArchCandidate>() == 0) session.Step();
        session.Step(); // one generation
        return (SearchSnapshot.Save(session, new SnapshotStore(_dir, keep: 1)), session.Result().Text.TrimEnd('\n'));
    }

    [Fact]
    public void InspectOfASposSnapshotPrintsMethodStepPhaseAndArchitecture()
    {
        var (path, architecture) = SaveSposInEvolution();
        var output = new StringWriter();
        Assert.Equal(0, global::Nas.App.Commands.InspectCommand.Run(path, output));
        var text = output.ToString();
        Assert.Contains("method     spos", text);
        Assert.Contains("step       4", text); // 2 training steps, the start, one generation
        Assert.Contains("phase      evolution, generation 1 of 2", text);
        Assert.Contains("nas.oneshot.candidate", text);
        var lines = architecture.Split('\n');
        Assert.True(lines.Length > 1, architecture);
        Assert.Contains($"genotype   {lines[0]}\n", text);
        foreach (var line in lines.Skip(1)) Assert.Contains($"\n           {line}\n", text);
        Assert.DoesNotContain("not derivable", text);
    }

    [Fact]
    public void InspectOfATruncatedSposSnapshotFailsWithOneLineNamingTheFile()
    {
        var (path, _) = SaveSposInEvolution();
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        using var p = new NasProcess("inspect", path);
        Assert.Equal(1, p.WaitForExit());
        var error = p.Stderr.Trim();
        Assert.StartsWith("nas inspect: ", error);
        Assert.Contains(path, error);
        Assert.DoesNotContain("\n", error);
    }
}
