// Snapshots written by main before the switch to MessagePack-CSharp (format v1, our own codec; Fixtures/v1/make.sh):
// each inspects, and a run folder holding one resumes to exactly the steps the uninterrupted run logged.
using System.Text.Json;
using Nas.App.Commands;
using Nas.Components;
using Nas.Systems.Methods;
using Nas.Systems.Search;

namespace Nas.App.Tests.Snapshots;

public sealed class OldSnapshotTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nas-old-snapshots-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Fixture(string name, string set = "v1") => Path.Combine(AppContext.BaseDirectory, "Fixtures", set, name);

    private static string SnapshotOf(string name, int step, string set = "v1") => Path.Combine(Fixture(name, set), $"step-{step:D9}.msgpack");

    /// <summary>steps.jsonl without the wall-clock field, one string per line.</summary>
    private static List<string> Steps(string file) =>
        File.ReadLines(file).Select(line =>
        {
            var fields = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(line)!;
            fields.Remove("seconds");
            return string.Join(",", fields.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value.GetRawText()}"));
        }).ToList();

    [Theory]
    [InlineData("darts-4", "darts", 4)]
    [InlineData("dropnas-4", "dropnas", 4)]
    [InlineData("bnas-v2-clr-4", "bnas-v2-clr", 4)]
    [InlineData("spos-3", "spos", 3)]
    [InlineData("spos-6", "spos", 6)]
    public void AnOldSnapshotInspects(string name, string method, int step)
    {
        var output = new StringWriter();
        Assert.Equal(0, InspectCommand.Run(SnapshotOf(name, step), output));
        var text = output.ToString();
        Assert.Contains("format v1", text);
        Assert.Contains("checksum   ok", text);
        Assert.Contains($"method     {method}\n", text);
        Assert.Contains($"step       {step} ", text);
        Assert.DoesNotContain("not derivable", text);
    }

    [Theory]
    [InlineData("v1", "darts-4", 4)]
    [InlineData("v1", "bnas-v2-clr-4", 4)]
    [InlineData("v1", "dropnas-4", 4)] // its mask generator ("nas.dropnas.rng") continues as the "drop" stream
    [InlineData("v1", "spos-3", 3)] // mid supernet training
    [InlineData("v1", "spos-6", 6)] // mid evolution
    // Written by main just before the "evolve" stream (Fixtures/evolution-v1/make.sh): their evolution goes on with its old
    // SplitMix64 word, whether it had begun (spos-6: "nas.oneshot.evolution" v1) or not (spos-3; bnnas-3, whose facet pool
    // is also still to draw), so the resumed runs end with the old runs' steps and genotypes.
    [InlineData("evolution-v1", "spos-3", 3)]
    [InlineData("evolution-v1", "spos-6", 6)]
    [InlineData("evolution-v1", "bnnas-3", 3)]
    public void ARunFolderHoldingAnOldSnapshotResumesToTheUninterruptedSteps(string set, string name, int step)
    {
        var run = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.Combine(run, "snapshots"));
        File.Copy(SnapshotOf(name, step, set), Path.Combine(run, "snapshots", $"step-{step:D9}.msgpack"));
        foreach (var log in new[] { "steps.jsonl", "epochs.jsonl" })
            File.Copy(Path.Combine(Fixture(name, set), log), Path.Combine(run, log)); // the whole run's logs: resume cuts them back to the snapshot
        using (var p = new NasProcess("resume", run, "--steps", "8"))
            Assert.True(p.WaitForExit() == 0, p.Stderr);
        var expected = Steps(Path.Combine(Fixture(name, set), "steps.jsonl"));
        Assert.Equal(8, expected.Count);
        Assert.Equal(expected, Steps(Path.Combine(run, "steps.jsonl")));
        Assert.Equal(File.ReadAllText(Path.Combine(Fixture(name, set), "genotype.txt")), File.ReadAllText(Path.Combine(run, "genotype.txt")));
    }

    [Fact]
    public void AnOldMidEvolutionSnapshotHoldsTheV1StateAndResumesWithItsWord()
    {
        // Expected: "nas.oneshot.evolution" {Generation 1, RngState, 8 evaluated} and the stream names as Python's msgpack
        // reads them from the fixture's body.
        using var world = SearchSnapshot.Read(SnapshotOf("spos-6", 6, "evolution-v1")).Body;
        var old = world.ReadResource<LegacyEvolutionState>();
        Assert.Equal((1, 3419378616720203488UL, 8), (old.Generation, old.RngState, old.Evaluated.Length));
        Assert.False(world.HasResource<EvolutionState>());
        Assert.Equal(["path"], world.Resource<Nas.World.RngStreams>().Streams.Select(s => s.Name));
        Nas.Systems.OneShot.Systems.EvolveSystem.AdoptLegacy(world);
        Assert.False(world.HasResource<LegacyEvolutionState>());
        Assert.Equal(3419378616720203488UL, world.ReadResource<LegacyEvolutionRng>().State);
        Assert.Same(old.Evaluated, world.ReadResource<EvolutionState>().Evaluated);
    }

    [Theory]
    [InlineData("dropnas-4", 4, RandomStreams.Drop, 13519824389329422464UL, 7717940620049910093UL, 13439942301058389300UL, 726247234608331712UL)]
    [InlineData("spos-6", 6, RandomStreams.Path, 10440036686816201329UL, 12037667497074934159UL, 7510588950960997966UL, 13979535708570665403UL)]
    public void AnOldGeneratorResourceBecomesItsNamedStreamWithTheSameState(string name, int step, string stream, ulong s0, ulong s1, ulong s2, ulong s3)
    {
        // Expected: the state words of "nas.dropnas.rng" {S0..S3} and "nas.rng" {state} as Python's msgpack reads them from the fixture.
        using var world = SearchSnapshot.Read(SnapshotOf(name, step)).Body;
        Assert.False(world.HasResource<Nas.World.RngStreams>());
        RandomStreams.AdoptLegacy(world);
        Assert.Equal([s0, s1, s2, s3], world.Rng(stream).GetState());
        Assert.False(world.HasResource<LegacyDropRng>() || world.HasResource<LegacyPathRng>());
    }
}
