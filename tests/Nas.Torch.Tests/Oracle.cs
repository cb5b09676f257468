// Reads the PyTorch-computed fixtures (tests/oracles/make_fixtures.py -> Fixtures/ops.json) and compares tensors with a stated tolerance.
using System.Text.Json;
using Nas.Torch;

namespace Nas.Torch.Tests;

internal sealed class OracleCase(JsonElement element)
{
    private static readonly Lazy<JsonElement> Cases = new(() =>
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "ops.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("cases").Clone();
    });

    public static OracleCase Load(string name) => new(Cases.Value.GetProperty(name));

    public Tensor Input(string name) => Decode(element.GetProperty("inputs").GetProperty(name));

    public Tensor Output(string name) => Decode(element.GetProperty("outputs").GetProperty(name));

    public int Int(string name) => element.GetProperty("params").GetProperty(name).GetInt32();

    public double Double(string name) => element.GetProperty("params").GetProperty(name).GetDouble();

    public bool Bool(string name) => element.GetProperty("params").GetProperty(name).GetBoolean();

    private static Tensor Decode(JsonElement e)
    {
        var shape = e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray();
        var data = e.GetProperty("data");
        return e.GetProperty("dtype").GetString() switch
        {
            "float32" => Tensor.FromSpan(data.EnumerateArray().Select(x => (float)x.GetDouble()).ToArray(), shape),
            "float64" => Tensor.FromSpan(data.EnumerateArray().Select(x => x.GetDouble()).ToArray(), shape),
            "int64" => Tensor.FromSpan(data.EnumerateArray().Select(x => x.GetInt64()).ToArray(), shape),
            var d => throw new InvalidDataException($"fixture dtype {d} is not supported"),
        };
    }
}

internal static class Approx
{
    /// <summary>Asserts equal shapes and |actual - expected| &lt;= abs + rel * |expected| element-wise (compared in float64).</summary>
    public static void Equal(Tensor expected, Tensor actual, double abs = 1e-5, double rel = 1e-5)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        using var e64 = expected.To(DType.Float64);
        using var a64 = actual.To(DType.Float64);
        var e = e64.ToDoubleArray();
        var a = a64.ToDoubleArray();
        for (var i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(a[i] - e[i]) <= abs + rel * Math.Abs(e[i]), $"element {i}: expected {e[i]:R}, got {a[i]:R} (abs {abs}, rel {rel})");
    }
}

/// <summary>Runs a test body with libtorch's intra-op thread count set, restoring it after (native kernels split work by threads).</summary>
internal static class Threads
{
    public static void With(int threads, Action body)
    {
        var before = Torch.Threads;
        Torch.Threads = threads;
        try
        {
            body();
        }
        finally
        {
            Torch.Threads = before;
        }
    }
}
