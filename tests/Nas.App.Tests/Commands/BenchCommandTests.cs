// `nas bench` end to end in a child process (its own /proc/self for the peak-memory reading): the JSON line and the comparison.
using System.Diagnostics;
using System.Text.Json;

namespace Nas.App.Tests.Commands;

public sealed class BenchCommandTests
{
    private const string Tiny = "--layers 2 --batch 4 --input 3x8x8 --steps 2 --warmup 0 --threads 1";

    [Fact]
    public void BenchJsonPrintsStepTimesStepsAndPeakMemory()
    {
        var (code, stdout, stderr) = Nas($"bench --method darts {Tiny} --channels 4 --json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout.Trim());
        var o = doc.RootElement;
        Assert.Equal(2, o.GetProperty("steps").GetInt32());
        Assert.Equal("darts", o.GetProperty("method").GetString());
        var median = o.GetProperty("s_per_step_median").GetDouble();
        var min = o.GetProperty("s_per_step_min").GetDouble();
        Assert.True(min > 0 && min <= median, $"min {min}, median {median}");
        Assert.True(o.GetProperty("peak_rss_mb").GetDouble() > 10, "peak RSS should be read from /proc/self/status");
    }

    [Fact]
    public void BenchCompareReportsBothPathsAndTheirRatio()
    {
        var (code, stdout, stderr) = Nas($"bench --method pc-darts {Tiny} --channels 8 --compare --json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout.Trim());
        var o = doc.RootElement;
        var batched = o.GetProperty("s_per_step_median").GetDouble();
        var reference = o.GetProperty("reference_s_per_step_median").GetDouble();
        // The printed medians are rounded, so the ratio recomputed from them may differ in the last printed digit.
        Assert.Equal(reference / batched, o.GetProperty("speedup_median").GetDouble(), 0.01 * reference / batched);
    }

    [Fact]
    public void BenchProfilePrintsTheStepPerSystemAndPerLibtorchOpIncludingTheNativeBackwards()
    {
        var (code, stdout, stderr) = Nas($"bench --method darts {Tiny} --channels 4 --profile");
        Assert.True(code == 0, stderr);
        Assert.Contains("system weight-forward", stdout); // the step's systems by name (nas info --schedule)
        Assert.Contains("system sgd", stdout);
        Assert.Contains("libtorch ops, Batched forward, one extra step under libtorch's profiler", stdout);
        Assert.Contains("native Depthwise backward", stdout);
        Assert.Contains("aten::", stdout);
    }

    [Fact]
    public void BenchTraceKeepsTheOpTraceWithOpsNestedInTheirAutogradNodes()
    {
        var dir = Directory.CreateTempSubdirectory("nas-trace-");
        try
        {
            var path = Path.Combine(dir.FullName, "step.json");
            var (code, stdout, stderr) = Nas($"bench --method pc-darts {Tiny} --channels 8 --trace {path}");
            Assert.True(code == 0, stderr);
            Assert.Contains("libtorch ops, Batched forward", stdout); // --trace implies --profile
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var events = doc.RootElement.EnumerateArray().Where(e => e.GetProperty("ph").GetString() == "X").ToList();
            Assert.Contains(events, e => e.GetProperty("name").GetString() == "aten::add");
            // a backward node's event encloses the ops it ran
            var node = events.First(e => e.GetProperty("name").GetString()!.StartsWith("autograd::engine::evaluate_function", StringComparison.Ordinal));
            var (start, end) = (node.GetProperty("ts").GetDouble(), node.GetProperty("ts").GetDouble() + node.GetProperty("dur").GetDouble());
            Assert.Contains(events, e => e.GetProperty("name").GetString()!.StartsWith("aten::", StringComparison.Ordinal)
                && e.GetProperty("ts").GetDouble() >= start && e.GetProperty("ts").GetDouble() <= end);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void BenchTraceIntoAMissingDirectoryIsRefusedBeforeRunning()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"nas-no-such-dir-{Guid.NewGuid():N}", "t.json");
        var (code, _, stderr) = Nas($"bench --method darts {Tiny} --channels 4 --trace {missing}");
        Assert.Equal(2, code);
        Assert.Contains("--trace", stderr);
        Assert.Contains("does not exist", stderr);
    }

    /// <summary>A one-shot method runs its preset's kernel set (reference) unless --forward says otherwise, and --compare runs both.</summary>
    [Fact]
    public void BenchRunsAOneShotMethodOnItsPresetsKernelSetAndComparesBoth()
    {
        var (code, stdout, stderr) = Nas($"bench --method spos {Tiny} --channels 4 --json");
        Assert.True(code == 0, stderr);
        using (var doc = JsonDocument.Parse(stdout.Trim()))
            Assert.Equal("reference", doc.RootElement.GetProperty("forward").GetString());
        (code, stdout, stderr) = Nas($"bench --method spos {Tiny} --channels 4 --compare --json");
        Assert.True(code == 0, stderr);
        using (var doc = JsonDocument.Parse(stdout.Trim()))
        {
            Assert.Equal("batched", doc.RootElement.GetProperty("forward").GetString());
            Assert.True(doc.RootElement.GetProperty("reference_s_per_step_median").GetDouble() > 0);
        }
    }

    [Fact]
    public void BenchRefusesAMalformedInputShape()
    {
        var (code, _, stderr) = Nas("bench --method darts --input 3x32 --steps 1");
        Assert.Equal(2, code);
        Assert.Contains("--input 3x32", stderr);
    }

    private static (int Code, string Stdout, string Stderr) Nas(string args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "nas.dll");
        var psi = new ProcessStartInfo("dotnet", $"\"{dll}\" {args}") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output, err.Result);
    }
}
