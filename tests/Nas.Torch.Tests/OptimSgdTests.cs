// Sgd.Step against torch.optim.SGD (PyTorch 1.13 via /usr/bin/python3) on the same parameters and gradients.
using System.Text.Json.Nodes;
using Nas.Torch;

namespace Nas.Torch.Tests;

public sealed class OptimSgdTests
{
    private static JsonObject Options(SgdOptions o) => new()
    {
        ["lr"] = o.Lr, ["momentum"] = o.Momentum, ["dampening"] = o.Dampening,
        ["weight_decay"] = o.WeightDecay, ["nesterov"] = o.Nesterov,
    };

    // Five steps with one shared first-step flag; expected values come from torch.optim.SGD; tolerance 1e-6 relative.
    private static void AssertMatchesTorch(SgdOptions o, int seed)
    {
        var rng = new Random(seed);
        var initial = OptimOracle.RandomParams(rng);
        var grads = OptimOracle.RandomGrads(rng, steps: 5);
        var expected = OptimOracle.Run(OptimOracle.Case("sgd", Options(o), initial, grads));

        using var parameters = TensorList.From(initial);
        using var buffers = new TensorList(Sgd.NewState(parameters.Items));
        for (var step = 0; step < grads.Length; step++)
        {
            using var g = TensorList.From(grads[step]!);
            Sgd.Step(parameters.Items, g.Items, buffers.Items, o, firstStep: step == 0);
        }

        for (var i = 0; i < initial.Length; i++)
        {
            OptimOracle.Close(OptimOracle.Floats(expected["params"]![i]), parameters.Items[i].ToFloatArray(), $"param {i}");
            OptimOracle.Close(OptimOracle.Floats(expected["momentum_buffers"]![i]), buffers.Items[i].ToFloatArray(), $"momentum buffer {i}");
        }
    }

    [Fact]
    public void SgdWithMomentumAndWeightDecayMatchesTorchOverFiveSteps() =>
        AssertMatchesTorch(new SgdOptions(Lr: 0.025, Momentum: 0.9, Dampening: 0, WeightDecay: 3e-4), seed: 1);

    [Fact]
    public void SgdWithNesterovMomentumMatchesTorchOverFiveSteps() =>
        AssertMatchesTorch(new SgdOptions(Lr: 0.025, Momentum: 0.9, Dampening: 0, WeightDecay: 3e-4, Nesterov: true), seed: 2);

    [Fact]
    public void SgdWithDampeningMatchesTorchOverFiveSteps() =>
        AssertMatchesTorch(new SgdOptions(Lr: 0.1, Momentum: 0.8, Dampening: 0.3, WeightDecay: 1e-2), seed: 3);

    // Parameter 1 has no grad on steps 0 and 2, parameter 3 none on step 1: torch skips them and starts
    // parameter 1's buffer on its first grad (step 1). Dampening != 0 makes a wrong buffer start visible.
    [Fact]
    public void SgdSkipsParametersWithoutGradsAsTorchDoes()
    {
        var o = new SgdOptions(Lr: 0.05, Momentum: 0.9, Dampening: 0.25, WeightDecay: 3e-4);
        var rng = new Random(4);
        var initial = OptimOracle.RandomParams(rng);
        var grads = OptimOracle.RandomGrads(rng, steps: 4, missing: (step, i) => (i == 1 && step is 0 or 2) || (i == 3 && step == 1));
        var expected = OptimOracle.Run(OptimOracle.Case("sgd", Options(o), initial, grads));

        using var parameters = TensorList.From(initial);
        using var buffers = new TensorList(Sgd.NewState(parameters.Items));
        var started = new bool[initial.Length];
        foreach (var stepGrads in grads)
        {
            var g = stepGrads.Select(d => d?.ToTensor()).ToArray();
            Sgd.Step(parameters.Items, g, buffers.Items, o, started);
            foreach (var t in g) t?.Dispose();
        }

        Assert.All(started, Assert.True);
        for (var i = 0; i < initial.Length; i++)
        {
            OptimOracle.Close(OptimOracle.Floats(expected["params"]![i]), parameters.Items[i].ToFloatArray(), $"param {i}");
            OptimOracle.Close(OptimOracle.Floats(expected["momentum_buffers"]![i]), buffers.Items[i].ToFloatArray(), $"momentum buffer {i}");
        }
    }

    // Hand-computed: p = 1 - 0.5 * 2 = 0 with plain SGD (no momentum, no buffers needed).
    [Fact]
    public void SgdWithoutMomentumNeedsNoBuffers()
    {
        using var p = Tensor.FromSpan([1f, 3f], [2]);
        using var g = Tensor.FromSpan([2f, -2f], [2]);
        Sgd.Step([p], [g], [], new SgdOptions(Lr: 0.5), firstStep: true);
        Assert.Equal([0f, 4f], p.ToFloatArray());
    }
}
