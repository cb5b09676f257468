// End to end in child processes: retention past junk snapshots (the example), a disk filling up mid-run, and resume with nothing to resume.
using System.Diagnostics;
using Nas.App.Runs;
using Nas.App.Tests.Snapshots;
using Nas.World.Snapshots;

namespace Nas.App.Tests.Runs;

public sealed class RunSafetyProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nas-run-safety-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] Tiny =
        ["--method", "darts", "--dataset", "synthetic:1x8x8:64", "--layers", "3", "--channels", "4", "--batch", "8", "--threads", "1", "--seed", "5"];

    private static string[] Steps(string run, string sub = "snapshots") =>
        Directory.GetFiles(Path.Combine(run, sub)).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    [Fact]
    public void ResumePastJunkSnapshotsKeepsTheValidOnesAndMovesTheJunkAside()
    {
        var run = Path.Combine(_dir, "run");
        using (var p = new NasProcess(["search", .. Tiny, "--steps", "6", "--snapshot-every", "1", "--out", run]))
            Assert.True(p.WaitForExit() == 0, p.Stderr);
        for (var step = 100; step <= 102; step++) File.WriteAllText(Path.Combine(run, "snapshots", $"step-{step:D9}.msgpack"), "unreadable");

        using (var p = new NasProcess("resume", run, "--steps", "7"))
        {
            Assert.True(p.WaitForExit() == 0, p.Stderr);
            Assert.Equal(3, p.Stderr.Split('\n').Count(l => l.StartsWith("nas resume: skipping damaged snapshot: ", StringComparison.Ordinal)));
            Assert.Equal(3, p.Stderr.Split('\n').Count(l => l.StartsWith("nas: moved damaged snapshot to ", StringComparison.Ordinal)));
        }
        Assert.Equal(["step-000000005.msgpack", "step-000000006.msgpack", "step-000000007.msgpack"], Steps(run));
        Assert.Equal(["step-000000100.msgpack", "step-000000101.msgpack", "step-000000102.msgpack"], Steps(run, "snapshots/damaged"));

        using (var p = new NasProcess("resume", run, "--steps", "8"))
        {
            Assert.True(p.WaitForExit() == 0, p.Stderr);
            Assert.Contains("at step 7", p.Stderr);
        }
    }

    [Fact]
    public void ResumeWithNoValidSnapshotExitsWithItsOwnCode()
    {
        var run = Directory.CreateDirectory(Path.Combine(_dir, "junk", "snapshots")).Parent!.FullName;
        File.WriteAllText(Path.Combine(run, "snapshots", "step-000000003.msgpack"), "unreadable");
        using var p = new NasProcess("resume", run);
        Assert.Equal(ExitCodes.NoSnapshot, p.WaitForExit());
        Assert.Contains("no valid snapshot in", p.Stderr);
    }

    [Fact]
    public void ADiskThatFillsUpStopsTheRunWithOneLineAndAResumeContinuesOnceThereIsRoom()
    {
        // A private mount namespace with a 2 MB tmpfs (root, as CI and this machine run): a real ENOSPC, not an imitation. A snapshot
        // of this run is 0.78 MB, so the third one cannot be written.
        var mount = Directory.CreateDirectory(Path.Combine(_dir, "small")).FullName;
        var copy = Path.Combine(_dir, "copy");
        var dll = Path.Combine(AppContext.BaseDirectory, "nas.dll");
        var args = string.Join(' ', Tiny);
        var script = string.Join('\n',
            $"mount -t tmpfs -o size=2000k nas-test {mount} || exit 90",
            $"dotnet {dll} search {args} --steps 400 --snapshot-every 1 --snapshot-keep 100000 --out {mount}/run 2>{mount}/../search.err >/dev/null",
            $"echo search-exit $?",
            $"ls -a {mount}/run/snapshots",
            $"mount -o remount,size=64m {mount}",
            $"last=$(ls {mount}/run/snapshots | grep '^step-' | sort | tail -1 | sed 's/^step-0*//; s/[.]msgpack$//')",
            "echo last-snapshot $last",
            $"dotnet {dll} resume {mount}/run --steps $((last + 2)) 2>{mount}/../resume.err >/dev/null; echo resume-exit $?",
            $"cp -r {mount}/run {copy}",
            $"umount {mount}",
            // The daemon on a disk that fills: periodic snapshots fail and are counted, then the step log cannot be written.
            $"mount -t tmpfs -o size=2000k nas-test {mount} || exit 91",
            $"dotnet {dll} serve {args} --urls http://127.0.0.1:0 --steps 4 --snapshot-every 1 --snapshot-keep 100000 --out {mount}/served " +
                $"2>{mount}/../serve.err >/dev/null; echo serve-exit $?",
            $"umount {mount}");
        var psi = new ProcessStartInfo("unshare", ["-m", "sh", "-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var sh = Process.Start(psi)!;
        var output = sh.StandardOutput.ReadToEnd();
        var errors = sh.StandardError.ReadToEnd();
        sh.WaitForExit();
        Assert.True(sh.ExitCode == 0, $"the tmpfs script failed ({sh.ExitCode}): {errors}\n{output}");

        Assert.Contains($"search-exit {ExitCodes.IoError}", output);
        var lines = File.ReadAllLines(Path.Combine(_dir, "search.err")).Where(l => l.Contains("No space left on device", StringComparison.Ordinal)).ToList();
        var line = Assert.Single(lines);
        Assert.Contains("stopped at step", line);
        Assert.DoesNotContain(".tmp", output); // the failed write's temp file is gone
        var snapshots = new SnapshotStore(Path.Combine(copy, "snapshots"), keep: int.MaxValue).List();
        Assert.NotEmpty(snapshots);
        foreach (var s in snapshots) SnapshotFile.Verify(s.Path); // every snapshot left behind is whole
        Assert.DoesNotContain("at System.", File.ReadAllText(Path.Combine(_dir, "search.err")));
        var last = output.Split('\n').Single(l => l.StartsWith("last-snapshot ", StringComparison.Ordinal))["last-snapshot ".Length..];
        Assert.Contains("resume-exit 0", output);
        Assert.Contains($"at step {last}", File.ReadAllText(Path.Combine(_dir, "resume.err")));
        Assert.Equal(long.Parse(last) + 2, File.ReadLines(Path.Combine(copy, "steps.jsonl")).Count());
        Assert.Contains($"serve-exit {ExitCodes.IoError}", output);
        Assert.Contains("No space left on device", File.ReadAllText(Path.Combine(_dir, "serve.err")));
    }
}
