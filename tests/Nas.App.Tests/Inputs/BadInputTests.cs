// Every bad input of the table is refused with one line on stderr, nothing on stdout, its exit code, and nothing written to disk.
namespace Nas.App.Tests.Inputs;

[Collection("Console")]
public sealed class BadInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nas-bad-input-").FullName;

    public BadInputTests()
    {
        File.WriteAllText(Path.Combine(_dir, "afile"), "not a folder\n");
        Directory.CreateDirectory(Path.Combine(_dir, "empty"));
        var old = Directory.CreateDirectory(Path.Combine(_dir, "oldrun")).FullName;
        File.WriteAllText(Path.Combine(old, "config.yaml"), "method: darts\n");
        File.WriteAllText(Path.Combine(old, "steps.jsonl"), "{\"step\":1}\n");
        Directory.CreateDirectory(Path.Combine(old, "snapshots"));
        File.WriteAllText(Path.Combine(old, "snapshots", "step-000000001.msgpack"), "stands in for a snapshot");
        foreach (var (name, text) in BadInputCases.Files) File.WriteAllText(Path.Combine(_dir, name), text);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string> Names() => new(BadInputCases.All.Keys);

    [Fact]
    public void TheTableHoldsAtLeastSeventyBadInputs() => Assert.True(BadInputCases.All.Count >= 70, $"{BadInputCases.All.Count} cases");

    [Theory]
    [MemberData(nameof(Names))]
    public void ABadInputIsRefusedWithOneLineItsExitCodeAndNothingWritten(string name)
    {
        var bad = BadInputCases.All[name];
        var output = Path.Combine(_dir, "out", "run");
        var args = bad.Args.Select(a => a.Replace("{OUT}", output).Replace("{T}", _dir)).ToArray();
        var before = Tree();

        var (code, stdout, stderr) = CliRun.Run(args, bad.Env);

        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr, got {lines.Length}:\n{stderr}");
        Assert.Contains(bad.Says.Replace("{T}", _dir), lines[0]);
        Assert.Equal("", stdout);
        Assert.Equal(bad.Code, code);
        Assert.Equal(before, Tree());
    }

    /// <summary>Every file and folder under the test folder with its size and last write, sorted.</summary>
    private string Tree() => string.Join("\n", Directory.EnumerateFileSystemEntries(_dir, "*", SearchOption.AllDirectories)
        .Order(StringComparer.Ordinal)
        .Select(p => File.Exists(p) ? $"{p} {new FileInfo(p).Length} {File.GetLastWriteTimeUtc(p):O}" : $"{p}/"));
}
