// The families /metrics exposes (name, type, help, label names) are those the hand-written exposition served before prometheus-net.
using System.Text.RegularExpressions;

namespace Nas.App.Tests.Metrics;

public sealed partial class MetricFamiliesTests
{
    /// <summary>A family as a scraper sees it: "name type labels... | help".</summary>
    internal static SortedSet<string> Families(string exposition)
    {
        var help = new Dictionary<string, string>();
        var type = new Dictionary<string, string>();
        var labels = new Dictionary<string, SortedSet<string>>();
        foreach (var line in exposition.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal)) { var p = line[7..].Split(' ', 2); help[p[0]] = p[1]; continue; }
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal)) { var p = line[7..].Split(' ', 2); type[p[0]] = p[1]; continue; }
            var sample = Sample().Match(line);
            Assert.True(sample.Success, $"not a sample line: {line}");
            var name = sample.Groups["name"].Value;
            var family = type.ContainsKey(name) ? name : HistogramSuffix().Replace(name, "");
            var set = labels.TryGetValue(family, out var s) ? s : labels[family] = [];
            foreach (Match label in LabelName().Matches(sample.Groups["labels"].Value))
                if (label.Groups[1].Value != "le") set.Add(label.Groups[1].Value);
        }
        return new SortedSet<string>(type.Keys.Select(name =>
            $"{name} {type[name]} [{string.Join(",", labels.GetValueOrDefault(name) ?? [])}] | {help.GetValueOrDefault(name)}"), StringComparer.Ordinal);
    }

    private static string Fixture(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    [Fact]
    public void ThePopulatedExpositionHasExactlyTheFamiliesOfTheHandWrittenOne()
    {
        var before = Families(Fixture("metrics-before-populated.txt"));
        Assert.Equal(23, before.Count);
        Assert.Equal(string.Join("\n", before), string.Join("\n", Families(PromtoolTests.PopulatedExposition())));
    }

    [Fact]
    public void EveryMetricTheGrafanaDashboardQueriesIsExposed()
    {
        var exposed = Families(PromtoolTests.PopulatedExposition()).Select(f => f.Split(' ')[0]).ToHashSet();
        var dashboard = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "grafana-dashboard.json"));
        var queried = QueriedName().Matches(dashboard).Select(m => HistogramSuffix().Replace(m.Value, "")).ToHashSet();
        Assert.True(queried.Count >= 10, $"only {queried.Count} metric names found in the dashboard's queries");
        Assert.Equal("", string.Join(", ", queried.Where(name => !exposed.Contains(name)))); // names the dashboard queries but /metrics lacks
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Nas.sln"))) return dir.FullName;
        throw new InvalidOperationException("Nas.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"\b(nas|process)_[a-z_]+")]
    private static partial Regex QueriedName();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? \S+$")]
    private static partial Regex Sample();

    [GeneratedRegex(@"_(bucket|sum|count)$")]
    private static partial Regex HistogramSuffix();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""")]
    private static partial Regex LabelName();
}
