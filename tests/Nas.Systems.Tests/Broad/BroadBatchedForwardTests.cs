// The broad (BCNN) program on the batched path against the reference path: logits and every gradient (issue 8).
using Nas.Components;
using Nas.Systems.Genotypes;
using Nas.Systems.Search;
using Nas.Systems.Spaces.Broad;
using Nas.Systems.Spaces.Darts;
using Nas.Torch;

namespace Nas.Systems.Tests.Broad;

public sealed class BroadBatchedForwardTests
{
    // 1e-5 absolute plus 1e-5 relative: the broad net's weight gradients reach ~2 here, where float32 rounding of the two paths'
    // different summation orders (channels-last convs, the native depthwise weight gradient) shows at the 6th digit.
    private const double Tolerance = 1e-5;

    [Theory]
    [InlineData(1, false, false)]
    [InlineData(4, false, false)]
    [InlineData(4, true, false)] // BNAS-v2-PC: partial channels and edge normalization
    [InlineData(4, true, true)] // with DropNAS-style masks
    public void BatchedMatchesTheReference(int partialK, bool edgeNormalization, bool masks)
    {
        using var world = new World.World();
        using var g = new Generator((ulong)(partialK * 10 + (edgeNormalization ? 1 : 0) + (masks ? 2 : 0)));
        var runtime = BroadSpace.Spawn(world, new BroadSearchLayout(8, 2, 1, 3, 8, 4), OpKinds.DartsOrder, partialK, edgeNormalization, g);
        using var input = Tensor.Randn([4, 3, 8, 8], g);
        using var labels = Tensor.FromSpan(new long[] { 0, 1, 2, 3 }, [4]);
        var rng = new Random(7);
        var ops = OpKinds.DartsOrder.Count;
        bool[][]? Mask() => !masks ? null : Enumerable.Range(0, 14).Select(_ =>
        {
            var row = Enumerable.Range(0, ops).Select(_ => rng.NextDouble() < 0.5).ToArray();
            row[1 + rng.Next(ops - 1)] = true;
            return row;
        }).ToArray();
        var keptNormal = Mask();
        var keptReduce = Mask();
        var inputs = runtime.Weights(world).Concat(runtime.Arch(world)).ToArray();

        (float[] Logits, float[][] Grads) Run(ForwardMode mode)
        {
            using var scope = new TensorScope();
            var normal = ArchWeights.For(runtime.Alpha(world, CellType.Normal), runtime.Beta(world, CellType.Normal), 4, keptNormal, scope);
            var reduce = ArchWeights.For(runtime.Alpha(world, CellType.Reduce), runtime.Beta(world, CellType.Reduce), 4, keptReduce, scope);
            var logits = SearchForward.Run(world, runtime, input, normal, reduce, training: true, scope, mode);
            var loss = scope.Own(logits.CrossEntropy(labels));
            var grads = Autograd.Grad([loss], inputs);
            return (logits.ToFloatArray(), grads.Select((gr, i) => gr is null ? new float[inputs[i].Numel] : scope.Own(gr).ToFloatArray()).ToArray());
        }

        var reference = Run(ForwardMode.Reference);
        var batched = Run(ForwardMode.Batched);
        AssertClose(reference.Logits, batched.Logits, "logits");
        Assert.Equal(inputs.Length, batched.Grads.Length);
        for (var i = 0; i < inputs.Length; i++) AssertClose(reference.Grads[i], batched.Grads[i], $"gradient of input {i}");
        Assert.Contains(batched.Grads, gr => gr.Any(v => v != 0)); // the comparison is not between two all-zero gradients
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance + Tolerance * Math.Abs(expected[i]), $"{what}[{i}]: reference {expected[i]}, batched {actual[i]}");
    }
}
