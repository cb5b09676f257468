// One search run bound to its folder: steps the session, appends steps.jsonl / epochs.jsonl, writes the result; used by the CLI and the daemon.
using Nas.App.Serve;
using Nas.Components;
using Nas.Systems.Methods;
using Nas.Systems.Search;
using Nas.World.Snapshots;

namespace Nas.App.Runs;

public sealed class SearchRun : IRunLoop
{
    private readonly ISearchSession _session;
    private readonly JsonLines _steps;
    private readonly JsonLines _epochs;
    private readonly DateTime _started = DateTime.UtcNow;
    private readonly SnapshotStore _store;

    public RunFolder Folder { get; }
    public ISearchSession Session => _session;

    public SearchRun(ISearchSession session, RunFolder folder)
    {
        _session = session;
        Folder = folder;
        // A resumed run drops whatever was logged after its snapshot, so the logs continue exactly.
        JsonLines.TruncateAfterStep(folder.Steps, session.Clock.Step);
        JsonLines.TruncateAfterStep(folder.Epochs, session.Clock.Epoch - 1, key: "epoch");
        _steps = new JsonLines(folder.Steps);
        _epochs = new JsonLines(folder.Epochs);
        _store = new SnapshotStore(folder.Snapshots, Math.Max(1, session.Config.SnapshotKeep))
        {
            OnDamaged = (problem, movedTo) => Console.Error.WriteLine($"nas: moved damaged snapshot to {movedTo}: {problem.Message}"),
        };
    }

    public long TotalSteps => _session.Config.Steps > 0 ? Math.Min(_session.Config.Steps, _session.TotalSteps) : _session.TotalSteps;

    public RunStatus Status
    {
        get
        {
            var c = _session.Clock;
            var m = _session.Metrics;
            return new RunStatus(_session.Config.Method, c.Step, c.Epoch)
            {
                TotalSteps = TotalSteps,
                TrainLoss = Finite(m.TrainLoss), ValLoss = Finite(m.ValLoss),
                TrainAccuracy = Finite(m.TrainAccuracy), ValAccuracy = Finite(m.ValAccuracy),
                Genotype = _session.Result().Text,
                Folder = Folder.Path,
                Detail = Page.RunDetail.Of(_session.World, _session.Config),
            };
        }
    }

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;

    /// <summary>The last failed write of the run folder (disk full, permission), if any: the daemon exits with the I/O code for it.</summary>
    public RunIOException? IOFailure { get; private set; }

    /// <summary>One step; at an epoch boundary also the epoch record and the current result files.</summary>
    public bool Step()
    {
        try { return StepAndLog(); }
        catch (RunIOException e)
        {
            IOFailure = e;
            throw;
        }
    }

    private bool StepAndLog()
    {
        if (_session.Finished) return false;
        var epochBefore = _session.Clock.Epoch;
        var t0 = DateTime.UtcNow;
        _session.Step();
        var seconds = (DateTime.UtcNow - t0).TotalSeconds;
        var c = _session.Clock;
        var m = _session.Metrics;
        _steps.Write(new StepRecord(c.Step, epochBefore, Finite(m.TrainLoss), Finite(m.TrainAccuracy), Finite(m.ValLoss), Finite(m.Lr), Finite(m.ArchLr), Finite(m.GradNorm), seconds));
        if (c.Epoch != epochBefore || _session.Finished) EndEpoch(epochBefore);
        return true;
    }

    private void EndEpoch(int epoch)
    {
        var report = new Dictionary<string, object> { ["epoch"] = epoch, ["step"] = _session.Clock.Step, ["seconds"] = (DateTime.UtcNow - _started).TotalSeconds };
        foreach (var (k, v) in _session.EpochReport()) report[k] = v;
        if (Page.RunDetail.Of(_session.World, _session.Config).Architecture is { } architecture) report["architecture"] = architecture; // the run page's slider over epochs
        _epochs.Write(report);
        var (text, json) = _session.Result();
        Folder.WriteResult(text, json);
    }

    /// <summary>The step of the last snapshot this run wrote (or resumed from); -1 when none.</summary>
    public long LastSnapshotStep { get; private set; } = -1;

    /// <summary>
    /// Writes a snapshot of the world now into RUN_DIR/snapshots and returns its path. Retention keeps config.SnapshotKeep valid
    /// ones (this one always) and moves damaged files to snapshots/damaged/. An I/O failure is a <see cref="RunIOException"/>
    /// naming the file; the temp file is removed and the earlier snapshots stay as they were.
    /// </summary>
    public string Snapshot()
    {
        var path = _store.PathFor(_session.Clock.Step);
        try { RunFolder.Write(path, () => path = SearchSnapshot.Save(_session, _store)); }
        catch (RunIOException e)
        {
            IOFailure = e;
            throw;
        }
        LastSnapshotStep = _session.Clock.Step;
        return path;
    }

    /// <summary>Marks the step the session was resumed from, so an immediate stop does not rewrite that snapshot.</summary>
    public void ResumedFrom(long step) => LastSnapshotStep = step;

    public string Summary() => string.Join("  ", SummaryFields());

    /// <summary>The latest figures, most important first (a narrow terminal drops them from the end).</summary>
    public IReadOnlyList<string> SummaryFields()
    {
        var m = _session.Metrics;
        // The one-shot search phase runs one generation a step after the last epoch: "epoch 11/10" would say nothing.
        if (_session.Clock.Epoch >= _session.Config.Epochs && _session.World.TryResource<EvolutionState>(out var evolution))
            return [$"generation {evolution.Generation}/{_session.Config.Generations}", $"evaluated {evolution.Evaluated.Length}",
                .. double.IsFinite(m.ValLoss) ? [_session.Config.Fitness == OneShotFitness.Accuracy ? $"best error {m.ValLoss:F3}" : $"best fitness {m.ValLoss:G4}"] : Array.Empty<string>()];
        var parts = new List<string> { $"epoch {_session.Clock.Epoch + (_session.Finished ? 0 : 1)}/{_session.Config.Epochs}" };
        if (double.IsFinite(m.TrainLoss)) parts.Add($"loss {m.TrainLoss:F3}");
        if (double.IsFinite(m.TrainAccuracy)) parts.Add($"acc {m.TrainAccuracy:P1}");
        if (double.IsFinite(m.ValLoss)) parts.Add($"val_loss {m.ValLoss:F3}");
        return parts;
    }

    public void Dispose()
    {
        _steps.Dispose();
        _epochs.Dispose();
        _session.Dispose();
    }

    private sealed record StepRecord(long Step, int Epoch, double? TrainLoss, double? TrainAccuracy, double? ValLoss, double? Lr, double? ArchLr, double? GradNorm, double Seconds);
}
