// "native-call": the cost of crossing into the shim against the cost of the ops it runs, small and DARTS-sized.
using System.Diagnostics;
using Nas.Torch;
using TorchSettings = Nas.Torch.Torch; // inside namespace Nas.*, "Torch" alone names the Nas.Torch namespace

namespace Nas.Bench;

public static class NativeCallBench
{
    public const string What = "cost of one native call vs the op it runs (medians, Torch.Threads = 2)";

    private sealed record Row(string Case, string Shape, double MedianUs, double MinUs, int Calls);

    public static int Run(string[] args)
    {
        TorchSettings.Threads = 2;
        Console.WriteLine($"libtorch {TorchSettings.Version}, threads {TorchSettings.Threads}, .NET {Environment.Version}");
        using var g = new Generator(0);
        using var one = Tensor.Ones([1]);
        using var oneB = Tensor.Ones([1]);
        using var x = Tensor.Randn([64, 16, 32, 32], g);
        using var y = Tensor.Randn([64, 16, 32, 32], g);
        using var xCl = x.ToChannelsLast();
        using var dw = Tensor.Randn([16, 1, 3, 3], g);
        using var pw = Tensor.Randn([16, 16, 1, 1], g);
        using var dwCl = dw.ToChannelsLast();
        using var pwCl = pw.ToChannelsLast();
        const string darts = "64x16x32x32";

        var rows = new List<Row>
        {
            Measure("shim no-op, no arguments", "-", 100_000, () => Native.nt_noop()),
            Measure("shim no-op, one tensor handle", "-", 100_000, () => Native.nt_noop_tensor(one.Handle)),
            Measure("Numel (query, no allocation)", "1", 100_000, () => _ = one.Numel),
            Measure("relu + dispose", "1", 50_000, () => one.Relu().Dispose()),
            Measure("add + dispose", "1", 50_000, () => one.Add(oneB).Dispose()),
            Measure("a * 2.0 (operator) + dispose", "1", 50_000, () => (one * 2.0).Dispose()),
            Measure("relu", darts, 20, () => x.Relu().Dispose()),
            Measure("add", darts, 20, () => x.Add(y).Dispose()),
            Measure("batch_norm (train, no affine)", darts, 20, () => x.BatchNorm(null, null, null, null, training: true).Dispose()),
            Measure("sep conv 3x3 (relu, dw 3x3, pw 1x1), NCHW", darts, 10, () => SepConv(x, dw, pw)),
            Measure("sep conv 3x3 (relu, dw 3x3, pw 1x1), channels-last", darts, 10, () => SepConv(xCl, dwCl, pwCl)),
        };

        Console.WriteLine();
        Console.WriteLine("| case | shape | median µs/call | min µs/call |");
        Console.WriteLine("|---|---|---:|---:|");
        foreach (var r in rows)
            Console.WriteLine($"| {r.Case} | {r.Shape} | {Format(r.MedianUs)} | {Format(r.MinUs)} |");

        var call = rows[1].MedianUs;
        Console.WriteLine();
        Console.WriteLine($"binding overhead (one handle crossing, {Format(call)} µs) as a share of each DARTS-sized op:");
        foreach (var r in rows.Where(r => r.Shape == darts))
        {
            var calls = r.Case.StartsWith("sep conv", StringComparison.Ordinal) ? 3 : 1;
            Console.WriteLine($"  {r.Case}: {calls} call(s), {100 * calls * call / r.MedianUs:0.0000} %");
        }
        return 0;
    }

    private static void SepConv(Tensor x, Tensor dw, Tensor pw)
    {
        using var h = x.Relu();
        using var d = h.Conv2d(dw, null, padding: 1, groups: 16);
        d.Conv2d(pw).Dispose();
    }

    private static string Format(double us) => us < 10 ? us.ToString("0.000") : us.ToString("0.0");

    /// <summary>Times batches of <paramref name="perBatch"/> calls (after a warm-up) and reports the median and minimum per call.</summary>
    private static Row Measure(string name, string shape, int perBatch, Action op)
    {
        const int batches = 21;
        for (var i = 0; i < Math.Max(3, perBatch / 10); i++) op();
        var perCall = new double[batches];
        for (var b = 0; b < batches; b++)
        {
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < perBatch; i++) op();
            perCall[b] = sw.Elapsed.TotalMicroseconds / perBatch;
        }
        Array.Sort(perCall);
        return new Row(name, shape, perCall[batches / 2], perCall[0], perBatch * batches);
    }
}
