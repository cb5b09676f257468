// A run folder held by one process is refused to a second search, daemon or resume, with one line naming the holder's PID and exit 5.
using Nas.App.Runs;

namespace Nas.App.Tests.Inputs;

[Collection("Console")]
public sealed class HeldFolderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nas-held-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("search")]
    [InlineData("serve")]
    public void ASecondWriterOnAHeldFolderIsRefusedNamingTheHolder(string command)
    {
        var run = Path.Combine(_dir, "run");
        using var held = RunFolder.CreateNew(run, "--out", moveAside: false);
        string[] args = [command, "--method", "darts", "--dataset", "synthetic:1x8x8:64", "--layers", "3", "--channels", "4", "--batch", "8",
            "--threads", "1", "--steps", "2", "--out", run];
        var (code, stdout, stderr) = CliRun.Run(command == "serve" ? [.. args, "--urls", "http://127.0.0.1:0"] : args);
        Assert.Equal(ExitCodes.Busy, code);
        Assert.Equal($"nas {command}: {run}: in use by another nas process (PID {Environment.ProcessId}); one writer per run folder", stderr.Trim());
        Assert.Equal("", stdout);
        Assert.Equal(["snapshots"], Directory.GetFileSystemEntries(run).Select(Path.GetFileName).Where(n => n != ".lock"));
    }
}
