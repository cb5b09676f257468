// The parts of Nas.Systems (Data, Spaces, Search, OneShot, Methods, ...) use each other without a cycle, so each can be read, tested and changed from the bottom up.
using Nas.Systems.Methods;
using Nas.Systems.Search;

namespace Nas.Systems.Tests.Layering;

public sealed class NamespaceCycleTests
{
    [Fact]
    public void NoTwoPartsOfNasSystemsUseEachOther()
    {
        var graph = NamespaceGraph.Of(typeof(SearchSession).Assembly, "Nas.Systems");
        var cycles = graph.Cycles();
        Assert.True(cycles.Count == 0, "namespace cycles in Nas.Systems:\n" + string.Join("\n\n",
            cycles.Select(c => $"{string.Join(", ", c)}:\n  " + string.Join("\n  ", graph.Describe(c)))));
    }

    [Fact]
    public void TheCheckFindsACycleAndNamesItsUses()
    {
        var graph = new NamespaceGraph();
        graph.Add("Methods", "Search", "Methods.A uses Search.B");
        graph.Add("Search", "Spaces", "Search.B uses Spaces.C");
        graph.Add("Spaces", "Methods", "Spaces.C uses Methods.A");
        graph.Add("Data", "Spaces", "Data.D uses Spaces.C");
        var cycle = Assert.Single(graph.Cycles());
        Assert.Equal(["Methods", "Search", "Spaces"], cycle);
        Assert.Contains("Spaces -> Methods: Spaces.C uses Methods.A", graph.Describe(cycle));
    }

    [Fact]
    public void TheGraphSeesUsesInsideMethodBodies()
    {
        // DifferentiableMethod names Search's systems only inside Schedule's body (new FeedBatchesSystem()).
        var graph = NamespaceGraph.Of(typeof(SearchSession).Assembly, "Nas.Systems");
        Assert.Contains("Search", graph.Edges["Methods"].Keys);
    }
}
