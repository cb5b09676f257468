// Unit tests of the text exposition writer: escaping, number formatting, histograms, order.
using Nas.App.Metrics;

namespace Nas.App.Tests.Metrics;

public sealed class PrometheusTextTests
{
    private static KeyValuePair<string, string> L(string key, string value) => new(key, value);

    [Fact]
    public void LabelValuesEscapeBackslashQuoteAndNewline()
    {
        Assert.Equal("a\\\\b\\\"c\\nd", PrometheusText.EscapeLabelValue("a\\b\"c\nd"));
    }

    [Fact]
    public void HelpTextEscapesBackslashAndNewlineButNotQuotes()
    {
        Assert.Equal("say \"hi\"\\\\\\n", PrometheusText.EscapeHelp("say \"hi\"\\\n"));
    }

    [Fact]
    public void SpecialFloatsUseThePrometheusSpelling()
    {
        Assert.Equal("+Inf", PrometheusText.FormatValue(double.PositiveInfinity));
        Assert.Equal("-Inf", PrometheusText.FormatValue(double.NegativeInfinity));
        Assert.Equal("NaN", PrometheusText.FormatValue(double.NaN));
        Assert.Equal("0.25", PrometheusText.FormatValue(0.25));
        Assert.Equal("1E-05", PrometheusText.FormatValue(1e-5));
    }

    [Fact]
    public void AGaugeRendersHelpTypeAndEscapedLabels()
    {
        var family = new MetricFamily("x", "an \"x\"", MetricType.Gauge,
            [new MetricSample([L("op", "sep\"conv\n3x3")], 1.5)]);
        Assert.Equal(
            "# HELP x an \"x\"\n# TYPE x gauge\nx{op=\"sep\\\"conv\\n3x3\"} 1.5\n",
            PrometheusText.Render([family]));
    }

    [Fact]
    public void HistogramBucketsAreCumulativeAndEndWithInf()
    {
        // Observations 0.05, 0.5, 0.7, 3 with bounds 0.1 and 1: per-bucket counts 1, 2, 1 (overflow).
        var family = new MetricFamily("d_seconds", "d", MetricType.Histogram,
            [new MetricSample([L("k", "v")], 0) { BucketCounts = [1, 2, 1], Sum = 4.25, Count = 4 }])
        {
            Bounds = [0.1, 1],
        };
        Assert.Equal(
            "# HELP d_seconds d\n# TYPE d_seconds histogram\n" +
            "d_seconds_bucket{k=\"v\",le=\"0.1\"} 1\n" +
            "d_seconds_bucket{k=\"v\",le=\"1\"} 3\n" +
            "d_seconds_bucket{k=\"v\",le=\"+Inf\"} 4\n" +
            "d_seconds_sum{k=\"v\"} 4.25\n" +
            "d_seconds_count{k=\"v\"} 4\n",
            PrometheusText.Render([family]));
    }

    [Fact]
    public void FamiliesSortByNameAndSamplesByLabelValuesWithIntegersNumerically()
    {
        var b = new MetricFamily("b", "b", MetricType.Gauge,
        [
            new MetricSample([L("edge", "10")], 3),
            new MetricSample([L("edge", "2")], 2),
            new MetricSample([L("edge", "x")], 4),
        ]);
        var a = new MetricFamily("a_total", "a", MetricType.Counter, [new MetricSample([], 1)]);
        Assert.Equal(
            "# HELP a_total a\n# TYPE a_total counter\na_total 1\n" +
            "# HELP b b\n# TYPE b gauge\nb{edge=\"2\"} 2\nb{edge=\"10\"} 3\nb{edge=\"x\"} 4\n",
            PrometheusText.Render([b, a]));
    }

    [Fact]
    public void InvalidMetricOrLabelNamesAreRefused()
    {
        var badMetric = new MetricFamily("nas.steps", "x", MetricType.Gauge, []);
        var badLabel = new MetricFamily("ok", "x", MetricType.Gauge, [new MetricSample([L("cell-type", "n")], 1)]);
        Assert.Contains("nas.steps", Assert.Throws<ArgumentException>(() => PrometheusText.Render([badMetric])).Message);
        Assert.Contains("cell-type", Assert.Throws<ArgumentException>(() => PrometheusText.Render([badLabel])).Message);
    }
}
