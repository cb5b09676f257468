// Data-parallel runs as real processes (`nas search --nproc 2`): a rank killed after a snapshot makes the run fail naming it,
// `nas resume --nproc 2` then continues exactly as an uninterrupted two-rank run, and resuming with another world size is refused.
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Nas.App.Tests.Snapshots;

public sealed partial class DistributedProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nas-dist-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] Search =
        ["search", "--method", "darts", "--dataset", "synthetic:1x8x8:48", "--layers", "3", "--channels", "4", "--batch", "8", "--threads", "1", "--seed", "5",
         "--nproc", "2", "--dist-timeout", "20", "--check-every", "2"];

    private static List<string> Steps(string runDir) =>
        File.ReadLines(Path.Combine(runDir, "steps.jsonl")).Select(line =>
        {
            var fields = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(line)!;
            fields.Remove("seconds");
            return string.Join(",", fields.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value.GetRawText()}"));
        }).ToList();

    private static JsonElement Rank(string runDir, int rank) => JsonSerializer.Deserialize<JsonElement>(File.ReadAllText(Path.Combine(runDir, "ranks", $"rank-{rank}.json")));

    [Fact]
    public void ADeadRankFailsTheRunNamingItAndResumeContinuesExactlyAsAnUninterruptedRun()
    {
        const int S = 6;
        var straight = Path.Combine(_dir, "straight");
        using (var p = new NasProcess([.. Search, "--steps", $"{S}", "--out", straight]))
            Assert.True(p.WaitForExit() == 0, p.Stderr);
        Assert.Equal(Rank(straight, 0).GetProperty("alpha_digest").GetString(), Rank(straight, 1).GetProperty("alpha_digest").GetString());
        Assert.Equal(2, JsonSerializer.Deserialize<JsonElement>(File.ReadAllText(Path.Combine(straight, "distributed.json"))).GetProperty("world_size").GetInt32());

        var crashed = Path.Combine(_dir, "crashed");
        // Rank 1 holds after the snapshot of step 2; rank 0 goes on and waits for it in the next collective. Then rank 1 dies.
        var hold = new Dictionary<string, string> { ["NAS_HOLD_AFTER_SNAPSHOT"] = "2", ["NAS_HOLD_RANK"] = "1" };
        using (var p = new NasProcess(hold, [.. Search, "--steps", $"{S}", "--snapshot-every", "2", "--out", crashed]))
        {
            p.WaitForLine(line => line.StartsWith("snapshot step 2:", StringComparison.Ordinal));
            var pid = RankPid(p, 1);
            Assert.Equal(0, Kill(pid, 9));
            var started = DateTime.UtcNow;
            var code = p.WaitForExit(TimeSpan.FromSeconds(60));
            Assert.NotEqual(0, code);
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(40), "the other rank did not stop within the timeout");
            Assert.Contains("rank 1 was killed by signal 9", p.Stderr);
            Assert.Contains("rank 0: stopped at step 2", p.Stderr);
        }
        using (var p = new NasProcess("resume", crashed)) // a two-rank snapshot needs two ranks
        {
            Assert.Equal(2, p.WaitForExit());
            Assert.Contains("--nproc 2", p.Stderr);
        }
        using (var p = new NasProcess("resume", crashed, "--steps", $"{S}", "--nproc", "2", "--dist-timeout", "20", "--check-every", "2"))
        {
            Assert.True(p.WaitForExit() == 0, p.Stderr);
            Assert.Contains("resumed darts from", p.Stderr);
            Assert.Contains("at step 2 on 2 ranks", p.Stderr);
        }
        Assert.Equal(Steps(straight), Steps(crashed));
        Assert.Equal(File.ReadAllText(Path.Combine(straight, "genotype.txt")), File.ReadAllText(Path.Combine(crashed, "genotype.txt")));
        for (var r = 0; r < 2; r++)
            Assert.Equal(Rank(straight, r).GetProperty("parameters_digest").GetString(), Rank(crashed, r).GetProperty("parameters_digest").GetString());
    }

    [Fact]
    public async Task ServeOnTwoRanksTakesPauseSnapshotAndStopOnRankZerosEndpointsToEveryRank()
    {
        var run = Path.Combine(_dir, "served");
        string[] serve = ["serve", .. Search[1..], "--urls", "http://127.0.0.1:0", "--steps", "1000", "--out", run];
        using var p = new NasProcess(serve);
        var url = p.WaitForLine(line => line.Contains("listening on", StringComparison.Ordinal)).Split(' ')[^1];
        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
        var steps = Path.Combine(run, "steps.jsonl");
        var deadline = DateTime.UtcNow + NasProcess.Patience;
        while ((!File.Exists(steps) || File.ReadLines(steps).Count() < 2) && DateTime.UtcNow < deadline) Thread.Yield();
        Assert.True((await http.PostAsync("/pause", null)).IsSuccessStatusCode);
        var snapshot = await http.PostAsync("/snapshot", null); // answered by the step thread: both ranks took part
        Assert.True(snapshot.IsSuccessStatusCode, await snapshot.Content.ReadAsStringAsync());
        Assert.True((await http.PostAsync("/stop", null)).IsSuccessStatusCode);
        Assert.True(p.WaitForExit() == 0, p.Stderr);
        var stepped = File.ReadLines(steps).Count();
        Assert.True(stepped >= 2);
        for (var r = 0; r < 2; r++) Assert.Equal(stepped, Rank(run, r).GetProperty("step").GetInt64()); // every rank did every step
        Assert.Equal(Rank(run, 0).GetProperty("parameters_digest").GetString(), Rank(run, 1).GetProperty("parameters_digest").GetString());
        using var world = Nas.Systems.Methods.SearchSnapshot.Read(Path.Combine(run, "snapshots", $"step-{stepped:D9}.msgpack")).Body;
        Assert.Equal(2, world.Resource<Nas.Components.DataParallelRecord>().WorldSize);
    }

    /// <summary>The pid the launcher printed for <paramref name="rank"/> ("rank K of N: pid P" on stderr).</summary>
    private static int RankPid(NasProcess p, int rank)
    {
        var deadline = DateTime.UtcNow + NasProcess.Patience;
        while (DateTime.UtcNow < deadline)
        {
            foreach (var line in p.Stderr.Split('\n'))
                if (line.Contains($"rank {rank} of 2: pid ", StringComparison.Ordinal))
                    return int.Parse(line[(line.LastIndexOf(' ') + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            Thread.Yield();
        }
        throw new TimeoutException($"no pid line for rank {rank}; stderr:\n{p.Stderr}");
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
