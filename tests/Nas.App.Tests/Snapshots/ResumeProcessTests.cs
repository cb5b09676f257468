// Exact resume across processes: a search (darts, dropnas, spos) killed by SIGKILL after a snapshot and resumed matches an uninterrupted one bit for bit;
// the daemon leaves a snapshot on SIGTERM, exits 0, and a restart continues from that step.
using System.Text.Json;
using Nas.Systems.Methods;
using Nas.Systems.Search;

namespace Nas.App.Tests.Snapshots;

public sealed class ResumeProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nas-resume-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string[] Search(string method) =>
        ["--method", method, "--dataset", "synthetic:1x8x8:64", "--layers", "3", "--channels", "4", "--batch", "8", "--threads", "1", "--seed", "5"];

    /// <summary>steps.jsonl without the wall-clock field, one string per line.</summary>
    private static List<string> Steps(string runDir) =>
        File.ReadLines(Path.Combine(runDir, "steps.jsonl")).Select(line =>
        {
            var fields = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(line)!;
            fields.Remove("seconds");
            return string.Join(",", fields.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value.GetRawText()}"));
        }).ToList();

    private static unsafe byte[][] Tensors(string snapshot)
    {
        using var world = SearchSnapshot.Read(snapshot).Body;
        return world.Tensors.All().Select(t =>
        {
            var (data, bytes) = t.Tensor.UnsafeData();
            return new ReadOnlySpan<byte>((void*)data, (int)bytes).ToArray();
        }).ToArray();
    }

    private static string Snapshot(string runDir, long step) => Path.Combine(runDir, "snapshots", $"step-{step:D9}.msgpack");

    /// <summary>
    /// The flags of one process-test search of <paramref name="method"/>. SPOS gets a config file that makes its whole run
    /// eight steps: one epoch of four supernet steps (32 training images, batch 8), the evolution's start, three generations.
    /// </summary>
    private string[] SearchFlags(string method)
    {
        if (method != "spos") return Search(method);
        var config = Path.Combine(_dir, "spos.yaml");
        File.WriteAllText(config, "epochs: 1\ntrain_portion: 0.5\npopulation: 4\ngenerations: 3\nrecalibration_batches: 1\neval_batches: 1\n");
        return [.. Search(method), "--config", config];
    }

    [Theory]
    [InlineData("darts", 4)]
    [InlineData("dropnas", 4)]
    [InlineData("spos", 2)] // mid supernet training
    [InlineData("spos", 6)] // mid evolution: after the start and one generation
    public void ARunKilledAfterASnapshotResumesBitForBit(string method, int killAt)
    {
        const int S = 8;
        var straight = Path.Combine(_dir, "straight");
        using (var p = new NasProcess([.. new[] { "search" }, .. SearchFlags(method), "--steps", $"{S}", "--out", straight]))
            Assert.True(p.WaitForExit() == 0, p.Stderr);

        var crashed = Path.Combine(_dir, "crashed");
        // The hold makes the run wait after the snapshot of step killAt, so the kill lands there and not after the run's end.
        var hold = new Dictionary<string, string> { ["NAS_HOLD_AFTER_SNAPSHOT"] = $"{killAt}" };
        using (var p = new NasProcess(hold, [.. new[] { "search" }, .. SearchFlags(method), "--steps", $"{S}", "--snapshot-every", "1", "--out", crashed]))
        {
            p.WaitForLine(line => line.StartsWith($"snapshot step {killAt}:", StringComparison.Ordinal));
            p.Kill();
            p.WaitForExit();
        }
        Assert.False(File.Exists(Snapshot(crashed, killAt + 1)), "the run went on past the held step");
        using (var p = new NasProcess("resume", crashed, "--steps", $"{S}"))
        {
            Assert.True(p.WaitForExit() == 0, p.Stderr);
            Assert.Contains($"resumed {method} from", p.Stderr);
        }

        var expected = Steps(straight);
        Assert.Equal(S, expected.Count);
        Assert.Equal(expected, Steps(crashed));
        Assert.Equal(File.ReadAllText(Path.Combine(straight, "genotype.txt")), File.ReadAllText(Path.Combine(crashed, "genotype.txt")));
        Assert.Equal(File.ReadAllText(Path.Combine(straight, "genotype.json")), File.ReadAllText(Path.Combine(crashed, "genotype.json")));
        Assert.Equal(Tensors(Snapshot(straight, S)), Tensors(Snapshot(crashed, S)));
    }

    [Fact]
    public void ResumingASposRunSkipsATruncatedSnapshotNamingItAndContinuesFromTheOlderOne()
    {
        var run = Path.Combine(_dir, "truncated");
        using (var p = new NasProcess([.. new[] { "search" }, .. SearchFlags("spos"), "--steps", "2", "--snapshot-every", "1", "--out", run]))
            Assert.True(p.WaitForExit() == 0, p.Stderr);
        var damaged = Snapshot(run, 2);
        var bytes = File.ReadAllBytes(damaged);
        File.WriteAllBytes(damaged, bytes[..(bytes.Length / 2)]);
        using var resumed = new NasProcess("resume", run, "--steps", "3");
        Assert.True(resumed.WaitForExit() == 0, resumed.Stderr);
        Assert.Contains($"nas resume: skipping damaged snapshot: snapshot {damaged}: ", resumed.Stderr);
        Assert.Contains("resumed spos from", resumed.Stderr);
        Assert.Contains("at step 1", resumed.Stderr);
        Assert.Equal(3, Steps(run).Count);
    }

    [Theory]
    [InlineData("darts")]
    [InlineData("spos")]
    public void TheDaemonSnapshotsOnSigtermAndARestartContinuesFromThatStep(string method)
    {
        var run = Path.Combine(_dir, "served");
        string[] serve = [.. new[] { "serve" }, .. Search(method), "--urls", "http://127.0.0.1:0", "--out", run];
        long stoppedAt;
        using (var p = new NasProcess([.. serve, "--steps", "1000"]))
        {
            p.WaitForLine(line => line.Contains("listening on", StringComparison.Ordinal));
            // Wait (bounded) until the run has logged two steps, then ask it to stop.
            var steps = Path.Combine(run, "steps.jsonl");
            var deadline = DateTime.UtcNow + NasProcess.Patience;
            while ((!File.Exists(steps) || File.ReadLines(steps).Count() < 2) && DateTime.UtcNow < deadline)
                Thread.Yield();
            p.Terminate();
            Assert.True(p.WaitForExit() == 0, p.Stderr);
            stoppedAt = File.ReadLines(steps).Count();
        }
        Assert.True(stoppedAt >= 2);
        Assert.True(File.Exists(Snapshot(run, stoppedAt)), $"no snapshot of step {stoppedAt}");

        using (var p = new NasProcess([.. serve, "--steps", $"{stoppedAt + 2}"]))
        {
            Assert.True(p.WaitForExit() == 0, p.Stderr);
            Assert.Contains($"at step {stoppedAt}", p.Stderr);
        }
        var lines = Steps(run);
        Assert.Equal(stoppedAt + 2, lines.Count);
        Assert.True(File.Exists(Snapshot(run, stoppedAt + 2)));
    }
}
