// Test support: random cases for the optimizer tests, PyTorch run on them (tests/oracles/optim_oracle.py), and the comparison.
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nas.Torch;

namespace Nas.Torch.Tests;

/// <summary>A float32 tensor's values as plain data: what goes to Python and back.</summary>
internal sealed record TensorData(long[] Shape, float[] Data)
{
    public Tensor ToTensor() => Tensor.FromSpan(Data, Shape);

    public JsonObject ToJson() => new()
    {
        ["shape"] = new JsonArray(Shape.Select(s => (JsonNode)s).ToArray()),
        ["data"] = new JsonArray(Data.Select(v => (JsonNode)(double)v).ToArray()),
    };

    /// <summary>Uniform values in [-scale, scale) from a seeded generator.</summary>
    public static TensorData Random(Random rng, long[] shape, float scale = 1f)
    {
        long n = 1;
        foreach (var d in shape) n *= d;
        var data = new float[n];
        for (var i = 0; i < n; i++) data[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        return new TensorData(shape, data);
    }
}

internal static class OptimOracle
{
    /// <summary>Shapes of the parameters every optimizer case uses: a matrix, a vector, a 3-d tensor and one scalar-like entry.</summary>
    public static readonly long[][] Shapes = [[3, 4], [5], [2, 2, 3], [1]];

    public static TensorData[] RandomParams(Random rng) => Shapes.Select(s => TensorData.Random(rng, s)).ToArray();

    /// <summary>One list of gradients per step; entry [step][i] is null where <paramref name="missing"/>(step, i) says so.</summary>
    public static TensorData?[][] RandomGrads(Random rng, int steps, Func<int, int, bool>? missing = null) =>
        Enumerable.Range(0, steps)
            .Select(step => Shapes.Select((s, i) => missing?.Invoke(step, i) == true ? null : TensorData.Random(rng, s, 0.5f)).ToArray())
            .ToArray();

    public static JsonObject Case(string kind, JsonObject options, TensorData[] parameters, TensorData?[][] grads) => new()
    {
        ["kind"] = kind,
        ["options"] = options,
        ["params"] = new JsonArray(parameters.Select(p => (JsonNode)p.ToJson()).ToArray()),
        ["grads"] = new JsonArray(grads.Select(step => (JsonNode)new JsonArray(step.Select(g => (JsonNode?)g?.ToJson()).ToArray())).ToArray()),
    };

    /// <summary>Runs the oracle script with Debian's /usr/bin/python3 (the one with torch 1.13) on <paramref name="input"/>.</summary>
    public static JsonNode Run(JsonObject input)
    {
        var start = new ProcessStartInfo("/usr/bin/python3", [ScriptPath()])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start /usr/bin/python3");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        process.StandardInput.Write(input.ToJsonString());
        process.StandardInput.Close();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"optim_oracle.py failed ({process.ExitCode}): {stderr.Result}");
        return JsonNode.Parse(stdout.Result) ?? throw new InvalidOperationException("optim_oracle.py printed nothing");
    }

    public static float[] Floats(JsonNode? node) =>
        (node ?? throw new InvalidOperationException("oracle returned null where a tensor was expected"))
        .AsArray().Select(v => (float)v!.GetValue<double>()).ToArray();

    /// <summary>
    /// Asserts |actual - expected| &lt;= 1e-6 * |expected| + 1e-9 elementwise: 1e-6 relative in float32, with an
    /// absolute floor of 1e-9 for values that are (nearly) zero.
    /// </summary>
    public static void Close(float[] expected, float[] actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        for (var i = 0; i < expected.Length; i++)
        {
            var tol = 1e-6 * Math.Abs(expected[i]) + 1e-9;
            Assert.True(Math.Abs(actual[i] - expected[i]) <= tol, $"{what}[{i}]: {actual[i]:R} vs torch {expected[i]:R}");
        }
    }

    private static string ScriptPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "oracles", "optim_oracle.py");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("tests/oracles/optim_oracle.py not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>Tensors made from data that a test disposes together.</summary>
internal sealed class TensorList : IDisposable
{
    public readonly Tensor[] Items;

    public TensorList(IEnumerable<Tensor> items) => Items = items.ToArray();

    public static TensorList From(IEnumerable<TensorData> data) => new(data.Select(d => d.ToTensor()));

    public void Dispose()
    {
        foreach (var t in Items) t.Dispose();
    }
}
