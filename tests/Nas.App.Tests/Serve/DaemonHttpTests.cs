// The daemon's HTTP endpoints against a fake loop on 127.0.0.1.
using System.Net;
using System.Text.Json;
using Nas.App.Metrics;
using Nas.App.Tests.Metrics;

namespace Nas.App.Tests.Serve;

public sealed class DaemonHttpTests
{
    [Fact]
    public async Task HealthzAnswersOkWhileTheRunIsRunning()
    {
        await using var daemon = await RunningDaemon.StartAsync();
        await RunningDaemon.Eventually(async () => await daemon.StepAsync() > 0, "a first step");
        var response = await daemon.Http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("ok running", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task StatusDescribesTheRunInSnakeCaseJson()
    {
        await using var daemon = await RunningDaemon.StartAsync();
        await RunningDaemon.Eventually(async () => await daemon.StepAsync() > 0, "a first step");
        var status = await daemon.StatusAsync();
        Assert.Equal("running", status.GetProperty("state").GetString());
        Assert.Equal("fake", status.GetProperty("method").GetString());
        Assert.StartsWith("Genotype(normal=", status.GetProperty("genotype").GetString());
        Assert.True(status.GetProperty("steps_this_process").GetInt64() > 0);
        Assert.True(status.GetProperty("train_loss").GetDouble() > 0);
        Assert.Equal(JsonValueKind.Null, status.GetProperty("val_loss").ValueKind);
    }

    [Fact]
    public async Task MetricsUseTheTextFormatAndStepsRiseAcrossScrapes()
    {
        await using var daemon = await RunningDaemon.StartAsync();
        var response = await daemon.Http.GetAsync("/metrics");
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        var first = RunningDaemon.Sample(await response.Content.ReadAsStringAsync(), "nas_steps_total");
        await RunningDaemon.Eventually(
            async () => RunningDaemon.Sample(await daemon.MetricsAsync(), "nas_steps_total") > first, "nas_steps_total to rise");
    }

    [Fact]
    public async Task PromtoolAcceptsALiveScrape()
    {
        await using var daemon = await RunningDaemon.StartAsync();
        await RunningDaemon.Eventually(async () => await daemon.StepAsync() > 100, "the alpha table to be set");
        Assert.Equal(HttpStatusCode.OK, (await daemon.PostAsync("/snapshot")).StatusCode);
        var text = await daemon.MetricsAsync();
        Assert.Contains("nas_alpha_probability{cell_type=\"normal\",edge=\"0\",op=\"none\"} 0.25", text);
        var (exitCode, complaints) = await Promtool.CheckMetricsAsync(text);
        Assert.True(exitCode == 0 && complaints.Length == 0, $"promtool exit {exitCode}: {complaints}\n{text}");
    }

    [Fact]
    public async Task PauseStopsStepsFromAdvancingAndResumeRestartsThem()
    {
        await using var daemon = await RunningDaemon.StartAsync();
        await RunningDaemon.Eventually(async () => await daemon.StepAsync() > 0, "a first step");
        var paused = JsonDocument.Parse(await (await daemon.PostAsync("/pause")).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("paused", paused.GetProperty("state").GetString());
        var step = paused.GetProperty("step").GetInt64();
        // A snapshot is served by the step thread itself: once it answers, that thread has been
        // awake after the pause, and it still must not have stepped.
        var snapshot = JsonDocument.Parse(await (await daemon.PostAsync("/snapshot")).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(step, snapshot.GetProperty("step").GetInt64());
        Assert.Equal(step, await daemon.StepAsync());
        Assert.Equal(1, RunningDaemon.Sample(await daemon.MetricsAsync(), "nas_paused"));

        var resumed = await daemon.PostAsync("/resume");
        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        await RunningDaemon.Eventually(async () => await daemon.StepAsync() > step, "steps to advance after resume");
    }

    [Fact]
    public async Task SnapshotRequestWritesASnapshotAndAnswersItsPathAndSize()
    {
        await using var daemon = await RunningDaemon.StartAsync();
        var response = await daemon.PostAsync("/snapshot");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var snapshot = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var path = snapshot.GetProperty("path").GetString()!;
        Assert.True(File.Exists(path));
        Assert.Equal(64, snapshot.GetProperty("bytes").GetInt64());
        Assert.Equal("request", snapshot.GetProperty("reason").GetString());
        Assert.Contains(snapshot.GetProperty("step").GetInt64(), daemon.Loop.Snapshots);
        var metrics = await daemon.MetricsAsync();
        Assert.Equal(1, RunningDaemon.Sample(metrics, "nas_snapshots_total"));
        Assert.Equal(64, RunningDaemon.Sample(metrics, "nas_snapshot_size_bytes"));
    }

    [Fact]
    public async Task AFailedSnapshotAnswers500AndTheRunGoesOn()
    {
        await using var daemon = await RunningDaemon.StartAsync();
        await RunningDaemon.Eventually(async () => await daemon.StepAsync() > 0, "a first step");
        daemon.Loop.FailSnapshots = true;
        var response = await daemon.PostAsync("/snapshot");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("disk full", await response.Content.ReadAsStringAsync());
        var step = await daemon.StepAsync();
        await RunningDaemon.Eventually(async () => await daemon.StepAsync() > step, "steps after the failure");
        Assert.Equal(1, RunningDaemon.Sample(await daemon.MetricsAsync(), "nas_snapshot_failures_total"));
        daemon.Loop.FailSnapshots = false; // let the final snapshot succeed
    }

    [Fact]
    public async Task StopEndsTheRunAfterAFinalSnapshot()
    {
        await using var daemon = await RunningDaemon.StartAsync();
        await RunningDaemon.Eventually(async () => await daemon.StepAsync() > 0, "a first step");
        var response = await daemon.PostAsync("/stop");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await daemon.Host.WaitForShutdownAsync().WaitAsync(RunningDaemon.Patience);
        Assert.Equal("Stopped", daemon.Host.View.Phase.ToString());
        Assert.Equal(0, daemon.Host.ExitCode);
        Assert.Equal(daemon.Host.View.Status!.Step, daemon.Loop.Snapshots.Last());
        Assert.True(daemon.Loop.Disposed);
    }

    [Fact]
    public async Task TheStatusOfEachStepIsMirroredInTheMetrics()
    {
        await using var daemon = await RunningDaemon.StartAsync();
        await RunningDaemon.Eventually(async () => await daemon.StepAsync() > 0, "a first step");
        var paused = JsonDocument.Parse(await (await daemon.PostAsync("/pause")).Content.ReadAsStringAsync()).RootElement;
        var step = paused.GetProperty("step").GetInt64();
        var text = await daemon.MetricsAsync();
        // The fake run starts at step 0, so this process did every step; its train loss is 1 / (1 + step).
        Assert.Equal(step, RunningDaemon.Sample(text, "nas_steps_total"));
        Assert.Equal(step, RunningDaemon.Sample(text, "nas_step"));
        Assert.Equal(step, RunningDaemon.Sample(text, "nas_step_duration_seconds_count"));
        Assert.Equal(1.0 / (1 + step), RunningDaemon.Sample(text, "nas_loss{split=\"train\"}")); // exact: the text form round-trips
        Assert.Equal(step / 1000, RunningDaemon.Sample(text, "nas_epochs_total"));
    }
}
