// The text of every snapshot name, version and key a registry knows, so a test can hold it against a committed list.
using System.Reflection;
using System.Text;

namespace Nas.World.Snapshots;

public static class SnapshotSchema
{
    /// <summary>
    /// One block per named type, ordered by name: "resource nas.search.clock v1", then its keys as
    /// <see cref="ValueCodec.Layout"/> writes them, indented. A renamed key, a changed kind or a renumbered enum changes the text.
    /// </summary>
    public static string Describe(TypeRegistry types)
    {
        var codec = new ValueCodec();
        var text = new StringBuilder();
        foreach (var entry in types.Named())
        {
            var kind = entry.Type.GetCustomAttribute<ComponentAttribute>() is not null ? "component"
                : entry.Type.GetCustomAttribute<ResourceAttribute>() is not null ? "resource" : "type";
            text.Append(kind).Append(' ').Append(entry.Name).Append(" v").Append(entry.Version).Append('\n');
            foreach (var line in codec.Layout(entry.Type)) text.Append("  ").Append(line).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>
    /// The keys of <paramref name="expected"/> that <paramref name="actual"/> lacks ("- ") and the reverse ("+ "), each
    /// written as its whole path ("resource nas.data.positions v1 / Train / Seed: uint"); empty when the two agree.
    /// Lines starting with '#' are comments.
    /// </summary>
    public static IReadOnlyList<string> Differences(string expected, string actual)
    {
        var want = Paths(expected);
        var have = Paths(actual);
        var diff = new List<string>();
        diff.AddRange(want.Except(have).Select(l => "- " + l));
        diff.AddRange(have.Except(want).Select(l => "+ " + l));
        if (diff.Count == 0 && !want.SequenceEqual(have)) diff.Add("(the same keys in a different order)");
        return diff;
    }

    private static List<string> Paths(string text)
    {
        var paths = new List<string>();
        var parents = new List<string>();
        foreach (var line in text.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith('#')) continue; // a comment of the committed list
            var depth = (line.Length - line.TrimStart(' ').Length) / 2;
            var item = line.Trim();
            if (depth > parents.Count) throw new FormatException($"line '{line}' is indented deeper than its parent");
            parents.RemoveRange(depth, parents.Count - depth);
            paths.Add(string.Join(" / ", parents.Append(item)));
            parents.Add(depth == 0 ? item : item[..Math.Max(0, item.IndexOf(':'))]);
        }
        return paths;
    }
}
