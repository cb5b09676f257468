// GradClip.ClipByNorm against torch.nn.utils.clip_grad_norm_ (PyTorch 1.13 via /usr/bin/python3).
using System.Text.Json.Nodes;
using Nas.Torch;

namespace Nas.Torch.Tests;

public sealed class OptimClipTests
{
    // Expected norm and grads from clip_grad_norm_; tolerance 1e-6 relative for both.
    private static void AssertMatchesTorch(double maxNorm, bool clips, int seed, Func<int, int, bool>? missing = null)
    {
        var grads = OptimOracle.RandomGrads(new Random(seed), steps: 1, missing)[0];
        var input = new JsonObject
        {
            ["kind"] = "clip",
            ["max_norm"] = maxNorm,
            ["grads"] = new JsonArray(grads.Select(g => (JsonNode?)g?.ToJson()).ToArray()),
        };
        var expected = OptimOracle.Run(input);

        var g = grads.Select(d => d?.ToTensor()).ToArray();
        try
        {
            var total = GradClip.ClipByNorm(g, maxNorm);
            var expectedTotal = expected["total_norm"]!.GetValue<double>();
            Assert.Equal(clips, expectedTotal > maxNorm);
            Assert.True(Math.Abs(total - expectedTotal) <= 1e-6 * expectedTotal, $"norm {total:R} vs torch {expectedTotal:R}");
            for (var i = 0; i < g.Length; i++)
            {
                if (g[i] is null) { Assert.Null(expected["grads"]![i]); continue; }
                OptimOracle.Close(OptimOracle.Floats(expected["grads"]![i]), g[i]!.ToFloatArray(), $"grad {i}");
            }
        }
        finally
        {
            foreach (var t in g) t?.Dispose();
        }
    }

    // 30 values uniform in [-0.5, 0.5) have a norm near 1.6: a max of 0.5 clips them, 50 does not.
    [Fact]
    public void ClippingAboveTheMaxNormScalesGradsAsTorchDoes() => AssertMatchesTorch(maxNorm: 0.5, clips: true, seed: 21);

    [Fact]
    public void ClippingBelowTheMaxNormLeavesGradsAsTorchDoes() => AssertMatchesTorch(maxNorm: 50, clips: false, seed: 22);

    [Fact]
    public void ClippingSkipsMissingGradsAsTorchDoes() =>
        AssertMatchesTorch(maxNorm: 0.5, clips: true, seed: 23, missing: (_, i) => i == 2);

    // Hand-computed: grads (3, 4) have norm 5; below max 10 they stay bit for bit, the norm is returned.
    [Fact]
    public void ClippingBelowTheMaxReturnsTheNormAndKeepsGradsExactly()
    {
        using var g = Tensor.FromSpan([3f, 4f], [2]);
        Assert.Equal(5.0, GradClip.ClipByNorm([g], 10));
        Assert.Equal([3f, 4f], g.ToFloatArray());
    }

    [Fact]
    public void ClippingNoGradsReturnsZero()
    {
        Assert.Equal(0.0, GradClip.ClipByNorm([null, null], 1));
        Assert.Equal(0.0, GradClip.ClipByNorm([], 1));
    }
}
