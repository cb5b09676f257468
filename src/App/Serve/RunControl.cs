// The mailbox between HTTP handlers and the step thread, and the run's published state.
namespace Nas.App.Serve;

/// <summary>Where a daemon's run is in its life.</summary>
public enum RunPhase
{
    Starting,
    Running,
    Paused,
    Stopping,
    Finished,
    Stopped,
    Failed,
}

/// <summary>One snapshot the daemon wrote; <see cref="Reason"/> is request, steps, timer or stop.</summary>
public sealed record SnapshotRecord(string Path, long Step, DateTimeOffset WrittenAt, long Bytes, double Seconds, string Reason);

/// <summary>What HTTP sees of the run: an immutable value replaced by the step thread.</summary>
public sealed record RunView(RunPhase Phase, RunStatus? Status, long StepsThisProcess, SnapshotRecord? LastSnapshot, string? Error)
{
    public bool Ended => Phase is RunPhase.Finished or RunPhase.Stopped or RunPhase.Failed;

    /// <summary>0 when the run finished or stopped cleanly, 1 when it failed or its final snapshot failed.</summary>
    public int ExitCode => Phase == RunPhase.Failed || Error is not null ? 1 : 0;
}

internal enum CommandKind
{
    Pause,
    Resume,
    Snapshot,
    Stop,
}

/// <summary>The step thread's answer to one command.</summary>
internal sealed record CommandReply(bool Ok, RunView View, SnapshotRecord? Snapshot = null, string? Error = null);

internal sealed class Command(CommandKind kind)
{
    public CommandKind Kind { get; } = kind;
    public TaskCompletionSource<CommandReply> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>HTTP threads send commands; the step thread takes them between steps and answers.
/// After <see cref="End"/> no command waits forever: it is answered at once as refused.</summary>
internal sealed class RunControl
{
    private readonly object _gate = new();
    private readonly Queue<Command> _commands = new();
    // Never disposed: the step thread may outlive the host after a shutdown timeout, and a
    // ManualResetEventSlim whose WaitHandle is never read holds no kernel object.
    private readonly ManualResetEventSlim _wake = new(false);
    private RunView _view = new(RunPhase.Starting, null, 0, null, null);

    public RunView View => Volatile.Read(ref _view);

    public Task<CommandReply> SendAsync(CommandKind kind)
    {
        var command = new Command(kind);
        lock (_gate)
        {
            if (_view.Ended)
                command.Reply.SetResult(new CommandReply(false, _view, Error: $"the run has ended ({Name(_view.Phase)})"));
            else
                _commands.Enqueue(command);
        }
        _wake.Set();
        return command.Reply.Task;
    }

    // Step-thread side.

    public bool TryTake(out Command command)
    {
        lock (_gate) return _commands.TryDequeue(out command!);
    }

    public void Publish(RunView view) => Volatile.Write(ref _view, view);

    /// <summary>Publishes the final view and refuses every command still queued.</summary>
    public void End(RunView final)
    {
        List<Command> left;
        lock (_gate)
        {
            Volatile.Write(ref _view, final);
            left = [.. _commands];
            _commands.Clear();
        }
        foreach (var command in left)
            command.Reply.TrySetResult(new CommandReply(false, final, Error: $"the run has ended ({Name(final.Phase)})"));
    }

    /// <summary>Clear before taking commands, so a command sent after the take still wakes <see cref="Wait"/>.</summary>
    public void ResetWake() => _wake.Reset();

    public void Wake() => _wake.Set();

    public void Wait() => _wake.Wait();

    public static string Name(RunPhase phase) => phase.ToString().ToLowerInvariant();
}
