// Checks the real exposition of a populated NasMetrics with `promtool check metrics`.
using Nas.App.Metrics;

namespace Nas.App.Tests.Metrics;

public sealed class PromtoolTests
{
    internal static string PopulatedExposition()
    {
        using var metrics = new NasMetrics();
        metrics.RecordStep(TimeSpan.FromMilliseconds(120));
        metrics.RecordStep(TimeSpan.FromSeconds(2));
        metrics.AddEpochs(1);
        metrics.SetProgress(2, 1);
        metrics.SetLoss(Split.Train, 1.25);
        metrics.SetLoss(Split.Validation, 1.5);
        metrics.SetAccuracy(Split.Train, 0.5);
        metrics.SetAccuracy(Split.Validation, 0.25);
        metrics.SetLearningRate("weights", 0.025);
        metrics.SetLearningRate("alphas", 3e-4);
        metrics.SetAlphaProbabilities(
        [
            new("normal", 0, "sep_conv_3x3", 0.5), new("normal", 0, "skip_connect", 0.5),
            new("reduce", 13, "max_pool_3x3", 1.0), new("normal", 1, "odd \"name\"\\\n", 0.0),
        ]);
        metrics.SetAlphaEntropy([new("normal", 0.69), new("reduce", 0.0)]);
        metrics.SetParameterFreeShare(0.25);
        metrics.AddDroppedOps(7);
        metrics.SetPrunedOps(3);
        metrics.SetPopulationFitness(0.9, 0.6);
        metrics.RecordSnapshot(TimeSpan.FromMilliseconds(40), 123456, DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        metrics.RecordSnapshotFailure();
        metrics.SetPaused(false);
        return metrics.Exposition();
    }

    [Fact]
    public async Task PromtoolAcceptsThePopulatedExposition()
    {
        var text = PopulatedExposition();
        var (exitCode, complaints) = await Promtool.CheckMetricsAsync(text);
        Assert.True(exitCode == 0 && complaints.Length == 0,
            $"promtool exit {exitCode}: {complaints}\n--- exposition ---\n{text}");
    }

    [Fact]
    public void ThePopulatedExpositionHasEveryDocumentedFamily()
    {
        var text = PopulatedExposition();
        string[] families =
        [
            "nas_steps_total counter", "nas_epochs_total counter", "nas_step_duration_seconds histogram",
            "nas_loss gauge", "nas_accuracy_ratio gauge", "nas_learning_rate gauge", "nas_alpha_probability gauge",
            "nas_alpha_entropy gauge", "nas_genotype_parameter_free_ratio gauge", "nas_ops_dropped_total counter",
            "nas_ops_pruned gauge", "nas_population_fitness_best gauge", "nas_population_fitness_mean gauge",
            "nas_snapshot_duration_seconds histogram", "nas_snapshot_size_bytes gauge",
            "nas_snapshot_last_success_timestamp_seconds gauge", "nas_snapshots_total counter",
            "nas_snapshot_failures_total counter", "nas_tensors_live gauge", "process_resident_memory_bytes gauge",
            "nas_step gauge", "nas_epoch gauge", "nas_paused gauge",
        ];
        foreach (var family in families)
            Assert.Contains("# TYPE " + family + "\n", text);
        Assert.Contains("nas_steps_total 2\n", text);
        Assert.Contains("nas_learning_rate{which=\"alphas\"} 0.0003\n", text);
        Assert.Contains("nas_snapshot_last_success_timestamp_seconds 1700000000\n", text);
    }
}
