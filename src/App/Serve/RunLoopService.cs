// Runs the IRunLoop on one dedicated thread; between steps: commands, snapshots, pause, stop.
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nas.App.Metrics;

namespace Nas.App.Serve;

/// <summary>The run's factory, as registered in the daemon's services.</summary>
internal sealed record RunFactory(Func<IServiceProvider, IRunLoop> Create);

/// <summary>All step work (creating the run, stepping, snapshotting, disposing) happens on one
/// dedicated <see cref="Thread"/>, not the thread pool, because libtorch's grad mode is
/// thread-local. Between steps it answers commands, writes due snapshots (every N steps, every M
/// minutes), waits while paused, and on host shutdown or /stop finishes the current step, writes a
/// final snapshot and ends; when the run ends by itself it stops the host.</summary>
internal sealed class RunLoopService(
    DaemonOptions options,
    RunFactory factory,
    IServiceProvider services,
    RunControl control,
    NasMetrics metrics,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<RunLoopService> logger) : BackgroundService
{
    // Fields below are touched by the step thread only.
    private IRunLoop? _run;
    private RunStatus? _status;
    private bool _paused;
    private long _stepsThisProcess;
    private long _stepsSinceSnapshot;
    private long _lastSnapshotTimestamp;
    private long _lastEpoch;
    private SnapshotRecord? _lastSnapshot;
    private CancellationToken _stop;

    /// <summary>Whether host shutdown has been signalled to the step thread (tests use it to order events).</summary>
    internal bool StopSignalled => _stop.IsCancellationRequested;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Step only once every hosted service has started (Kestrel has bound): a failed bind must
        // not leave a run stepping. Hosted services stop in reverse order, so Kestrel stops before
        // this service; ApplicationStopping reaches the step thread first, at SIGTERM itself.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStopping);
        _stop = stop.Token;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (_stop.Register(() => started.TrySetCanceled()))
        {
            try
            {
                await started.Task;
            }
            catch (OperationCanceledException)
            {
                control.End(View(RunPhase.Stopped));
                return;
            }
        }
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            control.End(RunGuarded(_stop));
            done.SetResult();
            lifetime.StopApplication();
        })
        {
            Name = "nas-step",
            IsBackground = true, // a step stuck past the shutdown timeout must not keep the process alive
        };
        thread.Start();
        await done.Task;
    }

    /// <summary>Never throws: an exception on a dedicated thread would end the process.</summary>
    private RunView RunGuarded(CancellationToken stop)
    {
        try
        {
            return Run(stop);
        }
        catch (Exception e)
        {
            DaemonLog.RunFailed(logger, e, _status?.Step ?? 0);
            return View(RunPhase.Failed, e.Message);
        }
        finally
        {
            try { _run?.Dispose(); }
            catch (Exception e) { DaemonLog.RunFailed(logger, e, _status?.Step ?? 0); }
        }
    }

    private RunView Run(CancellationToken stop)
    {
        using var wakeOnStop = stop.Register(control.Wake);
        _run = factory.Create(services);
        _paused = options.StartPaused;
        _lastSnapshotTimestamp = time.GetTimestamp();
        _lastEpoch = _run.Status.Epoch; // epochs_total counts epochs done by this process only
        ReadStatus();
        metrics.SetPaused(_paused);
        DaemonLog.RunStarted(logger, _status!.Method, _status.Step, _paused ? "paused" : "running");
        var finished = false;
        var stopSource = "";
        while (true)
        {
            control.Publish(View(_paused ? RunPhase.Paused : RunPhase.Running));
            control.ResetWake();
            while (control.TryTake(out var command))
                if (Answer(command)) stopSource = "POST /stop";
            if (stopSource.Length == 0 && stop.IsCancellationRequested) stopSource = "host shutdown";
            if (stopSource.Length > 0) break;
            if (SnapshotDue() is { } reason) TakeSnapshot(reason);
            if (_paused)
            {
                control.Wait();
                continue;
            }
            if (!StepOnce())
            {
                finished = true;
                break;
            }
        }
        if (!finished) DaemonLog.StopRequested(logger, stopSource, _status.Step);
        control.Publish(View(RunPhase.Stopping));
        string? error = null;
        if (options.SnapshotOnStop && _stepsSinceSnapshot > 0 && TakeSnapshot("stop").Error is { } failed)
            error = $"final snapshot failed: {failed}";
        if (finished) DaemonLog.RunFinished(logger, _status.Step);
        else DaemonLog.RunStopped(logger, _status.Step);
        return View(finished ? RunPhase.Finished : RunPhase.Stopped, error);
    }

    private bool StepOnce()
    {
        var started = time.GetTimestamp();
        if (!_run!.Step()) return false;
        var elapsed = time.GetElapsedTime(started);
        _stepsThisProcess++;
        _stepsSinceSnapshot++;
        metrics.RecordStep(elapsed);
        ReadStatus();
        return true;
    }

    /// <summary>Reads the run's status and mirrors what it says into the metrics.</summary>
    private void ReadStatus()
    {
        var status = _status = _run!.Status;
        metrics.SetProgress(status.Step, status.Epoch);
        metrics.AddEpochs(status.Epoch - _lastEpoch);
        _lastEpoch = Math.Max(_lastEpoch, status.Epoch);
        if (status.TrainLoss is { } trainLoss) metrics.SetLoss(Split.Train, trainLoss);
        if (status.ValLoss is { } valLoss) metrics.SetLoss(Split.Validation, valLoss);
        if (status.TrainAccuracy is { } trainAccuracy) metrics.SetAccuracy(Split.Train, trainAccuracy);
        if (status.ValAccuracy is { } valAccuracy) metrics.SetAccuracy(Split.Validation, valAccuracy);
    }

    /// <summary>Answers one command; returns true when it asks the run to stop.</summary>
    private bool Answer(Command command)
    {
        switch (command.Kind)
        {
            case CommandKind.Pause or CommandKind.Resume:
                var pause = command.Kind == CommandKind.Pause;
                if (_paused != pause)
                {
                    _paused = pause;
                    metrics.SetPaused(pause);
                    if (pause) DaemonLog.Paused(logger, _status!.Step);
                    else DaemonLog.Resumed(logger, _status!.Step);
                }
                Reply(command, new CommandReply(true, View(pause ? RunPhase.Paused : RunPhase.Running)));
                return false;
            case CommandKind.Snapshot:
                var (record, error) = TakeSnapshot("request");
                Reply(command, new CommandReply(record is not null, View(_paused ? RunPhase.Paused : RunPhase.Running), record, error));
                return false;
            default:
                Reply(command, new CommandReply(true, View(RunPhase.Stopping)));
                return true;
        }
    }

    /// <summary>Publishes the reply's view first, so a client that reads /status after the reply sees it.</summary>
    private void Reply(Command command, CommandReply reply)
    {
        control.Publish(reply.View);
        command.Reply.SetResult(reply);
    }

    private string? SnapshotDue()
    {
        if (_stepsSinceSnapshot == 0) return null;
        if (options.SnapshotEverySteps > 0 && _status!.Step % options.SnapshotEverySteps == 0) return "steps";
        if (options.SnapshotEveryMinutes > 0
            && time.GetElapsedTime(_lastSnapshotTimestamp) >= TimeSpan.FromMinutes(options.SnapshotEveryMinutes))
            return "timer";
        return null;
    }

    /// <summary>
    /// Writes a snapshot; a failure is logged and counted, and the run goes on. Requests for a step whose snapshot this process
    /// has already written (many POST /snapshot between two steps) coalesce: they get that snapshot's record, nothing is rewritten.
    /// </summary>
    private (SnapshotRecord? Record, string? Error) TakeSnapshot(string reason)
    {
        var step = _status!.Step;
        if (reason == "request" && _stepsSinceSnapshot == 0 && _lastSnapshot is { } written && written.Step == step)
            return (written, null);
        var started = time.GetTimestamp();
        string path;
        try
        {
            path = _run!.Snapshot();
        }
        catch (Exception e)
        {
            metrics.RecordSnapshotFailure();
            DaemonLog.SnapshotFailed(logger, e, reason, step);
            return (null, e.Message);
        }
        var elapsed = time.GetElapsedTime(started);
        var bytes = File.Exists(path) ? new FileInfo(path).Length : 0;
        var record = new SnapshotRecord(path, step, time.GetUtcNow(), bytes, elapsed.TotalSeconds, reason);
        _lastSnapshot = record;
        _stepsSinceSnapshot = 0;
        _lastSnapshotTimestamp = time.GetTimestamp();
        metrics.RecordSnapshot(elapsed, bytes, record.WrittenAt);
        DaemonLog.SnapshotWritten(logger, reason, step, path, bytes, elapsed.TotalSeconds);
        return (record, null);
    }

    private RunView View(RunPhase phase, string? error = null) =>
        new(phase, _status, _stepsThisProcess, _lastSnapshot, error);
}
