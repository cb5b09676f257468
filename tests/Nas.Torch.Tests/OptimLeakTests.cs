// The optimizers allocate nothing that outlives a call (counted by the shim's live-tensor counter).
using Nas.Torch;

namespace Nas.Torch.Tests;

/// <summary>The live-tensor count is process-wide, so these tests run alone, not beside other test classes.</summary>
[CollectionDefinition(nameof(OptimLeakTests), DisableParallelization = true)]
public sealed class OptimLeakCollection;

[Collection(nameof(OptimLeakTests))]
public sealed class OptimLeakTests
{
    private static readonly SgdOptions SgdSettings = new(Lr: 0.025, Momentum: 0.9, WeightDecay: 3e-4, Nesterov: true);
    private static readonly AdamOptions AdamSettings = new(Lr: 3e-4, Beta1: 0.5, Beta2: 0.999, WeightDecay: 1e-3);

    // Steps and clipping create no tensor that outlives the call; a moved tensor is the only new one and its Dispose frees it.
    [Fact]
    public void StepsAndClippingLeaveNoLiveTensorsBehind()
    {
        var rng = new Random(34);
        var initial = OptimOracle.RandomParams(rng);
        var grads = OptimOracle.RandomGrads(rng, steps: 2);
        using var p = TensorList.From(initial);
        using var g = TensorList.From(grads[0]!);
        var (m, v) = Adam.NewState(p.Items);
        using var expAvg = new TensorList(m);
        using var expAvgSq = new TensorList(v);
        using var buffers = new TensorList(Sgd.NewState(p.Items));

        var before = Tensor.LiveCount;
        Sgd.Step(p.Items, g.Items, buffers.Items, SgdSettings, firstStep: true);
        Adam.Step(p.Items, g.Items, expAvg.Items, expAvgSq.Items, 1, AdamSettings);
        GradClip.ClipByNorm(g.Items, 0.1);
        Devices.Move(p.Items[0], Device.Cpu).Dispose();
        Assert.Equal(before, Tensor.LiveCount);
    }
}
