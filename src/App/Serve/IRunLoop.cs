// What the daemon runs: one search, stepped and snapshotted on the daemon's step thread.
namespace Nas.App.Serve;

/// <summary>A run the daemon drives. Every member is called on the daemon's one dedicated step
/// thread (the one that created it through the factory given to <see cref="Daemon.RunAsync"/>),
/// never concurrently, so libtorch's thread-local state (grad mode) stays put.</summary>
public interface IRunLoop : IDisposable
{
    /// <summary>An immutable picture of the run now; read after each step and published to HTTP.</summary>
    RunStatus Status { get; }

    /// <summary>Does one step. Returns false, having done nothing, when the run has no steps left.</summary>
    bool Step();

    /// <summary>Writes a snapshot of the run now (atomically) and returns its path.</summary>
    string Snapshot();
}

/// <summary>The state of a run between steps. <see cref="Step"/> is the global step (it continues
/// across resumes); losses and accuracies are those of the last step, null where the method has none.</summary>
public sealed record RunStatus(string Method, long Step, long Epoch)
{
    public long? TotalSteps { get; init; }
    public double? TrainLoss { get; init; }
    public double? ValLoss { get; init; }
    public double? TrainAccuracy { get; init; }
    public double? ValAccuracy { get; init; }

    /// <summary>The current result: a DARTS genotype literal for the differentiable family, the architecture text (NAS-Bench-201 string or per-layer choices) for one-shot methods.</summary>
    public string? Genotype { get; init; }

    public string? LastSnapshotPath { get; init; }
    public DateTimeOffset? LastSnapshotTime { get; init; }

    /// <summary>The run folder (steps.jsonl, epochs.jsonl) the run page reads; null when the run has none.</summary>
    public string? Folder { get; init; }

    /// <summary>What the run page shows beyond this status (architecture weights, one-shot search); null when not known.</summary>
    public Nas.App.Page.RunDetail? Detail { get; init; }
}
