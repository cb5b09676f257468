// Tests of aggregation from System.Diagnostics.Metrics instruments into metric families.
using System.Diagnostics.Metrics;
using Nas.App.Metrics;

namespace Nas.App.Tests.Metrics;

public sealed class MeterCollectorTests
{
    [Fact]
    public void HistogramObservationsLandInTheFirstBucketWhoseBoundIsAtLeastTheValue()
    {
        using var meter = new Meter("test.histogram");
        var h = meter.CreateHistogram("h_seconds", "s", "h",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.125, 1] });
        using var collector = new MeterCollector(meter);
        foreach (var v in new[] { 0.0625, 0.125, 0.5, 3.0 }) h.Record(v);
        var text = PrometheusText.Render(collector.Collect());
        // le is inclusive: 0.125 counts in the 0.125 bucket. Values are binary fractions, so the sum is exact.
        Assert.Contains("h_seconds_bucket{le=\"0.125\"} 2\n", text);
        Assert.Contains("h_seconds_bucket{le=\"1\"} 3\n", text);
        Assert.Contains("h_seconds_bucket{le=\"+Inf\"} 4\n", text);
        Assert.Contains("h_seconds_sum 3.6875\n", text);
        Assert.Contains("h_seconds_count 4\n", text);
    }

    [Fact]
    public void CountersSumAndGaugesKeepTheLastValuePerLabelSet()
    {
        using var meter = new Meter("test.sum");
        var c = meter.CreateCounter<long>("c_total", description: "c");
        var g = meter.CreateGauge<double>("g", description: "g");
        using var collector = new MeterCollector(meter);
        c.Add(2); c.Add(3);
        g.Record(1, new KeyValuePair<string, object?>("k", "a"));
        g.Record(7, new KeyValuePair<string, object?>("k", "a"));
        g.Record(9, new KeyValuePair<string, object?>("k", "b"));
        var text = PrometheusText.Render(collector.Collect());
        Assert.Contains("c_total 5\n", text);
        Assert.Contains("g{k=\"a\"} 7\ng{k=\"b\"} 9\n", text);
    }

    [Fact]
    public void ACollectorIgnoresOtherMetersWithTheSameName()
    {
        using var mine = new Meter("same");
        using var other = new Meter("same");
        mine.CreateCounter<long>("mine_total", description: "m").Add(1);
        other.CreateCounter<long>("other_total", description: "o").Add(1);
        using var collector = new MeterCollector(mine);
        var names = collector.Collect().Select(f => f.Name).ToList();
        Assert.Equal(["mine_total"], names);
    }

    [Fact]
    public void CountersWithNoMeasurementShowZeroAndUnsetGaugesAreLeftOut()
    {
        using var meter = new Meter("test.zero");
        meter.CreateCounter<long>("z_total", description: "z");
        meter.CreateGauge<double>("unset", description: "u");
        using var collector = new MeterCollector(meter);
        var text = PrometheusText.Render(collector.Collect());
        Assert.Contains("z_total 0\n", text);
        Assert.DoesNotContain("unset", text);
    }

    [Fact]
    public void AReplacedAlphaTableDropsRowsThatAreGone()
    {
        using var metrics = new NasMetrics(() => 0);
        using var collector = new MeterCollector(metrics.Meter);
        metrics.SetAlphaProbabilities([new("normal", 0, "skip_connect", 0.6), new("normal", 0, "none", 0.4)]);
        Assert.Contains("op=\"none\"", PrometheusText.Render(collector.Collect()));
        metrics.SetAlphaProbabilities([new("normal", 0, "skip_connect", 1.0)]);
        var text = PrometheusText.Render(collector.Collect());
        Assert.DoesNotContain("op=\"none\"", text);
        Assert.Contains("nas_alpha_probability{cell_type=\"normal\",edge=\"0\",op=\"skip_connect\"} 1\n", text);
    }
}
