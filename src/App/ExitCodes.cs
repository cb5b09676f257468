// The exit codes of `nas` (README, "Exit codes"): systemd's RestartPreventExitStatus and scripts branch on them.
namespace Nas.App;

public static class ExitCodes
{
    /// <summary>The command did what it was asked (a search that was stopped by SIGTERM or Ctrl+C and snapshotted included).</summary>
    public const int Ok = 0;

    /// <summary>An unexpected error (one line names it), or a daemon's run failed after it started.</summary>
    public const int Failed = 1;

    /// <summary>A flag, config value, environment value or input file was refused before any work started; nothing was written.
    /// Restarting will not help.</summary>
    public const int BadInput = 2;

    /// <summary>Reading or writing the run folder failed (disk full, permission, read-only file system): the run stopped at a step
    /// boundary and the snapshots written before stay valid. Resume once the disk has room.</summary>
    public const int IoError = 3;

    /// <summary><c>nas resume</c> found no valid snapshot in the run folder.</summary>
    public const int NoSnapshot = 4;

    /// <summary>Another process holds the run folder's lock (the line names its PID).</summary>
    public const int Busy = 5;
}
