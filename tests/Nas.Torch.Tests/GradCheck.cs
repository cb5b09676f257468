// Finite-difference gradient check in float64: analytic gradients from Backward against central differences.
using Nas.Torch;

namespace Nas.Torch.Tests;

internal static class GradCheck
{
    /// <summary>
    /// Checks d f(inputs) / d inputs[i] for every element of every input. f must return a scalar and own its
    /// temporaries through the scope it is given. Step 1e-6; tolerance |analytic - numeric| &lt;= 1e-6 + 1e-5 |numeric|.
    /// </summary>
    public static void Check(Func<TensorScope, Tensor[], Tensor> f, params double[][] values) => Check(f, values.Select(v => (v, new long[] { v.Length })).ToArray());

    public static void Check(Func<TensorScope, Tensor[], Tensor> f, params (double[] Data, long[] Shape)[] inputs)
    {
        const double step = 1e-6;
        var analytic = Analytic(f, inputs);
        for (var i = 0; i < inputs.Length; i++)
        {
            var data = inputs[i].Data;
            for (var k = 0; k < data.Length; k++)
            {
                var keep = data[k];
                data[k] = keep + step;
                var plus = Evaluate(f, inputs);
                data[k] = keep - step;
                var minus = Evaluate(f, inputs);
                data[k] = keep;
                var numeric = (plus - minus) / (2 * step);
                var a = analytic[i][k];
                Assert.True(Math.Abs(a - numeric) <= 1e-6 + 1e-5 * Math.Abs(numeric),
                    $"input {i} element {k}: analytic {a:R}, numeric {numeric:R}");
            }
        }
    }

    private static double[][] Analytic(Func<TensorScope, Tensor[], Tensor> f, (double[] Data, long[] Shape)[] inputs)
    {
        using var scope = new TensorScope();
        var ts = inputs.Select(x => scope.Own(Tensor.FromSpan(x.Data, x.Shape)).SetRequiresGrad()).ToArray();
        f(scope, ts).Backward();
        return ts.Select(t =>
        {
            using var g = t.Grad ?? throw new InvalidOperationException("an input got no gradient");
            return g.ToDoubleArray();
        }).ToArray();
    }

    private static double Evaluate(Func<TensorScope, Tensor[], Tensor> f, (double[] Data, long[] Shape)[] inputs)
    {
        using var scope = new TensorScope();
        using var _ = NoGrad.Enter();
        var ts = inputs.Select(x => scope.Own(Tensor.FromSpan(x.Data, x.Shape))).ToArray();
        return f(scope, ts).Item();
    }

    /// <summary>Deterministic pseudo-random values in [-1, 1) for test inputs (a fixed-seed System.Random).</summary>
    public static double[] Values(int count, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
    }
}
