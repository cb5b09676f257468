// `nas bench`: times the real search step of a method on synthetic images (no data loading in the timing); --compare, --profile.
using Nas.Components;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Nas.App.Config;
using Nas.Torch;
using Nas.Systems.Data;
using Nas.Systems.Methods;
using Nas.Systems.Search;
using Nas.Systems.Spaces.Darts;
using Nas.World;

namespace Nas.App.Commands;

public static class BenchCommand
{
    private static readonly Option<string> Method = new("--method") { Description = "method preset: " + string.Join(", ", SearchConfig.Methods), DefaultValueFactory = _ => "darts" };
    private static readonly Option<int?> Layers = new("--layers") { Description = "cells in the supernet (default: the preset's)" };
    private static readonly Option<int?> Channels = new("--channels") { Description = "initial channels C" };
    private static readonly Option<int?> Batch = new("--batch") { Description = "batch size (default: the preset's)" };
    private static readonly Option<string> Input = new("--input") { Description = "image shape CxHxW", DefaultValueFactory = _ => "3x32x32" };
    private static readonly Option<int> Steps = new("--steps") { Description = "timed steps", DefaultValueFactory = _ => 10 };
    private static readonly Option<int> Warmup = new("--warmup") { Description = "untimed steps first", DefaultValueFactory = _ => 2 };
    private static readonly Option<int?> Threads = new("--threads") { Description = "libtorch intra-op threads (default: cores)" };
    private static readonly Option<string?> Forward = new("--forward")
    {
        Description = "the kernel set: batched (fast) | reference (default: the preset's: batched for the differentiable methods, reference for the one-shot ones)",
    };
    private static readonly Option<bool> Json = new("--json") { Description = "print one JSON line" };
    private static readonly Option<bool> Compare = new("--compare") { Description = "run the batched and reference forwards alternately, print both and their ratio" };
    private static readonly Option<bool> Profile = new("--profile") { Description = "print where a step's time goes per primitive, and the framework's own share" };
    private static readonly Option<string?> Trace = new("--trace")
    {
        Description = "keep libtorch's op trace of the profiled step at this path (Chrome trace JSON, for Perfetto or chrome://tracing; each op nested in its autograd node); implies --profile",
    };

    public static Command Create()
    {
        var command = new Command("bench", "time search steps of a method on synthetic images");
        foreach (var o in new Option[] { Method, Layers, Channels, Batch, Input, Steps, Warmup, Threads, Forward, Json, Compare, Profile, Trace })
            command.Options.Add(o);
        command.SetAction(Run);
        return command;
    }

    private static int Run(ParseResult r)
    {
        SearchConfig config;
        (int C, int H, int W) shape;
        try
        {
            shape = ParseShape(r.GetValue(Input)!);
            var preset = Presets.For(r.GetValue(Method)!);
            var mode = r.GetValue(Forward) switch
            {
                null => OneShotMethod.IsOneShot(preset.Method) ? preset.OneShotForward : preset.Forward,
                "batched" => ForwardMode.Batched,
                "reference" => ForwardMode.Reference,
                var f => throw new ConfigException($"--forward {f}: expected batched or reference"),
            };
            // Warm-up epochs freeze alpha (PC-DARTS); a bench step always includes the architecture step.
            config = preset with
            {
                Layers = r.GetValue(Layers) ?? preset.Layers, Channels = r.GetValue(Channels) ?? preset.Channels,
                Batch = r.GetValue(Batch) ?? preset.Batch, Threads = r.GetValue(Threads) ?? Environment.ProcessorCount,
                Dataset = "synthetic", Epochs = 1000, WarmupEpochs = 0, Forward = mode, OneShotForward = mode,
            };
            var problems = Presets.Problems(config);
            if (config.Threads > InputChecks.MaxThreads) problems.Add($"--threads {config.Threads}: at most {InputChecks.MaxThreads} on this machine");
            if (r.GetValue(Steps) < 1) problems.Add($"steps must be at least 1, got {r.GetValue(Steps)}");
            if (r.GetValue(Warmup) < 0) problems.Add($"warmup must not be negative, got {r.GetValue(Warmup)}");
            if (r.GetValue(Trace) is { } tracePath)
            {
                var dir = Path.GetDirectoryName(Path.GetFullPath(tracePath));
                if (string.IsNullOrEmpty(Path.GetFileName(tracePath))) problems.Add($"--trace {tracePath}: not a file name");
                else if (dir is not null && !Directory.Exists(dir)) problems.Add($"--trace {tracePath}: the directory {dir} does not exist");
            }
            if (problems.Count > 0) throw new ConfigException("the configuration cannot run: " + string.Join("; ", problems));
        }
        catch (Exception e) when (e is ConfigException or ArgumentException or NotSupportedException)
        {
            Console.Error.WriteLine($"nas bench: {e.Message}");
            return 2;
        }
        Nas.Torch.Torch.Threads = config.Threads;
        var load = LoadAverage();
        // Two batches per step for bilevel methods (weights and architecture halves), a few steps per epoch.
        var data = Synthetic.LoadTrain(new SyntheticSpec(shape.C, shape.H, shape.W, TrainCount: config.Batch * 8, TestCount: 1));
        var modes = r.GetValue(Compare)
            ? new[] { ForwardMode.Batched, ForwardMode.Reference }
            : new[] { config.Forward };
        var trace = r.GetValue(Trace);
        var profiling = r.GetValue(Profile) || trace is not null;
        var runs = new List<BenchRun>();
        (double Seconds, IReadOnlyList<OpTime> Ops)? ops = null;
        try
        {
            foreach (var m in modes) runs.Add(BenchRun.Start(config with { Forward = m, OneShotForward = m }, data, profiling));
            for (var i = 0; i < r.GetValue(Warmup); i++)
                foreach (var run in runs) run.Step(timed: false);
            // One untimed step under libtorch's op profiler (before the timed steps, whose per-primitive profile starts afresh).
            if (profiling) ops = OpProfiledStep(runs[0], trace);
            for (var i = 0; i < r.GetValue(Steps); i++)
                foreach (var run in runs) run.Step(timed: true);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            Console.Error.WriteLine($"nas bench: {e.Message}");
            return 2;
        }
        finally
        {
            foreach (var run in runs) run.Dispose();
        }
        var loadAfter = LoadAverage();
        if (r.GetValue(Json)) Console.WriteLine(JsonLine(config, shape, r.GetValue(Steps), runs, load, loadAfter));
        else PrintText(config, shape, r.GetValue(Steps), runs, load, loadAfter);
        if (profiling) foreach (var run in runs) BenchReport.PrintProfile(run);
        if (ops is { } o) BenchReport.PrintOps(runs[0].Mode, o.Seconds, o.Ops);
        return 0;
    }

    /// <summary>One step under libtorch's op profiler; its trace is kept at <paramref name="keep"/> when given, else a deleted temp file.</summary>
    private static (double Seconds, IReadOnlyList<OpTime> Ops) OpProfiledStep(BenchRun run, string? keep)
    {
        var trace = keep ?? Path.Combine(Path.GetTempPath(), $"nas-op-profile-{Environment.ProcessId}.json");
        try
        {
            var t = Stopwatch.GetTimestamp();
            using (OpProfile.Record(trace)) run.Step(timed: false);
            var seconds = Stopwatch.GetElapsedTime(t).TotalSeconds;
            return (seconds, OpProfile.Summarize(trace));
        }
        finally
        {
            if (keep is null) File.Delete(trace);
        }
    }

    private static (int C, int H, int W) ParseShape(string text)
    {
        var parts = text.Split('x');
        if (parts.Length == 3 && parts.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0))
            return (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture));
        throw new ConfigException($"--input {text}: expected CxHxW with positive integers, e.g. 3x32x32");
    }

    private static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "?"; }
    }

    private static string JsonLine(SearchConfig c, (int C, int H, int W) s, int steps, List<BenchRun> runs, string load, string loadAfter)
    {
        var main = runs[0];
        var o = new Dictionary<string, object?>
        {
            ["method"] = c.Method, ["forward"] = main.Mode.ToString().ToLowerInvariant(), ["layers"] = c.Layers, ["channels"] = c.Channels,
            ["batch"] = c.Batch, ["input"] = $"{s.C}x{s.H}x{s.W}", ["threads"] = c.Threads, ["partial_channels"] = c.PartialChannels,
            ["steps"] = steps, ["s_per_step_median"] = Round(main.Median), ["s_per_step_min"] = Round(main.Min),
            ["peak_rss_mb"] = Math.Round(main.PeakRssMb, 1), ["feed_s_median"] = Round(main.FeedMedian),
            ["cpu_s_per_step_median"] = Round(main.CpuMedian),
            ["load_before"] = load, ["load_after"] = loadAfter,
        };
        if (runs.Count > 1)
        {
            var reference = runs[1];
            o["reference_s_per_step_median"] = Round(reference.Median);
            o["reference_s_per_step_min"] = Round(reference.Min);
            o["reference_peak_rss_mb"] = Math.Round(reference.PeakRssMb, 1);
            o["reference_cpu_s_per_step_median"] = Round(reference.CpuMedian);
            o["speedup_median"] = Math.Round(reference.Median / main.Median, 3);
            o["speedup_min"] = Math.Round(reference.Min / main.Min, 3);
        }
        return JsonSerializer.Serialize(o);
    }

    private static double Round(double seconds) => Math.Round(seconds, 4);

    private static void PrintText(SearchConfig c, (int C, int H, int W) s, int steps, List<BenchRun> runs, string load, string loadAfter)
    {
        Console.WriteLine($"{c.Method}: {c.Layers} cells, C={c.Channels}, batch {c.Batch}, input {s.C}x{s.H}x{s.W}, {c.Threads} threads, {steps} timed steps (load {load} -> {loadAfter})");
        foreach (var run in runs)
            Console.WriteLine($"  {run.Mode,-9} median {run.Median:0.000} s/step  min {run.Min:0.000} s/step  cpu {run.CpuMedian:0.000} s/step  peak RSS {run.PeakRssMb:0} MB  (batch feeding, not timed: {run.FeedMedian * 1000:0.0} ms)");
        if (runs.Count > 1)
            Console.WriteLine($"  reference / batched: {runs[1].Median / runs[0].Median:0.00}x (median), {runs[1].Min / runs[0].Min:0.00}x (min)");
    }
}

/// <summary>A system wrapped to record the wall time of its own Run, so the schedule's overhead is what remains of a step.</summary>
internal sealed class TimedSystem(ISystem inner) : ISystem
{
    public ISystem Inner { get; } = inner;
    public string Name => Inner.Name;
    public Access Access => Inner.Access;
    public long LastTicks { get; private set; }

    public void Run(World.World world, in SystemContext ctx)
    {
        var t = Stopwatch.GetTimestamp();
        Inner.Run(world, ctx);
        LastTicks = Stopwatch.GetTimestamp() - t;
    }
}
