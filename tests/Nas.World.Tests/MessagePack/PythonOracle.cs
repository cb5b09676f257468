// Runs Debian's /usr/bin/python3 (which has python3-msgpack) on a script in tests/oracles.
using System.Diagnostics;

namespace Nas.World.Tests.MessagePack;

internal static class PythonOracle
{
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Nas.sln")))
                return dir.FullName;
        throw new InvalidOperationException("Nas.sln not found above " + AppContext.BaseDirectory);
    }

    public static string Script(string name) => Path.Combine(RepoRoot(), "tests", "oracles", name);

    /// <summary>Runs python and returns its stdout; fails the test with stderr when it exits non-zero.</summary>
    public static string Run(params string[] args)
    {
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
            start.ArgumentList.Add(arg);
        using var python = Process.Start(start)!;
        Task<string> stderr = python.StandardError.ReadToEndAsync();
        string stdout = python.StandardOutput.ReadToEnd();
        python.WaitForExit();
        Assert.True(python.ExitCode == 0, $"python {string.Join(' ', args)} exited {python.ExitCode}: {stderr.Result}");
        return stdout;
    }
}
