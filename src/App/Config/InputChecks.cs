// Checks on a resolved configuration that need the machine (memory, cores, libtorch's devices) or the environment: run before any work starts.
using System.Globalization;
using Nas.Components;
using Nas.Systems.Data;
using Nas.Systems.Methods;

namespace Nas.App.Config;

public static class InputChecks
{
    /// <summary>The test hook that holds a run after the snapshot of one step (SearchCommand); checked at start, not at that step.</summary>
    public const string HoldVariable = "NAS_HOLD_AFTER_SNAPSHOT";

    /// <summary>Refuses <paramref name="value"/> below <paramref name="min"/>, naming its flag: "FLAG must be at least MIN, got VALUE".</summary>
    public static void AtLeast(string flag, long value, long min)
    {
        if (value < min) throw new ArgumentException($"{flag} must be at least {min}, got {value}");
    }

    /// <summary>The most libtorch threads a run may ask for: four per core, at least 64.</summary>
    public static int MaxThreads => Math.Max(64, 4 * Environment.ProcessorCount);

    /// <summary>Every reason <paramref name="c"/> cannot run on this machine, one line each naming the flag (or key) and value.</summary>
    public static List<string> Problems(SearchConfig c)
    {
        var p = new List<string>();
        if (c.Threads > MaxThreads)
            p.Add($"--threads {c.Threads}: at most {MaxThreads} on this machine ({Environment.ProcessorCount} cores)");
        if (DeviceProblem(c.Device) is { } device) p.Add(device);
        DatasetShape? shape = null;
        try { shape = DatasetShape.Of(DatasetSource.Parse(c.Dataset)); }
        catch (DatasetException e) { p.Add(e.Message); }
        if (shape is { } s)
        {
            if (s.Count is { } count && c.Subset > count)
                p.Add($"--subset {c.Subset}: {c.Dataset} has only {count:N0} training images");
            if (p.Count == 0 && c.Layers >= 1 && c.Channels >= 1 && c.Batch >= 1 && c.Nodes >= 2 && MemoryProblem(c, s) is { } memory) p.Add(memory);
        }
        return p;
    }

    /// <summary>Null when <paramref name="device"/> is one this build can run on; else why not.</summary>
    public static string? DeviceProblem(string device)
    {
        if (device == "cpu") return null;
        var cuda = device == "cuda" || (device.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(device.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out _));
        if (!cuda) return $"--device {device}: expected cpu, cuda or cuda:N";
        var count = Torch.Torch.CudaDeviceCount;
        return count == 0
            ? $"--device {device}: this libtorch ({Torch.Torch.Version}) is a CPU-only build with no CUDA device; use --device cpu"
            : $"--device {device}: this libtorch sees {count} CUDA device(s), but the search places its tensors on the CPU only; use --device cpu";
    }

    /// <summary>Null when the test hook's value is absent or a step number.</summary>
    public static string? EnvironmentProblem(Func<string, string?> environment) =>
        environment(HoldVariable) is { } hold && !(long.TryParse(hold, NumberStyles.None, CultureInfo.InvariantCulture, out var step) && step >= 0)
            ? $"${HoldVariable} = '{hold}': expected a step number (it holds the run after the snapshot of that step)"
            : null;

    /// <summary>
    /// A lower bound of the memory one step needs, against what the machine has available: the training images held in memory,
    /// and per image of a batch (float32) the input, the stem's output and, in the stacked space, every cell's node outputs. The
    /// real need is several times larger (every candidate op's output is kept for the backward pass), so a refusal is certain.
    /// </summary>
    public static string? MemoryProblem(SearchConfig c, DatasetShape s)
    {
        var available = AvailableBytes();
        double pixels = (double)s.Height * s.Width;
        double images = c.Subset > 0 ? c.Subset : s.Count ?? 0;
        double data = images * s.Channels * pixels;
        double perImage = s.Channels * pixels;
        if (!OneShotMethod.IsOneShot(c.Method))
        {
            perImage += 3.0 * c.Channels * pixels; // the stem: 3C channels at full size
            if (c.Space == SearchSpace.Stacked)
            {
                double channels = c.Channels, side = s.Height;
                for (var i = 0; i < c.Layers && 4.0 * c.Batch * perImage + data <= available; i++)
                {
                    var reduction = i == c.Layers / 3 || i == 2 * c.Layers / 3;
                    if (reduction) { channels *= 2; side = Math.Ceiling(side / 2); }
                    perImage += (double)c.Nodes * channels * side * side;
                }
            }
        }
        double bytes = 4.0 * c.Batch * perImage + data;
        if (bytes <= available) return null;
        return $"batch {c.Batch}, channels {c.Channels}, layers {c.Layers} on {s.Channels}x{s.Height}x{s.Width} images needs at least {Size(bytes)} " +
            $"(one step's activations and the data), but this machine has {Size(available)} available; lower --batch, --channels, --layers or --subset";
    }

    /// <summary>MemAvailable from /proc/meminfo, capped by the runtime's limit (a cgroup's); the runtime's limit alone elsewhere.</summary>
    public static double AvailableBytes()
    {
        double limit = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal)
                    && long.TryParse(line["MemAvailable:".Length..].Trim().Split(' ')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var kb))
                    return Math.Min(limit, kb * 1024.0);
        }
        catch (IOException) { }
        return limit;
    }

    public static string Size(double bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        var u = 0;
        while (bytes >= 1024 && u < units.Length - 1) { bytes /= 1024; u++; }
        return string.Create(CultureInfo.InvariantCulture, $"{bytes:0.#} {units[u]}");
    }
}

/// <summary>The image shape and training-set size of a data set, known without reading it (null count: read from the files).</summary>
public readonly record struct DatasetShape(int Channels, int Height, int Width, int? Count)
{
    public static DatasetShape Of(DatasetSource source) => source switch
    {
        SyntheticSource s => new(s.Spec.Channels, s.Spec.Height, s.Spec.Width, s.Spec.TrainCount),
        Cifar10Source => new(Cifar10.Channels, Cifar10.Side, Cifar10.Side, 50_000),
        FashionMnistSource f => new(1, 28, 28, f.Directory == FashionMnist.DefaultDirectory ? 60_000 : null),
        _ => throw new ArgumentException($"no shape for data set {source}"),
    };
}
