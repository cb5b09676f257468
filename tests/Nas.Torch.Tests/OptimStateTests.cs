// Optimizer state is plain tensors the caller owns: copied out and back, a run continues bit for bit; nothing leaks.
using Nas.Torch;

namespace Nas.Torch.Tests;

public sealed class OptimStateTests
{
    private static readonly SgdOptions SgdSettings = new(Lr: 0.025, Momentum: 0.9, WeightDecay: 3e-4, Nesterov: true);
    private static readonly AdamOptions AdamSettings = new(Lr: 3e-4, Beta1: 0.5, Beta2: 0.999, WeightDecay: 1e-3);

    /// <summary>Copies tensors out to arrays and back into fresh tensors, as a snapshot and a resume would.</summary>
    private static TensorList RoundTrip(Tensor[] tensors) =>
        new(tensors.Select(t => Tensor.FromSpan(t.ToFloatArray(), t.Shape)).ToArray());

    private static float[][] Values(Tensor[] tensors) => tensors.Select(t => t.ToFloatArray()).ToArray();

    private static void SgdSteps(Tensor[] parameters, Tensor[] buffers, TensorData?[][] grads, int from, int to)
    {
        for (var step = from; step < to; step++)
        {
            using var g = TensorList.From(grads[step]!);
            Sgd.Step(parameters, g.Items, buffers, SgdSettings, firstStep: step == 0);
        }
    }

    private static void AdamSteps(Tensor[] parameters, Tensor[] m, Tensor[] v, TensorData?[][] grads, int from, int to)
    {
        for (var step = from; step < to; step++)
        {
            using var g = TensorList.From(grads[step]!);
            Adam.Step(parameters, g.Items, m, v, step + 1, AdamSettings);
        }
    }

    [Fact]
    public void SgdStateCopiedOutAndBackContinuesBitForBit()
    {
        var rng = new Random(31);
        var initial = OptimOracle.RandomParams(rng);
        var grads = OptimOracle.RandomGrads(rng, steps: 6);

        using var straight = TensorList.From(initial);
        using var straightBuffers = new TensorList(Sgd.NewState(straight.Items));
        SgdSteps(straight.Items, straightBuffers.Items, grads, 0, 6);

        using var first = TensorList.From(initial);
        using var firstBuffers = new TensorList(Sgd.NewState(first.Items));
        SgdSteps(first.Items, firstBuffers.Items, grads, 0, 3);
        using var resumed = RoundTrip(first.Items);
        using var resumedBuffers = RoundTrip(firstBuffers.Items);
        SgdSteps(resumed.Items, resumedBuffers.Items, grads, 3, 6);

        Assert.Equal(Values(straight.Items), Values(resumed.Items));
        Assert.Equal(Values(straightBuffers.Items), Values(resumedBuffers.Items));
    }

    [Fact]
    public void AdamStateCopiedOutAndBackContinuesBitForBit()
    {
        var rng = new Random(32);
        var initial = OptimOracle.RandomParams(rng);
        var grads = OptimOracle.RandomGrads(rng, steps: 6);

        using var straight = TensorList.From(initial);
        var (sm, sv) = Adam.NewState(straight.Items);
        using var straightM = new TensorList(sm);
        using var straightV = new TensorList(sv);
        AdamSteps(straight.Items, straightM.Items, straightV.Items, grads, 0, 6);

        using var first = TensorList.From(initial);
        var (fm, fv) = Adam.NewState(first.Items);
        using var firstM = new TensorList(fm);
        using var firstV = new TensorList(fv);
        AdamSteps(first.Items, firstM.Items, firstV.Items, grads, 0, 3);
        using var resumed = RoundTrip(first.Items);
        using var resumedM = RoundTrip(firstM.Items);
        using var resumedV = RoundTrip(firstV.Items);
        AdamSteps(resumed.Items, resumedM.Items, resumedV.Items, grads, 3, 6);

        Assert.Equal(Values(straight.Items), Values(resumed.Items));
        Assert.Equal(Values(straightM.Items), Values(resumedM.Items));
        Assert.Equal(Values(straightV.Items), Values(resumedV.Items));
    }

    [Fact]
    public void NewStateIsZerosShapedLikeTheParameters()
    {
        using var p = TensorList.From(OptimOracle.RandomParams(new Random(33)));
        var (m, v) = Adam.NewState(p.Items);
        using var expAvg = new TensorList(m);
        using var expAvgSq = new TensorList(v);
        using var buffers = new TensorList(Sgd.NewState(p.Items));
        foreach (var state in new[] { expAvg, expAvgSq, buffers })
            for (var i = 0; i < p.Items.Length; i++)
            {
                Assert.Equal(p.Items[i].Shape, state.Items[i].Shape);
                Assert.All(state.Items[i].ToFloatArray(), x => Assert.Equal(0f, x));
            }
    }
}
