// Runs `promtool check metrics` (Debian package prometheus) on an exposition text.
using System.Diagnostics;

namespace Nas.App.Tests.Metrics;

internal static class Promtool
{
    public const string Path = "/usr/bin/promtool";

    /// <summary>Returns promtool's exit code and everything it printed (lint problems go to stdout).</summary>
    public static async Task<(int ExitCode, string Complaints)> CheckMetricsAsync(string text)
    {
        Assert.True(File.Exists(Path), $"{Path} is missing (Debian package prometheus)");
        var start = new ProcessStartInfo(Path, ["check", "metrics"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var promtool = Process.Start(start)!;
        var output = promtool.StandardOutput.ReadToEndAsync();
        var errors = promtool.StandardError.ReadToEndAsync();
        await promtool.StandardInput.WriteAsync(text);
        promtool.StandardInput.Close();
        await promtool.WaitForExitAsync();
        return (promtool.ExitCode, ((await output) + (await errors)).Trim());
    }
}
