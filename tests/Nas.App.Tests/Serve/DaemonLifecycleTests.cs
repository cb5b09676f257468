// How the daemon's run starts, steps, snapshots on schedule, and ends.
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nas.App.Serve;

namespace Nas.App.Tests.Serve;

public sealed class DaemonLifecycleTests
{
    [Fact]
    public async Task HostShutdownFinishesTheCurrentStepThenWritesASnapshotAndExitsZero()
    {
        using var inStep = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        await using var daemon = await RunningDaemon.StartAsync(onStep: step =>
        {
            if (step != 5) return;
            inStep.Set();
            release.Wait();
        });
        Assert.True(inStep.Wait(RunningDaemon.Patience), "step 5 never started");
        var service = daemon.Host.Services.GetServices<IHostedService>().OfType<RunLoopService>().Single();
        var stopping = daemon.Host.StopAsync(); // what SIGTERM and SIGINT do
        await RunningDaemon.Eventually(() => service.StopSignalled, "the stop to reach the step thread");
        release.Set();
        await stopping.WaitAsync(RunningDaemon.Patience);
        Assert.Equal(RunPhase.Stopped, daemon.Host.View.Phase);
        Assert.Equal(5, daemon.Host.View.Status!.Step);
        Assert.Equal([5L], daemon.Loop.Snapshots);
        Assert.Equal("stop", daemon.Host.View.LastSnapshot!.Reason);
        Assert.Equal(0, daemon.Host.ExitCode);
    }

    [Fact]
    public async Task AllRunWorkHappensOnOneDedicatedThreadOutsideThePool()
    {
        await using var daemon = await RunningDaemon.StartAsync(maxSteps: 20);
        await daemon.Host.WaitForShutdownAsync().WaitAsync(RunningDaemon.Patience);
        Assert.True(daemon.Loop.Disposed);
        var thread = Assert.Single(daemon.Loop.Threads);
        Assert.False(thread.Value, "the step thread is a thread-pool thread");
    }

    [Fact]
    public async Task ARunThatFinishesStopsTheHostWithAFinalSnapshotAndExitCodeZero()
    {
        await using var daemon = await RunningDaemon.StartAsync(maxSteps: 50);
        await daemon.Host.WaitForShutdownAsync().WaitAsync(RunningDaemon.Patience);
        Assert.Equal(RunPhase.Finished, daemon.Host.View.Phase);
        Assert.Equal(50, daemon.Host.View.StepsThisProcess);
        Assert.Equal(50, daemon.Loop.Snapshots.Last());
        Assert.Equal(0, daemon.Host.ExitCode);
    }

    [Fact]
    public async Task SnapshotsEveryNStepsFallOnMultiplesOfN()
    {
        await using var daemon = await RunningDaemon.StartAsync(new DaemonOptions { SnapshotEverySteps = 10 }, maxSteps: 35);
        await daemon.Host.WaitForShutdownAsync().WaitAsync(RunningDaemon.Patience);
        Assert.Equal([10L, 20, 30, 35], daemon.Loop.Snapshots);
    }

    [Fact]
    public async Task SnapshotsEveryMMinutesFollowTheClock()
    {
        var time = new ManualTime();
        await using var daemon = await RunningDaemon.StartAsync(new DaemonOptions { SnapshotEveryMinutes = 1 }, time: time);
        await RunningDaemon.Eventually(async () => await daemon.StepAsync() > 100, "steps while the clock stands still");
        Assert.Empty(daemon.Loop.Snapshots);
        time.Advance(TimeSpan.FromSeconds(61));
        await RunningDaemon.Eventually(() => daemon.Host.View.LastSnapshot is not null, "a timed snapshot");
        Assert.Equal("timer", daemon.Host.View.LastSnapshot!.Reason);
    }

    [Fact]
    public async Task StartPausedTakesNoStepUntilResumed()
    {
        await using var daemon = await RunningDaemon.StartAsync(new DaemonOptions { StartPaused = true });
        await RunningDaemon.Eventually(async () => (await daemon.StatusAsync()).GetProperty("state").GetString() == "paused", "the paused state");
        Assert.Equal(System.Net.HttpStatusCode.OK, (await daemon.PostAsync("/snapshot")).StatusCode); // the step thread answered
        Assert.Equal(0, await daemon.StepAsync());
        Assert.Equal(System.Net.HttpStatusCode.OK, (await daemon.PostAsync("/resume")).StatusCode);
        await RunningDaemon.Eventually(async () => await daemon.StepAsync() > 0, "a step after resume");
    }

    [Fact]
    public async Task AFailingStepEndsTheRunWithExitCodeOneAndItsMessage()
    {
        await using var daemon = await RunningDaemon.StartAsync(onStep: step =>
        {
            if (step == 3) throw new InvalidOperationException("shape mismatch (fake)");
        });
        await daemon.Host.WaitForShutdownAsync().WaitAsync(RunningDaemon.Patience);
        Assert.Equal(RunPhase.Failed, daemon.Host.View.Phase);
        Assert.Contains("shape mismatch", daemon.Host.View.Error);
        Assert.Equal(1, daemon.Host.ExitCode);
        Assert.True(daemon.Loop.Disposed);
    }

    [Fact]
    public async Task StoppingLogsTheDocumentedEventIdsInOrder()
    {
        var log = new LogRecorder();
        await using var daemon = await RunningDaemon.StartAsync(logging: b => b.AddProvider(log));
        await RunningDaemon.Eventually(async () => await daemon.StepAsync() > 0, "a first step");
        await daemon.PostAsync("/pause");
        await daemon.PostAsync("/stop");
        await daemon.Host.WaitForShutdownAsync().WaitAsync(RunningDaemon.Patience);
        var ids = log.EventIds.Where(id => id is >= 1000 and < 1100).ToList();
        // Listening (1001) is logged once Kestrel has bound, concurrently with the step thread's
        // RunStarted, so only its presence is checked. Then RunStarted, Paused, StopRequested,
        // SnapshotWritten, RunStopped (docs/daemon.md).
        Assert.Contains(1001, ids);
        Assert.Equal([1002, 1003, 1007, 1005, 1009], ids.Where(id => id != 1001));
    }
}

/// <summary>Records the event id of every log entry.</summary>
internal sealed class LogRecorder : ILoggerProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<int> _ids = new();

    public IReadOnlyList<int> EventIds => [.. _ids];

    public ILogger CreateLogger(string categoryName) => new Recorder(_ids);

    public void Dispose() { }

    private sealed class Recorder(System.Collections.Concurrent.ConcurrentQueue<int> ids) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            ids.Enqueue(eventId.Id);
    }
}
