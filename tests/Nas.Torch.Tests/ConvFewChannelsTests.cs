// Strided convolutions of channels-last inputs with few channels (PC-DARTS's FactorizedReduce at C/K = 2): values and
// gradients against the same convolution on NCHW tensors, and no heap corruption.
using Nas.Torch;

namespace Nas.Torch.Tests;

public sealed class ConvFewChannelsTests
{
    /// <summary>y and the gradients of Σ y·r (r random) for x and w.</summary>
    private static (Tensor Y, Tensor Gx, Tensor Gw) Run(Tensor x0, Tensor w0, Tensor r, int stride, bool shifted, TensorScope scope)
    {
        var x = scope.Own(x0.Detach()).SetRequiresGrad();
        var w = scope.Own(w0.Detach()).SetRequiresGrad();
        // FactorizedReduce's second conv reads x[:, :, 1:, 1:], a strided view (its contiguous copy is odd-sized).
        var input = shifted ? scope.Own(scope.Own(x.Slice(2, 1, x.Size(2))).Slice(3, 1, x.Size(3))) : x;
        var y = scope.Own(input.Conv2d(w, null, stride, 0, 1, 1));
        var loss = scope.Own(scope.Own(y.Mul(r)).Sum());
        var g = Autograd.Grad([loss], [x, w]);
        return (y, scope.Own(g[0]!), scope.Own(g[1]!));
    }

    /// <summary>
    /// libtorch 1.13's oneDNN (jit:avx2, nhwc) wrote past the input gradient's end for these shapes, which corrupted the heap
    /// (glibc aborted a later free); nt_conv2d now runs them on NCHW copies. Twenty rounds each, so a write out of bounds
    /// would very likely reach a freed chunk's header. Expected values: the same conv on NCHW tensors (oneDNN's blocked
    /// layout); 1e-5 absolute and relative, float32 rounding of two summation orders.
    /// </summary>
    [Theory]
    [InlineData(2, 1, 8, false)]
    [InlineData(2, 1, 8, true)]
    [InlineData(4, 2, 8, true)]
    [InlineData(6, 3, 16, false)]
    [InlineData(3, 2, 9, true)]
    public void StridedOneByOneConvOfFewChannelsLastChannelsMatchesNchw(int inChannels, int outChannels, int size, bool shifted)
    {
        using var gen = new Generator((ulong)(inChannels * 100 + outChannels * 10 + size));
        for (var round = 0; round < 20; round++)
        {
            using var scope = new TensorScope();
            var nchw = scope.Own(Tensor.Randn([8, inChannels, size, size], gen));
            var cl = scope.Own(nchw.ToChannelsLast());
            var w = scope.Own(Tensor.Randn([outChannels, inChannels, 1, 1], gen));
            var inner = shifted ? size - 1 : size;
            var outSize = (inner - 1) / 2 + 1;
            var r = scope.Own(Tensor.Randn([8, outChannels, outSize, outSize], gen));

            var expected = Run(nchw, w, r, 2, shifted, scope);
            var actual = Run(cl, w, r, 2, shifted, scope);
            Assert.True(actual.Y.IsChannelsLast);
            Approx.Equal(expected.Y, actual.Y);
            Approx.Equal(expected.Gx, actual.Gx);
            Approx.Equal(expected.Gw, actual.Gw, abs: 1e-4);
        }
    }
}
