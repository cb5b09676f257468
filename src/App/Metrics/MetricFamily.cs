// The data model of one scrape: metric families with their samples, ready for a text writer.
namespace Nas.App.Metrics;

/// <summary>The Prometheus metric types this exposition emits.</summary>
public enum MetricType
{
    Counter,
    Gauge,
    Histogram,
}

/// <summary>One label set's value. For counters and gauges, <see cref="Value"/>; for histograms,
/// the non-cumulative <see cref="BucketCounts"/> per <see cref="MetricFamily.Bounds"/> entry plus
/// one last overflow bucket, and <see cref="Sum"/> and <see cref="Count"/>.</summary>
public sealed record MetricSample(IReadOnlyList<KeyValuePair<string, string>> Labels, double Value)
{
    public IReadOnlyList<long> BucketCounts { get; init; } = [];
    public double Sum { get; init; }
    public long Count { get; init; }
}

/// <summary>A metric family: name, help text, type, samples. Histograms carry their upper bounds
/// (ascending, finite; the +Inf bucket is implied).</summary>
public sealed record MetricFamily(string Name, string Help, MetricType Type, IReadOnlyList<MetricSample> Samples)
{
    public IReadOnlyList<double> Bounds { get; init; } = [];
}
