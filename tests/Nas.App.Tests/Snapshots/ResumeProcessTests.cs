// Exact resume across processes: a search killed by SIGKILL after a snapshot and resumed matches an uninterrupted one bit for bit;
// the daemon leaves a snapshot on SIGTERM, exits 0, and a restart continues from that step.
using System.Text.Json;
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

    [Fact]
    public void ARunKilledAfterASnapshotResumesBitForBit()
    {
        const int S = 8;
        var straight = Path.Combine(_dir, "straight");
        using (var p = new NasProcess([.. new[] { "search" }, .. Search("darts"), "--steps", $"{S}", "--out", straight]))
            Assert.True(p.WaitForExit() == 0, p.Stderr);

        var crashed = Path.Combine(_dir, "crashed");
        using (var p = new NasProcess([.. new[] { "search" }, .. Search("darts"), "--steps", $"{S}", "--snapshot-every", "1", "--out", crashed]))
        {
            p.WaitForLine(line => line.StartsWith($"snapshot step {S / 2}:", StringComparison.Ordinal));
            p.Kill();
            p.WaitForExit();
        }
        Assert.False(File.Exists(Snapshot(crashed, S)), "the run finished before it was killed");
        using (var p = new NasProcess("resume", crashed, "--steps", $"{S}"))
            Assert.True(p.WaitForExit() == 0, p.Stderr);

        var expected = Steps(straight);
        Assert.Equal(S, expected.Count);
        Assert.Equal(expected, Steps(crashed));
        Assert.Equal(File.ReadAllText(Path.Combine(straight, "genotype.txt")), File.ReadAllText(Path.Combine(crashed, "genotype.txt")));
        Assert.Equal(Tensors(Snapshot(straight, S)), Tensors(Snapshot(crashed, S)));
    }

    [Fact]
    public void TheDaemonSnapshotsOnSigtermAndARestartContinuesFromThatStep()
    {
        var run = Path.Combine(_dir, "served");
        string[] serve = [.. new[] { "serve" }, .. Search("darts"), "--urls", "http://127.0.0.1:0", "--out", run];
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
