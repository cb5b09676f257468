// A real Prometheus scrapes a fake-loop daemon through scripts/prometheus-e2e.sh.
using System.Diagnostics;

namespace Nas.App.Tests.Serve;

public sealed class PrometheusEndToEndTests
{
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
    public async Task PrometheusSeesNasStepsTotalRise()
    {
        // Steps of 1 ms stand in for real work and leave the two cores to Prometheus.
        await using var daemon = await RunningDaemon.StartAsync(onStep: _ => Thread.Sleep(1));
        var start = new ProcessStartInfo("/bin/bash", [Script(), daemon.Http.BaseAddress!.ToString(), "20"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var script = Process.Start(start)!;
        var output = script.StandardOutput.ReadToEndAsync();
        var errors = script.StandardError.ReadToEndAsync();
        await script.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(40));
        var text = await output + await errors;
        Assert.True(script.ExitCode == 0, $"prometheus-e2e.sh exit {script.ExitCode}:\n{text}");
        Assert.Contains("prometheus-e2e: ok (nas_steps_total rose from", text);
    }
}
