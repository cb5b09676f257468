// Benchmark "snapshot-world": write and read throughput and peak memory of a real search world (e.g. a DARTS-sized snapshot).
using System.Diagnostics;
using System.Globalization;
using Nas.Systems.Methods;
using Nas.Systems.Search;
using Nas.World.Snapshots;

namespace Nas.Bench;

public static class SnapshotWorld
{
    public const string What = "write/read MB/s and peak RSS of the world in a snapshot FILE (--file F [--runs 5] [--dir DIR])";

    public static int Run(string[] args)
    {
        string file = Option(args, "--file") ?? throw new ArgumentException("snapshot-world needs --file SNAPSHOT");
        int runs = Option(args, "--runs") is { } r ? int.Parse(r, CultureInfo.InvariantCulture) : 5;
        string folder = Option(args, "--dir") ?? Path.GetTempPath();
        string copy = Path.Combine(folder, $"nas-snapshot-world-{Environment.ProcessId}.msgpack");
        var loaded = SearchSnapshot.Read(file);
        using var world = loaded.Body;
        long bytes = new FileInfo(file).Length;
        var write = new List<double>();
        var read = new List<double>();
        var writePeak = new List<double>();
        var readPeak = new List<double>();
        try
        {
            for (int run = 0; run <= runs; run++) // run 0 warms up
            {
                var (seconds, peak) = Measure(() => WorldSnapshot.Write(copy, world, loaded.Header.Step));
                if (run > 0) { write.Add(seconds); writePeak.Add(peak); }
                (seconds, peak) = Measure(() => SearchSnapshot.Read(copy).Body.Dispose());
                if (run > 0) { read.Add(seconds); readPeak.Add(peak); }
            }
        }
        finally
        {
            File.Delete(copy);
        }
        double mb = bytes / 1e6;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"snapshot-world: {file} ({mb:F1} MB, {world.Tensors.All().Count} tensors, {world.Count} entities), {runs} runs after 1 warm-up"));
        Console.WriteLine($"{"what",-16} {"median s",9} {"MB/s",8} {"peak RSS rise MB (median)",26}");
        Print("write", write, writePeak, mb);
        Print("read", read, readPeak, mb);
        return 0;
    }

    /// <summary>Wall time of <paramref name="action"/> and how far the process's peak RSS rose above its RSS before it (MB).</summary>
    private static (double Seconds, double PeakRiseMb) Measure(Action action)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        File.WriteAllText("/proc/self/clear_refs", "5"); // resets VmHWM to the current RSS (Linux)
        long before = Kb("VmRSS:");
        var clock = Stopwatch.StartNew();
        action();
        double seconds = clock.Elapsed.TotalSeconds;
        return (seconds, (Kb("VmHWM:") - before) / 1024.0);
    }

    private static long Kb(string field) =>
        long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith(field, StringComparison.Ordinal))[field.Length..].Trim().Split(' ')[0],
            CultureInfo.InvariantCulture);

    private static void Print(string what, List<double> seconds, List<double> peaks, double mb) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what,-16} {Median(seconds),9:F3} {mb / Median(seconds),8:F0} {Median(peaks),26:F1}"));

    internal static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    internal static string? Option(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
