// libtorch's operator profiler around a piece of work, and its trace summed per op (self time: minus nested ops).
using System.Text.Json;

namespace Nas.Torch;

/// <summary>One op name's share of a recorded trace: calls, and self time (its own time minus the ops nested in it).</summary>
public sealed record OpTime(string Name, int Calls, double SelfSeconds);

public static class OpProfile
{
    /// <summary>
    /// Records every libtorch op (forward ops and autograd backward nodes) until the result is disposed, then writes a
    /// Chrome trace to <paramref name="path"/>. One recording at a time per process.
    /// </summary>
    public static IDisposable Record(string path)
    {
        Native.Check(Native.nt_op_profile_start(path));
        return new Stop();
    }

    private sealed class Stop : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            Native.Check(Native.nt_op_profile_stop());
        }
    }

    /// <summary>
    /// Sums a trace written by <see cref="Record"/> per op name, largest self time first. Events nest per thread; an event's
    /// self time is its duration minus that of the events directly inside it.
    /// </summary>
    public static IReadOnlyList<OpTime> Summarize(string path)
    {
        List<(string Name, long Tid, double Start, double Dur)> events;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            events = doc.RootElement.EnumerateArray()
                .Where(e => e.TryGetProperty("ph", out var ph) && ph.GetString() == "X")
                .Select(e => (e.GetProperty("name").GetString() ?? "?", Tid(e), e.GetProperty("ts").GetDouble(), e.GetProperty("dur").GetDouble()))
                .ToList();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new InvalidDataException($"op profile {path}: not a Chrome trace of complete events: {e.Message}", e);
        }
        var self = new Dictionary<string, (int Calls, double Us)>();
        foreach (var thread in events.GroupBy(e => e.Tid))
        {
            var stack = new List<(string Name, double End, double Dur, double Children)>();
            void Pop()
            {
                var top = stack[^1];
                stack.RemoveAt(stack.Count - 1);
                var (calls, us) = self.GetValueOrDefault(top.Name);
                self[top.Name] = (calls + 1, us + Math.Max(0, top.Dur - top.Children));
            }
            foreach (var e in thread.OrderBy(e => e.Start).ThenByDescending(e => e.Dur))
            {
                while (stack.Count > 0 && stack[^1].End <= e.Start) Pop();
                if (stack.Count > 0) stack[^1] = stack[^1] with { Children = stack[^1].Children + e.Dur };
                stack.Add((e.Name, e.Start + e.Dur, e.Dur, 0));
            }
            while (stack.Count > 0) Pop();
        }
        return self.Select(kv => new OpTime(kv.Key, kv.Value.Calls, kv.Value.Us / 1e6)).OrderByDescending(o => o.SelfSeconds).ToList();
    }

    private static long Tid(JsonElement e) =>
        e.TryGetProperty("tid", out var t) ? t.ValueKind == JsonValueKind.Number ? t.GetInt64() : t.GetString()?.GetHashCode() ?? 0 : 0;
}
