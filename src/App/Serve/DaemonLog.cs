// The daemon's log messages. Event ids are permanent (docs/daemon.md lists them).
using Microsoft.Extensions.Logging;

namespace Nas.App.Serve;

internal static partial class DaemonLog
{
    [LoggerMessage(EventId = 1001, EventName = "Listening", Level = LogLevel.Information, Message = "Listening on {Address}")]
    public static partial void Listening(ILogger logger, string address);

    [LoggerMessage(EventId = 1002, EventName = "RunStarted", Level = LogLevel.Information,
        Message = "Run {Method} started at step {Step} ({State})")]
    public static partial void RunStarted(ILogger logger, string method, long step, string state);

    [LoggerMessage(EventId = 1003, EventName = "Paused", Level = LogLevel.Information, Message = "Paused at step {Step}")]
    public static partial void Paused(ILogger logger, long step);

    [LoggerMessage(EventId = 1004, EventName = "Resumed", Level = LogLevel.Information, Message = "Resumed at step {Step}")]
    public static partial void Resumed(ILogger logger, long step);

    [LoggerMessage(EventId = 1005, EventName = "SnapshotWritten", Level = LogLevel.Information,
        Message = "Snapshot ({Reason}) of step {Step} written to {Path}: {Bytes} bytes in {Seconds:F3} s")]
    public static partial void SnapshotWritten(ILogger logger, string reason, long step, string path, long bytes, double seconds);

    [LoggerMessage(EventId = 1006, EventName = "SnapshotFailed", Level = LogLevel.Error,
        Message = "Snapshot ({Reason}) of step {Step} failed")]
    public static partial void SnapshotFailed(ILogger logger, Exception exception, string reason, long step);

    [LoggerMessage(EventId = 1007, EventName = "StopRequested", Level = LogLevel.Information,
        Message = "Stop requested ({Source}) at step {Step}; the current step is finished first")]
    public static partial void StopRequested(ILogger logger, string source, long step);

    [LoggerMessage(EventId = 1008, EventName = "RunFinished", Level = LogLevel.Information, Message = "Run finished at step {Step}")]
    public static partial void RunFinished(ILogger logger, long step);

    [LoggerMessage(EventId = 1009, EventName = "RunStopped", Level = LogLevel.Information, Message = "Run stopped at step {Step}")]
    public static partial void RunStopped(ILogger logger, long step);

    [LoggerMessage(EventId = 1010, EventName = "RunFailed", Level = LogLevel.Critical, Message = "Run failed at step {Step}")]
    public static partial void RunFailed(ILogger logger, Exception exception, long step);

    [LoggerMessage(EventId = 1011, EventName = "Unauthorized", Level = LogLevel.Warning,
        Message = "Refused {Method} {Path} from {Remote}: missing or wrong bearer token")]
    public static partial void Unauthorized(ILogger logger, string method, string path, string remote);
}
