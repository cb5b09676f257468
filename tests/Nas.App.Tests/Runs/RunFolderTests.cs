// One writer per run folder (flock on .lock), no run overwritten by a new one, unfinished snapshot writes cleaned, refused starts leave nothing.
using Nas.App.Runs;
using Nas.App.Tests.Snapshots;

namespace Nas.App.Tests.Runs;

public sealed class RunFolderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nas-run-folder-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Run => Path.Combine(_dir, "run");

    [Fact]
    public void ASecondHolderIsRefusedNamingTheFirstHoldersPid()
    {
        using var first = RunFolder.CreateNew(Run, "--out", moveAside: false);
        var e = Assert.Throws<RunFolderException>(() => RunFolder.OpenExisting(Run));
        Assert.Equal(ExitCodes.Busy, e.ExitCode);
        Assert.Contains($"in use by another nas process (PID {Environment.ProcessId})", e.Message);
    }

    [Fact]
    public void DisposingTheFolderReleasesItsLock()
    {
        RunFolder.CreateNew(Run, "--out", moveAside: false).Dispose();
        using var again = RunFolder.OpenExisting(Run);
        Assert.Equal(Run, again.Path);
    }

    [Fact]
    public void AFolderThatHoldsARunIsRefusedForANewRun()
    {
        Directory.CreateDirectory(Run);
        File.WriteAllText(Path.Combine(Run, "steps.jsonl"), "{\"step\":1}\n");
        var e = Assert.Throws<RunFolderException>(() => RunFolder.CreateNew(Run, "--out", moveAside: false));
        Assert.Equal(ExitCodes.BadInput, e.ExitCode);
        Assert.Contains("already holds a run", e.Message);
        Assert.Equal("{\"step\":1}\n", File.ReadAllText(Path.Combine(Run, "steps.jsonl")));
    }

    [Fact]
    public void MoveAsideRenamesTheOldRunAndStartsAnEmptyFolder()
    {
        Directory.CreateDirectory(Path.Combine(Run, "snapshots"));
        File.WriteAllText(Path.Combine(Run, "snapshots", "step-000000003.msgpack"), "old");
        using (RunFolder.CreateNew(Run, "--out", moveAside: true))
        {
            var old = Assert.Single(Directory.GetDirectories(_dir, "run.old-*"));
            Assert.Equal("old", File.ReadAllText(Path.Combine(old, "snapshots", "step-000000003.msgpack")));
            Assert.False(RunFolder.HoldsRun(Run));
        }
    }

    [Fact]
    public void OpeningAFolderRemovesTempFilesOfUnfinishedSnapshotWrites()
    {
        var snapshots = Directory.CreateDirectory(Path.Combine(Run, "snapshots")).FullName;
        var stale = Path.Combine(snapshots, ".step-000000004.msgpack.77.0123abcd.tmp");
        File.WriteAllText(stale, "partial");
        using var folder = RunFolder.OpenExisting(Run);
        Assert.False(File.Exists(stale));
    }

    [Fact]
    public void AbandonRemovesTheFoldersThisProcessCreatedAndNothingElse()
    {
        var deep = Path.Combine(_dir, "a", "b", "c");
        RunFolder.CreateNew(deep, "--out", moveAside: false).Abandon();
        Assert.False(Directory.Exists(Path.Combine(_dir, "a")));

        Directory.CreateDirectory(Run);
        RunFolder.CreateNew(Run, "--out", moveAside: false).Abandon();
        Assert.True(Directory.Exists(Run));
    }

    [Fact]
    public void AKilledHolderLeavesNoStaleLock()
    {
        var hold = new Dictionary<string, string> { ["NAS_HOLD_AFTER_SNAPSHOT"] = "1" };
        using (var p = new NasProcess(hold, "search", "--method", "darts", "--dataset", "synthetic:1x8x8:64", "--layers", "3", "--channels", "4",
            "--batch", "8", "--threads", "1", "--steps", "4", "--snapshot-every", "1", "--out", Run))
        {
            p.WaitForLine(line => line.StartsWith("snapshot step 1:", StringComparison.Ordinal));
            var busy = Assert.Throws<RunFolderException>(() => RunFolder.OpenExisting(Run));
            Assert.Contains($"PID {p.Id}", busy.Message);
            using (var second = new NasProcess("resume", Run, "--steps", "4"))
            {
                Assert.Equal(ExitCodes.Busy, second.WaitForExit());
                Assert.Contains($"PID {p.Id}", second.Stderr);
            }
            p.Kill();
            p.WaitForExit();
        }
        using var after = RunFolder.OpenExisting(Run);
        Assert.Equal(Run, after.Path);
    }
}
