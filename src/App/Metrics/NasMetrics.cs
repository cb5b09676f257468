// The daemon's metrics: every family /metrics serves, as prometheus-net collectors in one registry, with permanent names.
using System.Diagnostics;
using Prometheus;

namespace Nas.App.Metrics;

/// <summary>Which data split a loss or accuracy belongs to (label <c>split</c>: train, val).</summary>
public enum Split
{
    Train,
    Validation,
}

/// <summary>One row of the alpha table: softmax(alpha) of one op on one edge of one cell type.</summary>
public readonly record struct AlphaProbability(string CellType, int Edge, string Op, double Probability);

/// <summary>prometheus-net collectors in a registry of their own (no default process or .NET metrics). Names follow
/// Prometheus conventions and are permanent (STYLE.md rule 10); docs/daemon.md lists them. The daemon records steps,
/// epochs, losses, accuracies and snapshots from <c>IRunLoop.Status</c>; a run loop sets what only it knows (learning
/// rates, alpha tables, genotype share, dropped/pruned ops, population fitness). Counters and histograms show zero from
/// the start, so rate() works from the first scrape; a gauge appears once it is set. Tables (alpha probabilities,
/// entropies) are replaced whole and applied when a scrape collects, so a scrape never sees half a step and rows that
/// vanish from a table vanish from the scrape. Thread-safe: any thread may set, any thread may scrape.</summary>
public sealed class NasMetrics : IDisposable
{
    private static readonly double[] StepBounds =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 60, 120, 300];
    private static readonly double[] SnapshotBounds =
        [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

    private readonly Counter _steps;
    private readonly Counter _epochs;
    private readonly Counter _dropped;
    private readonly Counter _snapshots;
    private readonly Counter _snapshotFailures;
    private readonly Histogram _stepDuration;
    private readonly Histogram _snapshotDuration;
    private readonly Gauge _step;
    private readonly Gauge _epoch;
    private readonly Gauge _loss;
    private readonly Gauge _accuracy;
    private readonly Gauge _learningRate;
    private readonly Gauge _parameterFree;
    private readonly Gauge _pruned;
    private readonly Gauge _fitnessBest;
    private readonly Gauge _fitnessMean;
    private readonly Gauge _snapshotSize;
    private readonly Gauge _snapshotLastSuccess;
    private readonly Gauge _paused;
    private readonly Gauge _alphaProbability;
    private readonly Gauge _alphaEntropy;
    private AlphaProbability[] _alphaProbabilities = [];
    private KeyValuePair<string, double>[] _alphaEntropies = [];

    /// <param name="liveTensors">Source of the live native tensor count; null reads
    /// <see cref="Nas.Torch.Tensor.LiveCount"/>.</param>
    public NasMetrics(Func<long>? liveTensors = null)
    {
        var live = liveTensors ?? (() => Nas.Torch.Tensor.LiveCount);
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var f = Prometheus.Metrics.WithCustomRegistry(Registry);
        _steps = f.CreateCounter("nas_steps_total", "Search steps completed by this process.");
        _epochs = f.CreateCounter("nas_epochs_total", "Epochs completed by this process.");
        _dropped = f.CreateCounter("nas_ops_dropped_total", "Candidate ops dropped by operation-level dropout (DropNAS), summed over steps.");
        _snapshots = f.CreateCounter("nas_snapshots_total", "Snapshots written successfully.");
        _snapshotFailures = f.CreateCounter("nas_snapshot_failures_total", "Snapshot attempts that failed.");
        _stepDuration = f.CreateHistogram("nas_step_duration_seconds", "Wall time of one search step.", new HistogramConfiguration { Buckets = StepBounds });
        _snapshotDuration = f.CreateHistogram("nas_snapshot_duration_seconds", "Wall time of writing one snapshot.",
            new HistogramConfiguration { Buckets = SnapshotBounds });
        _step = Gauge(f, "nas_step", "Global step of the run (continues across resumes).");
        _epoch = Gauge(f, "nas_epoch", "Current epoch of the run.");
        _loss = Gauge(f, "nas_loss", "Loss of the last step, by split (train, val).", "split");
        _accuracy = Gauge(f, "nas_accuracy_ratio", "Top-1 accuracy (0 to 1) of the last step, by split (train, val).", "split");
        _learningRate = Gauge(f, "nas_learning_rate", "Current learning rate, by parameter group (weights, alphas).", "which");
        _parameterFree = Gauge(f, "nas_genotype_parameter_free_ratio", "Share (0 to 1) of parameter-free ops (pooling, skip) in the current genotype.");
        _pruned = Gauge(f, "nas_ops_pruned", "Candidate ops pruned from the search space so far.");
        _fitnessBest = Gauge(f, "nas_population_fitness_best", "Best fitness in the current population (evolutionary methods).");
        _fitnessMean = Gauge(f, "nas_population_fitness_mean", "Mean fitness of the current population (evolutionary methods).");
        _snapshotSize = Gauge(f, "nas_snapshot_size_bytes", "Size of the last snapshot written.");
        _snapshotLastSuccess = Gauge(f, "nas_snapshot_last_success_timestamp_seconds", "Unix time of the last successful snapshot.");
        _paused = Gauge(f, "nas_paused", "1 while the run is paused, else 0.");
        _alphaProbability = Gauge(f, "nas_alpha_probability", "softmax(alpha) of each candidate op, by cell type, edge and op.", "cell_type", "edge", "op");
        _alphaEntropy = Gauge(f, "nas_alpha_entropy", "Mean over edges of the entropy (nats) of softmax(alpha), by cell type.", "cell_type");
        var tensors = f.CreateGauge("nas_tensors_live", "Native libtorch tensors alive in this process.");
        var resident = f.CreateGauge("process_resident_memory_bytes", "Resident memory size of this process.");
        Registry.AddBeforeCollectCallback(() =>
        {
            tensors.Set(live());
            resident.Set(ResidentBytes());
            lock (_alphaProbability) // two scrapes at once apply the tables one after the other
            {
                Replace(_alphaProbability, Volatile.Read(ref _alphaProbabilities).Select(r => (new[] { r.CellType, Label(r.Edge), r.Op }, r.Probability)));
                Replace(_alphaEntropy, Volatile.Read(ref _alphaEntropies).Select(e => (new[] { e.Key }, e.Value)));
            }
        });
    }

    /// <summary>The content type of <see cref="ExpositionAsync"/>: Prometheus text format 0.0.4.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>The registry /metrics serves.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>
    /// The text exposition (format 0.0.4) a scrape gets now, rendered by prometheus-net into one buffer: /metrics sends
    /// it in one piece (prometheus-net's own ASP.NET Core endpoint streams it in many small writes, 5-10x slower here).
    /// </summary>
    public async Task<string> ExpositionAsync(CancellationToken cancel = default)
    {
        using var text = new MemoryStream();
        await Registry.CollectAndExportAsTextAsync(text, cancel).ConfigureAwait(false);
        return System.Text.Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length);
    }

    /// <summary><see cref="ExpositionAsync"/>, waited for (tests, tools).</summary>
    public string Exposition() => ExpositionAsync().GetAwaiter().GetResult();

    public void RecordStep(TimeSpan duration)
    {
        _steps.Inc();
        _stepDuration.Observe(duration.TotalSeconds);
    }

    public void AddEpochs(long count)
    {
        if (count > 0) _epochs.Inc(count);
    }

    public void SetProgress(long step, long epoch)
    {
        _step.Set(step);
        _epoch.Set(epoch);
    }

    public void SetLoss(Split split, double value) => _loss.WithLabels(SplitLabel(split)).Set(value);

    public void SetAccuracy(Split split, double ratio) => _accuracy.WithLabels(SplitLabel(split)).Set(ratio);

    /// <param name="group">The parameter group, by convention "weights" or "alphas".</param>
    public void SetLearningRate(string group, double lr) => _learningRate.WithLabels(group).Set(lr);

    /// <summary>Replaces the whole alpha table; rows absent from <paramref name="rows"/> leave the scrape.</summary>
    public void SetAlphaProbabilities(IEnumerable<AlphaProbability> rows) => Volatile.Write(ref _alphaProbabilities, rows.ToArray());

    /// <summary>Replaces the entropy table: cell type to mean edge entropy in nats.</summary>
    public void SetAlphaEntropy(IEnumerable<KeyValuePair<string, double>> byCellType) => Volatile.Write(ref _alphaEntropies, byCellType.ToArray());

    public void SetParameterFreeShare(double ratio) => _parameterFree.Set(ratio);

    public void AddDroppedOps(long count)
    {
        if (count > 0) _dropped.Inc(count);
    }

    public void SetPrunedOps(long count) => _pruned.Set(count);

    public void SetPopulationFitness(double best, double mean)
    {
        _fitnessBest.Set(best);
        _fitnessMean.Set(mean);
    }

    public void RecordSnapshot(TimeSpan duration, long bytes, DateTimeOffset writtenAt)
    {
        _snapshots.Inc();
        _snapshotDuration.Observe(duration.TotalSeconds);
        _snapshotSize.Set(bytes);
        _snapshotLastSuccess.Set(writtenAt.ToUnixTimeMilliseconds() / 1000.0);
    }

    public void RecordSnapshotFailure() => _snapshotFailures.Inc();

    public void SetPaused(bool paused) => _paused.Set(paused ? 1 : 0);

    public void Dispose() { }

    /// <summary>A gauge whose series appears once it is set (prometheus-net prints its HELP and TYPE lines from the start).</summary>
    private static Gauge Gauge(IMetricFactory f, string name, string help, params string[] labels) =>
        f.CreateGauge(name, help, labels, new GaugeConfiguration { SuppressInitialValue = true });

    /// <summary>Sets every row of a table and removes the label sets it no longer has.</summary>
    private static void Replace(Gauge gauge, IEnumerable<(string[] Labels, double Value)> rows)
    {
        var keep = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (labels, value) in rows)
        {
            gauge.WithLabels(labels).Set(value);
            keep.Add(string.Join('\u0001', labels));
        }
        foreach (var labels in gauge.GetAllLabelValues().ToList())
            if (!keep.Contains(string.Join('\u0001', labels))) gauge.RemoveLabelled(labels);
    }

    private static string Label(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string SplitLabel(Split split) => split == Split.Train ? "train" : "val";

    private static long ResidentBytes()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }
}
