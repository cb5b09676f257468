// Adam.Step against torch.optim.Adam (PyTorch 1.13 via /usr/bin/python3) on the same parameters and gradients.
using System.Text.Json.Nodes;
using Nas.Torch;

namespace Nas.Torch.Tests;

public sealed class OptimAdamTests
{
    private static JsonObject Options(AdamOptions o) => new()
    {
        ["lr"] = o.Lr, ["beta1"] = o.Beta1, ["beta2"] = o.Beta2, ["eps"] = o.Eps, ["weight_decay"] = o.WeightDecay,
    };

    // Six steps with one shared step counter; expected values from torch.optim.Adam; tolerance 1e-6 relative.
    private static void AssertMatchesTorch(AdamOptions o, int seed)
    {
        var rng = new Random(seed);
        var initial = OptimOracle.RandomParams(rng);
        var grads = OptimOracle.RandomGrads(rng, steps: 6);
        var expected = OptimOracle.Run(OptimOracle.Case("adam", Options(o), initial, grads));

        using var parameters = TensorList.From(initial);
        var (m, v) = Adam.NewState(parameters.Items);
        using var expAvg = new TensorList(m);
        using var expAvgSq = new TensorList(v);
        for (var step = 0; step < grads.Length; step++)
        {
            using var g = TensorList.From(grads[step]!);
            Adam.Step(parameters.Items, g.Items, expAvg.Items, expAvgSq.Items, step: step + 1, o);
        }

        for (var i = 0; i < initial.Length; i++)
        {
            OptimOracle.Close(OptimOracle.Floats(expected["params"]![i]), parameters.Items[i].ToFloatArray(), $"param {i}");
            OptimOracle.Close(OptimOracle.Floats(expected["exp_avg"]![i]), expAvg.Items[i].ToFloatArray(), $"exp_avg {i}");
            OptimOracle.Close(OptimOracle.Floats(expected["exp_avg_sq"]![i]), expAvgSq.Items[i].ToFloatArray(), $"exp_avg_sq {i}");
        }
    }

    [Fact]
    public void AdamWithDartsArchitectureSettingsMatchesTorchOverSixSteps() =>
        AssertMatchesTorch(new AdamOptions(Lr: 3e-4, Beta1: 0.5, Beta2: 0.999, WeightDecay: 1e-3), seed: 11);

    [Fact]
    public void AdamWithDefaultBetasMatchesTorchOverSixSteps() =>
        AssertMatchesTorch(new AdamOptions(Lr: 1e-2), seed: 12);

    // Parameter 0 has no grad on step 0, parameter 2 none on steps 1 and 2: torch skips them and counts
    // steps per parameter, which the per-parameter overload reproduces.
    [Fact]
    public void AdamSkipsParametersWithoutGradsAndCountsStepsPerParameterAsTorchDoes()
    {
        var o = new AdamOptions(Lr: 1e-2, Beta1: 0.5, Beta2: 0.999, WeightDecay: 1e-3);
        var rng = new Random(13);
        var initial = OptimOracle.RandomParams(rng);
        var grads = OptimOracle.RandomGrads(rng, steps: 4, missing: (step, i) => (i == 0 && step == 0) || (i == 2 && step is 1 or 2));
        var expected = OptimOracle.Run(OptimOracle.Case("adam", Options(o), initial, grads));

        using var parameters = TensorList.From(initial);
        var (m, v) = Adam.NewState(parameters.Items);
        using var expAvg = new TensorList(m);
        using var expAvgSq = new TensorList(v);
        var counts = new long[initial.Length];
        foreach (var stepGrads in grads)
        {
            var g = stepGrads.Select(d => d?.ToTensor()).ToArray();
            Adam.Step(parameters.Items, g, expAvg.Items, expAvgSq.Items, counts, o);
            foreach (var t in g) t?.Dispose();
        }

        Assert.Equal(expected["steps"]!.AsArray().Select(s => (long)s!.GetValue<int>()).ToArray(), counts);
        for (var i = 0; i < initial.Length; i++)
        {
            OptimOracle.Close(OptimOracle.Floats(expected["params"]![i]), parameters.Items[i].ToFloatArray(), $"param {i}");
            OptimOracle.Close(OptimOracle.Floats(expected["exp_avg"]![i]), expAvg.Items[i].ToFloatArray(), $"exp_avg {i}");
            OptimOracle.Close(OptimOracle.Floats(expected["exp_avg_sq"]![i]), expAvgSq.Items[i].ToFloatArray(), $"exp_avg_sq {i}");
        }
    }
}
