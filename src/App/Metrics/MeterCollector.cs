// Listens to one Meter's instruments and aggregates their measurements into metric families.
using System.Diagnostics.Metrics;
using System.Globalization;

namespace Nas.App.Metrics;

/// <summary>A <see cref="MeterListener"/> bound to one <see cref="Meter"/> instance (by reference, so
/// two meters with the same name in one process never mix). Counters sum, gauges keep the last
/// value per label set, histograms bucket by the instrument's advised boundaries (Prometheus'
/// default boundaries when none are advised). Observable instruments are read fresh at each
/// <see cref="Collect"/>, so label sets that vanish from a table vanish from the scrape.
/// Counters and histograms with no measurement yet show one zero series, so rate() works from
/// the first scrape.</summary>
public sealed class MeterCollector : IDisposable
{
    public static readonly IReadOnlyList<double> DefaultBounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly object _gate = new();
    private readonly MeterListener _listener;
    private readonly Dictionary<Instrument, Series> _series = [];

    public MeterCollector(Meter meter)
    {
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (!ReferenceEquals(instrument.Meter, meter)) return;
                var series = new Series(instrument);
                lock (_gate) _series[instrument] = series;
                listener.EnableMeasurementEvents(instrument, series);
            },
            MeasurementsCompleted = (instrument, _) =>
            {
                lock (_gate) _series.Remove(instrument);
            },
        };
        _listener.SetMeasurementEventCallback<double>((_, v, tags, state) => Record(state, v, tags));
        _listener.SetMeasurementEventCallback<float>((_, v, tags, state) => Record(state, v, tags));
        _listener.SetMeasurementEventCallback<long>((_, v, tags, state) => Record(state, v, tags));
        _listener.SetMeasurementEventCallback<int>((_, v, tags, state) => Record(state, v, tags));
        _listener.Start();
    }

    /// <summary>Reads the observable instruments, then returns every family with its samples.</summary>
    public IReadOnlyList<MetricFamily> Collect()
    {
        lock (_gate)
        {
            foreach (var series in _series.Values)
                if (series.Observable) series.Points.Clear();
            _listener.RecordObservableInstruments();
            var families = new List<MetricFamily>(_series.Count);
            foreach (var series in _series.Values)
            {
                var family = series.ToFamily();
                if (family is not null) families.Add(family);
            }
            return families;
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Record(object? state, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (state is not Series series) return;
        lock (_gate) series.Record(value, tags);
    }

    private sealed class Point(IReadOnlyList<KeyValuePair<string, string>> labels, int buckets)
    {
        public readonly IReadOnlyList<KeyValuePair<string, string>> Labels = labels;
        public readonly long[] Buckets = new long[buckets];
        public double Value;
        public double Sum;
        public long Count;
    }

    private sealed class Series
    {
        private readonly Instrument _instrument;
        private readonly MetricType _type;
        private readonly bool _cumulative;
        private readonly double[] _bounds;
        public readonly bool Observable;
        public readonly Dictionary<string, Point> Points = new(StringComparer.Ordinal);

        public Series(Instrument instrument)
        {
            _instrument = instrument;
            var kind = instrument.GetType().IsGenericType ? instrument.GetType().GetGenericTypeDefinition() : instrument.GetType();
            _type = kind == typeof(Counter<>) || kind == typeof(ObservableCounter<>) ? MetricType.Counter
                : kind == typeof(Histogram<>) ? MetricType.Histogram
                : MetricType.Gauge;
            // Sync counters and up-down counters report deltas; everything else reports the value itself.
            _cumulative = kind == typeof(Counter<>) || kind == typeof(UpDownCounter<>);
            Observable = instrument.IsObservable;
            _bounds = _type == MetricType.Histogram ? AdvisedBounds(instrument) : [];
        }

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var (key, labels) = LabelKey(tags);
            if (!Points.TryGetValue(key, out var point))
                Points[key] = point = new Point(labels, _type == MetricType.Histogram ? _bounds.Length + 1 : 0);
            switch (_type)
            {
                case MetricType.Histogram:
                    var i = 0;
                    while (i < _bounds.Length && value > _bounds[i]) i++;
                    point.Buckets[i]++;
                    point.Sum += value;
                    point.Count++;
                    break;
                default:
                    point.Value = _cumulative ? point.Value + value : value;
                    break;
            }
        }

        public MetricFamily? ToFamily()
        {
            var samples = Points.Values.Select(p => new MetricSample(p.Labels, p.Value)
            {
                BucketCounts = p.Buckets.ToArray(),
                Sum = p.Sum,
                Count = p.Count,
            }).ToList();
            if (samples.Count == 0)
            {
                if (_type == MetricType.Gauge) return null;
                samples.Add(new MetricSample([], 0) { BucketCounts = new long[_bounds.Length + 1] });
            }
            return new MetricFamily(_instrument.Name, _instrument.Description ?? _instrument.Name, _type, samples)
            {
                Bounds = _bounds,
            };
        }

        private static (string Key, IReadOnlyList<KeyValuePair<string, string>> Labels) LabelKey(
            ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.Length == 0) return ("", []);
            var labels = new KeyValuePair<string, string>[tags.Length];
            for (var i = 0; i < tags.Length; i++)
                labels[i] = new(tags[i].Key, Convert.ToString(tags[i].Value, CultureInfo.InvariantCulture) ?? "");
            Array.Sort(labels, (a, b) => string.CompareOrdinal(a.Key, b.Key));
            return (string.Join('\u0001', labels.Select(l => l.Key + "\u0002" + l.Value)), labels);
        }

        private static double[] AdvisedBounds(Instrument instrument)
        {
            IReadOnlyList<double>? bounds = instrument switch
            {
                Histogram<double> h => h.Advice?.HistogramBucketBoundaries,
                Histogram<float> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToList(),
                Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToList(),
                Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToList(),
                _ => null,
            };
            return (bounds ?? DefaultBounds).ToArray();
        }
    }
}
