// A real Prometheus scrapes a real `nas serve` (a tiny synthetic DARTS search) through scripts/prometheus-e2e.sh.
using System.Diagnostics;
using Nas.App.Tests.Snapshots;

namespace Nas.App.Tests.Serve;

public sealed class PrometheusEndToEndTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nas-prom-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Script()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var script = Path.Combine(dir.FullName, "scripts", "prometheus-e2e.sh");
            if (File.Exists(script)) return script;
        }
        throw new FileNotFoundException("scripts/prometheus-e2e.sh above " + AppContext.BaseDirectory);
    }

    [Fact]
    public async Task PrometheusSeesTheStepsOfASearchDaemonRise()
    {
        using var daemon = new NasProcess("serve", "--method", "darts", "--dataset", "synthetic:1x8x8:64", "--layers", "3",
            "--channels", "4", "--batch", "8", "--threads", "1", "--steps", "100000", "--urls", "http://127.0.0.1:0",
            "--out", Path.Combine(_dir, "run"));
        var line = daemon.WaitForLine(l => l.Contains("listening on", StringComparison.Ordinal));
        var url = line[(line.IndexOf("http://", StringComparison.Ordinal))..].Trim();

        var start = new ProcessStartInfo("/bin/bash", [Script(), url, "40"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var script = Process.Start(start)!;
        var output = script.StandardOutput.ReadToEndAsync();
        var errors = script.StandardError.ReadToEndAsync();
        await script.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var text = await output + await errors;
        Assert.True(script.ExitCode == 0, $"prometheus-e2e.sh exit {script.ExitCode}:\n{text}\nnas stderr:\n{daemon.Stderr}");
        Assert.Contains("prometheus-e2e: ok (nas_steps_total rose from", text);

        daemon.Terminate();
        Assert.True(daemon.WaitForExit() == 0, daemon.Stderr);
    }
}
