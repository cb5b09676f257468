// Renders metric families in the Prometheus text exposition format 0.0.4.
using System.Globalization;
using System.Text;

namespace Nas.App.Metrics;

/// <summary>The text exposition format 0.0.4: <c># HELP</c> and <c># TYPE</c> per family, families
/// sorted by name, samples sorted by label values, histograms as cumulative <c>_bucket{le=...}</c>
/// lines ending with <c>+Inf</c>, then <c>_sum</c> and <c>_count</c>.</summary>
public static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Render(IEnumerable<MetricFamily> families)
    {
        var text = new StringBuilder();
        foreach (var family in families.OrderBy(f => f.Name, StringComparer.Ordinal))
            Write(family, text);
        return text.ToString();
    }

    private static void Write(MetricFamily family, StringBuilder text)
    {
        RequireName(family.Name, metric: true);
        text.Append("# HELP ").Append(family.Name).Append(' ').Append(EscapeHelp(family.Help)).Append('\n');
        text.Append("# TYPE ").Append(family.Name).Append(' ').Append(TypeName(family.Type)).Append('\n');
        var samples = family.Samples.OrderBy(s => s.Labels, LabelSetOrder.Instance).ToList();
        foreach (var sample in samples)
        {
            foreach (var label in sample.Labels)
            {
                RequireName(label.Key, metric: false);
                if (family.Type == MetricType.Histogram && label.Key == "le")
                    throw new ArgumentException($"histogram {family.Name} may not use the label name 'le'");
            }
            if (family.Type == MetricType.Histogram)
                WriteHistogram(family, sample, text);
            else
                Line(text, family.Name, sample.Labels, null, sample.Value);
        }
    }

    private static void WriteHistogram(MetricFamily family, MetricSample sample, StringBuilder text)
    {
        if (sample.BucketCounts.Count != family.Bounds.Count + 1)
            throw new ArgumentException(
                $"histogram {family.Name} has {family.Bounds.Count} bounds but {sample.BucketCounts.Count} bucket counts (expected bounds + 1)");
        var bucket = family.Name + "_bucket";
        long cumulative = 0;
        for (var i = 0; i < family.Bounds.Count; i++)
        {
            cumulative += sample.BucketCounts[i];
            Line(text, bucket, sample.Labels, FormatValue(family.Bounds[i]), cumulative);
        }
        cumulative += sample.BucketCounts[^1];
        Line(text, bucket, sample.Labels, "+Inf", cumulative);
        Line(text, family.Name + "_sum", sample.Labels, null, sample.Sum);
        Line(text, family.Name + "_count", sample.Labels, null, sample.Count);
    }

    private static void Line(StringBuilder text, string name, IReadOnlyList<KeyValuePair<string, string>> labels,
        string? le, double value)
    {
        text.Append(name);
        if (labels.Count > 0 || le is not null)
        {
            text.Append('{');
            var first = true;
            foreach (var label in labels)
            {
                if (!first) text.Append(',');
                first = false;
                text.Append(label.Key).Append("=\"").Append(EscapeLabelValue(label.Value)).Append('"');
            }
            if (le is not null)
            {
                if (!first) text.Append(',');
                text.Append("le=\"").Append(le).Append('"');
            }
            text.Append('}');
        }
        text.Append(' ').Append(FormatValue(value)).Append('\n');
    }

    private static string TypeName(MetricType type) => type switch
    {
        MetricType.Counter => "counter",
        MetricType.Gauge => "gauge",
        MetricType.Histogram => "histogram",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>Label values escape backslash, double quote and line feed (format 0.0.4).</summary>
    public static string EscapeLabelValue(string value) =>
        value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");

    /// <summary>HELP text escapes backslash and line feed only (quotes stay as they are).</summary>
    public static string EscapeHelp(string help) => help.Replace("\\", "\\\\").Replace("\n", "\\n");

    /// <summary>Go-parsable floats: <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>, else the shortest round-trip form.</summary>
    public static string FormatValue(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Metric names match <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>; label names <c>[a-zA-Z_][a-zA-Z0-9_]*</c>
    /// and do not start with <c>__</c> (reserved).</summary>
    public static bool IsValidName(string name, bool metric)
    {
        if (name.Length == 0) return false;
        if (!metric && name.StartsWith("__", StringComparison.Ordinal)) return false;
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_'
                || (metric && c == ':') || (i > 0 && c is >= '0' and <= '9');
            if (!ok) return false;
        }
        return true;
    }

    private static void RequireName(string name, bool metric)
    {
        if (!IsValidName(name, metric))
            throw new ArgumentException($"'{name}' is not a valid Prometheus {(metric ? "metric" : "label")} name");
    }

    /// <summary>Orders label sets by their values in label order; values that are both integers
    /// compare numerically (edge 2 before edge 10), others ordinally.</summary>
    private sealed class LabelSetOrder : IComparer<IReadOnlyList<KeyValuePair<string, string>>>
    {
        public static readonly LabelSetOrder Instance = new();

        public int Compare(IReadOnlyList<KeyValuePair<string, string>>? x, IReadOnlyList<KeyValuePair<string, string>>? y)
        {
            x ??= []; y ??= [];
            for (var i = 0; i < Math.Min(x.Count, y.Count); i++)
            {
                var c = string.CompareOrdinal(x[i].Key, y[i].Key);
                if (c != 0) return c;
                c = long.TryParse(x[i].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var a)
                    && long.TryParse(y[i].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var b)
                        ? a.CompareTo(b)
                        : string.CompareOrdinal(x[i].Value, y[i].Value);
                if (c != 0) return c;
            }
            return x.Count.CompareTo(y.Count);
        }
    }
}
