// The stacked supernet's program over the fast kernel set against the reference set (itself checked against PyTorch): logits and every gradient.
using Nas.Components;
using Nas.Systems.Genotypes;
using Nas.Systems.Search;
using Nas.Systems.Spaces.Darts;
using Nas.Systems.Spaces.Forward;
using Nas.Torch;

namespace Nas.Systems.Tests.Darts;

public sealed class BatchedForwardTests
{
    // Tolerance: 1e-5 absolute on logits and on every gradient (issue 8). Both paths run float32 on the same libtorch;
    // channels-last convolutions and BatchNorm reduce in another order, so results differ by rounding only.
    private const double Tolerance = 1e-5;

    private static readonly OpKind[] Ops = OpKinds.DartsOrder.ToArray();

    [Theory]
    [InlineData(OpKind.MaxPool3x3)]
    [InlineData(OpKind.AvgPool3x3)]
    [InlineData(OpKind.SkipConnect)]
    [InlineData(OpKind.SepConv3x3)]
    [InlineData(OpKind.SepConv5x5)]
    [InlineData(OpKind.DilConv3x3)]
    [InlineData(OpKind.DilConv5x5)]
    public void BatchedMatchesTheReferenceForEachOpKindAlone(OpKind kind)
    {
        var col = Array.IndexOf(Ops, kind);
        var kept = Enumerable.Range(0, 14).Select(_ => Ops.Select((_, c) => c == col).ToArray()).ToArray();
        AssertPathsAgree(partialK: 1, keptNormal: kept, keptReduce: kept, beta: false, seed: 11);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(4, false)]
    [InlineData(4, true)]
    public void BatchedMatchesTheReferenceWithAllOps(int partialK, bool beta) =>
        AssertPathsAgree(partialK, keptNormal: null, keptReduce: null, beta, seed: 12);

    /// <summary>
    /// PC-DARTS at C = 8, K = 4 on 16x16 inputs (the CLI's heap corruption): the mixed parts' FactorizedReduce runs 1x1
    /// stride-2 convs on 4 channels-last channels, which libtorch 1.13's oneDNN got wrong (nt_conv2d now copies them to NCHW).
    /// </summary>
    [Fact]
    public void BatchedMatchesTheReferenceWithFourMixedChannelsOn16x16Inputs() =>
        AssertPathsAgree(4, null, null, beta: true, seed: 15, size: 16);

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void BatchedMatchesTheReferenceUnderDropoutMasks(int partialK)
    {
        var rng = new Random(5); // seeded: the masks are fixed
        bool[][] Masks() => Enumerable.Range(0, 14).Select(_ =>
        {
            var row = Ops.Select(_ => rng.NextDouble() < 0.5).ToArray();
            row[1 + rng.Next(Ops.Length - 1)] = true; // at least one op besides `none`
            return row;
        }).ToArray();
        AssertPathsAgree(partialK, Masks(), Masks(), beta: false, seed: 13);
    }

    [Fact]
    public void SkippingOpsOfExactlyZeroWeightLeavesAlphaGradientsUnchanged()
    {
        // Weights with exact zeros but no Kept mask: the reference runs every op (times 0), the batched path skips them.
        var rng = new Random(6);
        var zeros = Enumerable.Range(0, 14).Select(_ => Ops.Select(_ => rng.NextDouble() < 0.6).ToArray()).ToArray();
        foreach (var row in zeros) row[3] = false; // sep_conv_3x3 always weighted
        AssertPathsAgree(1, zeros, zeros, beta: false, seed: 14, passMask: false);
    }

    /// <summary>
    /// Builds a 3-cell supernet (cells 1 and 2 reduce) on size x size inputs (8x8 unless given), runs both paths with the same weights, and compares
    /// logits and the gradients of the loss with respect to every weight, alpha and beta.
    /// </summary>
    private static void AssertPathsAgree(int partialK, bool[][]? keptNormal, bool[][]? keptReduce, bool beta, ulong seed, bool passMask = true,
        int size = 8)
    {
        var layout = new StackedLayout(Layers: 3, Channels: 8, InputChannels: 3, InputSize: size, Classes: 3);
        using var g = new Generator(seed);
        var net = SupernetBuilder.Create(layout, Ops, partialK, g);
        using var input = Tensor.Randn([4, 3, size, size], g);
        using var labels = Tensor.FromSpan(new long[] { 0, 1, 2, 1 }, [4]);
        using var alphaN = Tensor.Randn([14, Ops.Length], g).SetRequiresGrad();
        using var alphaR = Tensor.Randn([14, Ops.Length], g).SetRequiresGrad();
        using var betaN = Tensor.Randn([14], g).SetRequiresGrad();
        using var betaR = Tensor.Randn([14], g).SetRequiresGrad();
        try
        {
            var inputs = SupernetBuilder.Weights(net).Concat(new[] { alphaN, alphaR }).Concat(beta ? new[] { betaN, betaR } : []).ToArray();
            (float[] Logits, float[][] Grads) Run(ForwardMode mode)
            {
                using var scope = new TensorScope();
                var normal = ArchWeights.For(alphaN, beta ? betaN : null, 4, keptNormal, scope);
                var reduce = ArchWeights.For(alphaR, beta ? betaR : null, 4, keptReduce, scope);
                if (!passMask) { normal = normal with { Kept = null }; reduce = reduce with { Kept = null }; }
                var logits = ForwardInterpreter.Run(ForwardProgram.Stacked(net), input, Kernels.For(mode, scope),
                    new ForwardArgs(Training: true, normal, reduce)).Logits;
                var loss = scope.Own(logits.CrossEntropy(labels));
                var grads = Autograd.Grad([loss], inputs);
                var values = grads.Select((gr, i) => gr is null ? new float[inputs[i].Numel] : scope.Own(gr).ToFloatArray()).ToArray();
                return (logits.ToFloatArray(), values);
            }
            var reference = Run(ForwardMode.Reference);
            var batched = Run(ForwardMode.Batched);
            AssertClose(reference.Logits, batched.Logits, "logits");
            for (var i = 0; i < inputs.Length; i++) AssertClose(reference.Grads[i], batched.Grads[i], $"gradient of input {i}");
        }
        finally
        {
            foreach (var (_, t) in SupernetBuilder.Tensors(net)) t.Dispose();
        }
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance, $"{what}[{i}]: reference {expected[i]}, batched {actual[i]}");
    }
}
