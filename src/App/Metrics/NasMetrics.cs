// The "Nas" meter: every instrument the daemon and the run loop update, with permanent names.
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Nas.App.Metrics;

/// <summary>Which data split a loss or accuracy belongs to (label <c>split</c>: train, val).</summary>
public enum Split
{
    Train,
    Validation,
}

/// <summary>One row of the alpha table: softmax(alpha) of one op on one edge of one cell type.</summary>
public readonly record struct AlphaProbability(string CellType, int Edge, string Op, double Probability);

/// <summary>Instruments on a <see cref="Meter"/> named "Nas". Names follow Prometheus conventions
/// and are permanent (STYLE.md rule 10); docs/daemon.md lists them. The daemon records steps,
/// epochs, losses, accuracies and snapshots from <c>IRunLoop.Status</c>; a run loop sets what only
/// it knows (learning rates, alpha tables, genotype share, dropped/pruned ops, population fitness).
/// Tables (alpha probabilities, entropies) are replaced whole, so a scrape never sees half a step.
/// Thread-safe: any thread may set, any thread may scrape.</summary>
public sealed class NasMetrics : IDisposable
{
    public const string MeterName = "Nas";

    private static readonly double[] StepBounds =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 60, 120, 300];
    private static readonly double[] SnapshotBounds =
        [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

    private readonly Counter<long> _steps;
    private readonly Counter<long> _epochs;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _snapshots;
    private readonly Counter<long> _snapshotFailures;
    private readonly Histogram<double> _stepDuration;
    private readonly Histogram<double> _snapshotDuration;
    private readonly Gauge<long> _step;
    private readonly Gauge<long> _epoch;
    private readonly Gauge<double> _loss;
    private readonly Gauge<double> _accuracy;
    private readonly Gauge<double> _learningRate;
    private readonly Gauge<double> _parameterFree;
    private readonly Gauge<long> _pruned;
    private readonly Gauge<double> _fitnessBest;
    private readonly Gauge<double> _fitnessMean;
    private readonly Gauge<long> _snapshotSize;
    private readonly Gauge<double> _snapshotLastSuccess;
    private readonly Gauge<int> _paused;
    private Measurement<double>[] _alphaProbabilities = [];
    private Measurement<double>[] _alphaEntropies = [];

    /// <param name="liveTensors">Source of the live native tensor count; null reads
    /// <see cref="Nas.Torch.Tensor.LiveCount"/>.</param>
    public NasMetrics(Func<long>? liveTensors = null)
    {
        var live = liveTensors ?? (() => Nas.Torch.Tensor.LiveCount);
        Meter = new Meter(MeterName);
        _steps = Meter.CreateCounter<long>("nas_steps_total", description: "Search steps completed by this process.");
        _epochs = Meter.CreateCounter<long>("nas_epochs_total", description: "Epochs completed by this process.");
        _dropped = Meter.CreateCounter<long>("nas_ops_dropped_total",
            description: "Candidate ops dropped by operation-level dropout (DropNAS), summed over steps.");
        _snapshots = Meter.CreateCounter<long>("nas_snapshots_total", description: "Snapshots written successfully.");
        _snapshotFailures = Meter.CreateCounter<long>("nas_snapshot_failures_total", description: "Snapshot attempts that failed.");
        _stepDuration = Meter.CreateHistogram("nas_step_duration_seconds", "s", "Wall time of one search step.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = StepBounds });
        _snapshotDuration = Meter.CreateHistogram("nas_snapshot_duration_seconds", "s", "Wall time of writing one snapshot.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SnapshotBounds });
        _step = Meter.CreateGauge<long>("nas_step", description: "Global step of the run (continues across resumes).");
        _epoch = Meter.CreateGauge<long>("nas_epoch", description: "Current epoch of the run.");
        _loss = Meter.CreateGauge<double>("nas_loss", description: "Loss of the last step, by split (train, val).");
        _accuracy = Meter.CreateGauge<double>("nas_accuracy_ratio", description: "Top-1 accuracy (0 to 1) of the last step, by split (train, val).");
        _learningRate = Meter.CreateGauge<double>("nas_learning_rate", description: "Current learning rate, by parameter group (weights, alphas).");
        _parameterFree = Meter.CreateGauge<double>("nas_genotype_parameter_free_ratio",
            description: "Share (0 to 1) of parameter-free ops (pooling, skip) in the current genotype.");
        _pruned = Meter.CreateGauge<long>("nas_ops_pruned", description: "Candidate ops pruned from the search space so far.");
        _fitnessBest = Meter.CreateGauge<double>("nas_population_fitness_best", description: "Best fitness in the current population (evolutionary methods).");
        _fitnessMean = Meter.CreateGauge<double>("nas_population_fitness_mean", description: "Mean fitness of the current population (evolutionary methods).");
        _snapshotSize = Meter.CreateGauge<long>("nas_snapshot_size_bytes", "By", "Size of the last snapshot written.");
        _snapshotLastSuccess = Meter.CreateGauge<double>("nas_snapshot_last_success_timestamp_seconds", "s",
            "Unix time of the last successful snapshot.");
        _paused = Meter.CreateGauge<int>("nas_paused", description: "1 while the run is paused, else 0.");
        Meter.CreateObservableGauge("nas_alpha_probability", () => Volatile.Read(ref _alphaProbabilities),
            description: "softmax(alpha) of each candidate op, by cell type, edge and op.");
        Meter.CreateObservableGauge("nas_alpha_entropy", () => Volatile.Read(ref _alphaEntropies),
            description: "Mean over edges of the entropy (nats) of softmax(alpha), by cell type.");
        Meter.CreateObservableGauge("nas_tensors_live", live, description: "Native libtorch tensors alive in this process.");
        Meter.CreateObservableGauge("process_resident_memory_bytes", ResidentBytes, "By", "Resident memory size of this process.");
    }

    public Meter Meter { get; }

    public void RecordStep(TimeSpan duration)
    {
        _steps.Add(1);
        _stepDuration.Record(duration.TotalSeconds);
    }

    public void AddEpochs(long count)
    {
        if (count > 0) _epochs.Add(count);
    }

    public void SetProgress(long step, long epoch)
    {
        _step.Record(step);
        _epoch.Record(epoch);
    }

    public void SetLoss(Split split, double value) => _loss.Record(value, SplitTag(split));

    public void SetAccuracy(Split split, double ratio) => _accuracy.Record(ratio, SplitTag(split));

    /// <param name="group">The parameter group, by convention "weights" or "alphas".</param>
    public void SetLearningRate(string group, double lr) => _learningRate.Record(lr, new KeyValuePair<string, object?>("which", group));

    /// <summary>Replaces the whole alpha table; rows absent from <paramref name="rows"/> leave the scrape.</summary>
    public void SetAlphaProbabilities(IEnumerable<AlphaProbability> rows) =>
        Volatile.Write(ref _alphaProbabilities, rows.Select(r => new Measurement<double>(r.Probability,
            new KeyValuePair<string, object?>("cell_type", r.CellType),
            new KeyValuePair<string, object?>("edge", r.Edge),
            new KeyValuePair<string, object?>("op", r.Op))).ToArray());

    /// <summary>Replaces the entropy table: cell type to mean edge entropy in nats.</summary>
    public void SetAlphaEntropy(IEnumerable<KeyValuePair<string, double>> byCellType) =>
        Volatile.Write(ref _alphaEntropies, byCellType.Select(e => new Measurement<double>(e.Value,
            new KeyValuePair<string, object?>("cell_type", e.Key))).ToArray());

    public void SetParameterFreeShare(double ratio) => _parameterFree.Record(ratio);

    public void AddDroppedOps(long count)
    {
        if (count > 0) _dropped.Add(count);
    }

    public void SetPrunedOps(long count) => _pruned.Record(count);

    public void SetPopulationFitness(double best, double mean)
    {
        _fitnessBest.Record(best);
        _fitnessMean.Record(mean);
    }

    public void RecordSnapshot(TimeSpan duration, long bytes, DateTimeOffset writtenAt)
    {
        _snapshots.Add(1);
        _snapshotDuration.Record(duration.TotalSeconds);
        _snapshotSize.Record(bytes);
        _snapshotLastSuccess.Record(writtenAt.ToUnixTimeMilliseconds() / 1000.0);
    }

    public void RecordSnapshotFailure() => _snapshotFailures.Add(1);

    public void SetPaused(bool paused) => _paused.Record(paused ? 1 : 0);

    public void Dispose() => Meter.Dispose();

    private static KeyValuePair<string, object?> SplitTag(Split split) =>
        new("split", split == Split.Train ? "train" : "val");

    private static long ResidentBytes()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }
}
