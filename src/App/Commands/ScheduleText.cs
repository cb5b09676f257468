// The text `nas info --schedule` prints: phases in order, each system with when it runs and what it reads and writes.
using System.Text;
using Nas.World;

namespace Nas.App.Commands;

public static class ScheduleText
{
    /// <summary>One line per system under its phase: name, [condition], what it reads (only) and what it writes.</summary>
    public static string Format(Schedule schedule)
    {
        var sb = new StringBuilder();
        var width = schedule.Entries.Select(e => e.System.Name.Length).DefaultIfEmpty(0).Max();
        foreach (var phase in schedule.Phases)
        {
            var entries = schedule.Entries.Where(e => e.Phase == phase).ToList();
            if (entries.Count == 0) continue;
            sb.Append(phase).Append('\n');
            foreach (var e in entries)
            {
                var parts = new List<string>();
                var when = new List<string>();
                if (e.Every > 1) when.Add($"every {e.Every} steps" + (e.Offset > 0 ? $" at offset {e.Offset}" : ""));
                if (e.When is { } c) when.Add(c.Text);
                if (when.Count > 0) parts.Add($"[{string.Join(", ", when)}]");
                var a = e.System.Access;
                var reads = Names(a.Reads.Where(t => !a.Writes.Contains(t)));
                if (reads.Length > 0) parts.Add("reads " + reads);
                var writes = Names(a.Writes) + (a.CreatesEntities ? " +creates entities" : "") + (a.DestroysEntities ? " +destroys entities" : "");
                if (writes.Length > 0) parts.Add("writes " + writes.TrimStart());
                sb.Append("  ").Append(e.System.Name.PadRight(width)).Append("  ").Append(string.Join("; ", parts)).Append('\n');
            }
        }
        return sb.ToString();
    }

    private static string Names(IEnumerable<Type> types) => string.Join(", ", types.Select(t => t.Name).Order(StringComparer.Ordinal));
}
