// PC-DARTS's fused cat + channel shuffle against libtorch's cat, view, transpose and contiguous: values and gradients.
using Nas.Torch;

namespace Nas.Torch.Tests;

public sealed class NativeShuffleJoinTests
{
    private static Tensor Reference(Tensor a, Tensor b, int groups, TensorScope scope)
    {
        var cat = scope.Own(Tensor.Cat([a, b], 1));
        var s = cat.Shape;
        var v = scope.Own(cat.View(s[0], groups, s[1] / groups, s[2], s[3]));
        var t = scope.Own(v.Transpose(1, 2));
        var cont = scope.Own(t.Contiguous());
        return scope.Own(cont.View(s[0], s[1], s[2], s[3]));
    }

    [Theory]
    [InlineData(4, 4, 5, 7, true)]
    [InlineData(4, 1, 3, 3, false)]
    [InlineData(2, 8, 4, 4, true)]
    [InlineData(1, 3, 2, 2, true)]
    public void ValuesAndGradientsMatchCatThenShuffle(int groups, int part, int h, int w, bool sliceOfChannelsLast)
    {
        using var gen = new Generator((ulong)(groups * 10 + part));
        using var scope = new TensorScope();
        var c = part * groups;
        var whole = scope.Own(Tensor.Randn([3, c, h, w], gen));
        if (sliceOfChannelsLast) whole = scope.Own(whole.ToChannelsLast());
        var r = scope.Own(Tensor.Randn([3, c, h, w], gen));

        (float[] Y, float[] G) Run(bool fused)
        {
            using var s = new TensorScope();
            var x = s.Own(whole.Detach()).SetRequiresGrad();
            var parts = x.Split([part, c - part], 1); // the bypass is a strided channel slice, as in the supernet
            var a = s.Own(parts[0]);
            var b = s.Own(parts[1]);
            var y = fused ? s.Own(Tensor.ShuffleJoin(a, b, groups)) : Reference(a, b, groups, s);
            var loss = s.Own(s.Own(y.Mul(r)).Sum());
            var grad = s.Own(Autograd.Grad([loss], [x])[0]!);
            using var yc = y.Contiguous();
            using var gc = grad.Contiguous();
            return (yc.ToFloatArray(), gc.ToFloatArray());
        }

        var expected = Run(fused: false);
        var actual = Run(fused: true);
        Assert.Equal(expected.Y, actual.Y); // a permutation of values: exact
        Assert.Equal(expected.G, actual.G);
    }

    [Fact]
    public void MismatchedPartsAreRefusedNamingTheChannelCounts()
    {
        using var gen = new Generator(1);
        using var scope = new TensorScope();
        var a = scope.Own(Tensor.Randn([2, 4, 3, 3], gen));
        var b = scope.Own(Tensor.Randn([2, 8, 3, 3], gen));
        var e = Assert.Throws<TorchException>(() => Tensor.ShuffleJoin(a, b, 4));
        Assert.Contains("the bypass has 8 channels, expected 12", e.Message);
    }
}
