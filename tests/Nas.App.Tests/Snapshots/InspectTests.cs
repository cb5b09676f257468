// `nas inspect`: a summary of a good search snapshot, one clear line and exit 1 for a damaged one.
using Nas.Systems.Data;
using Nas.Systems.Methods;
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
}
