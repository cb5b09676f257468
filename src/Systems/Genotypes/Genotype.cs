// A derived cell architecture in the DARTS form: two (op, input) pairs per intermediate node, for the normal and reduction cells.
using Nas.Components;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nas.Systems.Spaces.Darts;

namespace Nas.Systems.Genotypes;

/// <summary>One chosen input of a node: the op and the state index (0 = s0, 1 = s1, 2.. = intermediate nodes).</summary>
public readonly record struct GenotypeEdge(OpKind Op, int Input);

public sealed record Genotype(
    IReadOnlyList<GenotypeEdge> Normal, IReadOnlyList<int> NormalConcat,
    IReadOnlyList<GenotypeEdge> Reduce, IReadOnlyList<int> ReduceConcat)
{
    public int Nodes => Normal.Count / 2;

    /// <summary>The Python named-tuple literal the reference code prints and parses (§1.6), flat list form.</summary>
    public string ToDartsString()
    {
        var sb = new StringBuilder("Genotype(normal=");
        AppendPairs(sb, Normal);
        sb.Append(", normal_concat=").Append(Concat(NormalConcat)).Append(", reduce=");
        AppendPairs(sb, Reduce);
        sb.Append(", reduce_concat=").Append(Concat(ReduceConcat)).Append(')');
        return sb.ToString();
    }

    private static void AppendPairs(StringBuilder sb, IReadOnlyList<GenotypeEdge> edges)
    {
        sb.Append('[');
        for (var i = 0; i < edges.Count; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append("('").Append(edges[i].Op.Name()).Append("', ").Append(edges[i].Input).Append(')');
        }
        sb.Append(']');
    }

    private static string Concat(IReadOnlyList<int> concat)
    {
        var isRange = concat.Count > 0 && concat.Select((v, i) => v == concat[0] + i).All(b => b);
        return isRange ? $"range({concat[0]}, {concat[0] + concat.Count})" : "[" + string.Join(", ", concat) + "]";
    }

    /// <summary>genotype.json; with <paramref name="space"/> it records which network the lists are for (`nas train` reads it).</summary>
    public string ToJson(SearchSpace? space = null)
    {
        static JsonArray Pairs(IReadOnlyList<GenotypeEdge> edges) =>
            new(edges.Select(e => (JsonNode)new JsonArray(e.Op.Name(), e.Input)).ToArray());
        var root = new JsonObject();
        if (space is { } s) root["space"] = s.ToString().ToLowerInvariant();
        root["normal"] = Pairs(Normal);
        root["normal_concat"] = new JsonArray(NormalConcat.Select(c => (JsonNode)c).ToArray());
        root["reduce"] = Pairs(Reduce);
        root["reduce_concat"] = new JsonArray(ReduceConcat.Select(c => (JsonNode)c).ToArray());
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    public static Genotype FromJson(string json, string source = "genotype.json")
    {
        try
        {
            var root = JsonNode.Parse(json) ?? throw new FormatException("empty document");
            IReadOnlyList<GenotypeEdge> Pairs(string key) =>
                (root[key]?.AsArray() ?? throw new FormatException($"missing field '{key}'"))
                .Select(p => new GenotypeEdge(OpKinds.Parse(p![0]!.GetValue<string>()), p[1]!.GetValue<int>())).ToList();
            IReadOnlyList<int> Ints(string key) =>
                (root[key]?.AsArray() ?? throw new FormatException($"missing field '{key}'")).Select(v => v!.GetValue<int>()).ToList();
            return Validated(new Genotype(Pairs("normal"), Ints("normal_concat"), Pairs("reduce"), Ints("reduce_concat")));
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or NullReferenceException)
        {
            throw new FormatException($"{source}: {e.Message}", e);
        }
    }

    /// <summary>
    /// The space a genotype.json records (searches write "stacked" or "broad"), null when it records none (written before the key
    /// existed). A one-shot result's space (mobile, nb201) has no DARTS-form cells and is refused naming it.
    /// </summary>
    public static SearchSpace? SpaceOfJson(string json, string source = "genotype.json")
    {
        JsonNode? node;
        try { node = (JsonNode.Parse(json) ?? throw new FormatException("empty document"))["space"]; }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new FormatException($"{source}: {e.Message}", e);
        }
        if (node is null) return null;
        var value = node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : node.ToJsonString();
        return value switch
        {
            "stacked" => SearchSpace.Stacked,
            "broad" => SearchSpace.Broad,
            _ => throw new FormatException($"{source}: space '{value}' has no DARTS-form cells: an evaluation network is built for a genotype of the stacked or broad space"),
        };
    }

    /// <summary>Checks the shape rules every consumer relies on: two inputs per node, inputs from earlier states only.</summary>
    public static Genotype Validated(Genotype g)
    {
        foreach (var (name, edges, concat) in new[] { ("normal", g.Normal, g.NormalConcat), ("reduce", g.Reduce, g.ReduceConcat) })
        {
            if (edges.Count == 0 || edges.Count % 2 != 0)
                throw new FormatException($"{name}: expected two (op, input) pairs per node, found {edges.Count} pairs");
            for (var i = 0; i < edges.Count; i++)
                if (edges[i].Input < 0 || edges[i].Input >= 2 + i / 2)
                    throw new FormatException($"{name}: pair {i} takes input {edges[i].Input}, but node {i / 2} can only take inputs 0..{1 + i / 2}");
            var states = 2 + edges.Count / 2;
            foreach (var c in concat)
                if (c < 0 || c >= states) throw new FormatException($"{name}_concat: state {c} does not exist (0..{states - 1})");
        }
        return g;
    }
}
