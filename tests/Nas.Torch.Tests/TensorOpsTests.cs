// Creation, shape, element-wise and reduction ops on small hand-checked inputs (exact values; no tolerance needed).
using Nas.Torch;

namespace Nas.Torch.Tests;

public sealed class TensorOpsTests
{
    private static Tensor Range(params long[] shape)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        using var r = Tensor.Arange(0, n, 1, DType.Float32);
        return r.Reshape(shape);
    }

    [Fact]
    public void CreationOpsFillTheirValues()
    {
        using var ones = Tensor.Ones([2, 2], DType.Float64);
        using var full = Tensor.Full([3], 2.5);
        using var ar = Tensor.Arange(1, 2, 0.25, DType.Float64);
        using var zl = full.ZerosLike();
        using var ol = full.OnesLike();
        using var sc = Tensor.Scalar(7);
        Assert.Equal([1.0, 1.0, 1.0, 1.0], ones.ToDoubleArray());
        Assert.Equal([2.5f, 2.5f, 2.5f], full.ToFloatArray());
        Assert.Equal([1.0, 1.25, 1.5, 1.75], ar.ToDoubleArray());
        Assert.Equal([0f, 0f, 0f], zl.ToFloatArray());
        Assert.Equal([1f, 1f, 1f], ol.ToFloatArray());
        Assert.Equal(0, sc.Dim);
        Assert.Equal(7f, sc.ToScalar<float>());
    }

    [Fact]
    public void ToConvertsDTypesAndScalarsReadBack()
    {
        using var f = Tensor.FromSpan([1.7f, -2.2f], [2]);
        using var l = f.To(DType.Int64);
        using var b = f.Gt(0);
        Assert.Equal(DType.Int64, l.DType);
        Assert.Equal([1L, -2L], l.ToLongArray());
        Assert.Equal(DType.Bool, b.DType);
        using var first = b.Select(0, 0);
        Assert.True(first.ToScalar<bool>());
        using var n = Tensor.FromSpan([5L], [1]);
        Assert.Equal(5L, n.ToScalar<long>());
        Assert.Equal(5, n.ToScalar<int>());
    }

    [Fact]
    public void ViewPermuteTransposeAndFlattenRearrangeElements()
    {
        using var x = Range(2, 3);
        using var t = x.Transpose(0, 1);
        using var tc = t.Contiguous();
        Assert.Equal([0f, 3f, 1f, 4f, 2f, 5f], tc.ToFloatArray());
        using var p = x.Permute(1, 0);
        using var pf = p.Flatten();
        Assert.Equal([0f, 3f, 1f, 4f, 2f, 5f], pf.ToFloatArray());
        using var v = x.View(3, -1);
        Assert.Equal(new long[] { 3, 2 }, v.Shape);
        Assert.False(t.IsContiguous);
        Assert.Throws<TorchException>(() => t.View(6));
    }

    [Fact]
    public void ChannelShuffleViaViewTransposeMatchesTheFormula()
    {
        // PC-DARTS: output channel c takes input channel (c mod K)·(C/K) + c/K; here C = 8, K = 4.
        using var x = Range(1, 8, 1, 1);
        using var s = new TensorScope();
        var shuffled = s.Own(s.Own(s.Own(s.Own(x.View(1, 4, 2, 1, 1)).Transpose(1, 2)).Contiguous()).View(1, 8, 1, 1));
        Assert.Equal(Enumerable.Range(0, 8).Select(c => (float)(c % 4 * 2 + c / 4)), shuffled.ToFloatArray());
    }

    [Fact]
    public void NarrowSelectSliceAndIndexSelectPickEntries()
    {
        using var x = Range(3, 4);
        using var n = x.Narrow(1, 1, 2);
        using var nc = n.Contiguous();
        Assert.Equal([1f, 2f, 5f, 6f, 9f, 10f], nc.ToFloatArray());
        using var row = x.Select(0, 2);
        Assert.Equal([8f, 9f, 10f, 11f], row.ToFloatArray());
        using var sl = x.Slice(1, 0, 4, 2);
        Assert.Equal([0f, 2f, 4f, 6f, 8f, 10f], sl.ToFloatArray());
        using var idx = Tensor.FromSpan([2L, 0L], [2]);
        using var sel = x.IndexSelect(0, idx);
        Assert.Equal([8f, 9f, 10f, 11f, 0f, 1f, 2f, 3f], sel.ToFloatArray());
    }

    [Fact]
    public void CatStackExpandSqueezeAndUnsqueezeShapeAsPyTorch()
    {
        using var a = Range(2, 2);
        using var b = Tensor.Ones([2, 2]);
        using var cat = Tensor.Cat([a, b], 1);
        Assert.Equal(new long[] { 2, 4 }, cat.Shape);
        Assert.Equal([0f, 1f, 1f, 1f, 2f, 3f, 1f, 1f], cat.ToFloatArray());
        using var st = Tensor.Stack([a, b, a]);
        Assert.Equal(new long[] { 3, 2, 2 }, st.Shape);
        using var u = a.Unsqueeze(0);
        Assert.Equal(new long[] { 1, 2, 2 }, u.Shape);
        using var e = u.Expand(3, -1, -1);
        Assert.Equal(new long[] { 3, 2, 2 }, e.Shape);
        using var sq = u.Squeeze();
        Assert.Equal(new long[] { 2, 2 }, sq.Shape);
        using var sq0 = u.Squeeze(0);
        Assert.Equal(new long[] { 2, 2 }, sq0.Shape);
    }

    [Fact]
    public void ChannelsLastKeepsValuesAndChangesStrides()
    {
        using var x = Range(2, 3, 4, 4);
        using var cl = x.ToChannelsLast();
        Assert.False(x.IsChannelsLast);
        Assert.True(cl.IsChannelsLast);
        Assert.Equal(x.ToFloatArray(), cl.ToFloatArray());
    }

    [Fact]
    public void OperatorsComputeElementwiseWithTensorsAndScalars()
    {
        using var a = Tensor.FromSpan([1.0, 2.0, 4.0], [3]);
        using var b = Tensor.FromSpan([2.0, 2.0, 2.0], [3]);
        using var s = new TensorScope();
        Assert.Equal([3.0, 4.0, 6.0], s.Own(a + b).ToDoubleArray());
        Assert.Equal([-1.0, 0.0, 2.0], s.Own(a - b).ToDoubleArray());
        Assert.Equal([2.0, 4.0, 8.0], s.Own(a * b).ToDoubleArray());
        Assert.Equal([0.5, 1.0, 2.0], s.Own(a / b).ToDoubleArray());
        Assert.Equal([2.0, 4.0, 8.0], s.Own(a * 2.0).ToDoubleArray());
        Assert.Equal([2.0, 4.0, 8.0], s.Own(2.0 * a).ToDoubleArray());
        Assert.Equal([9.0, 8.0, 6.0], s.Own(10.0 - a).ToDoubleArray());
        Assert.Equal([4.0, 2.0, 1.0], s.Own(4.0 / a).ToDoubleArray());
        Assert.Equal([-1.0, -2.0, -4.0], s.Own(-a).ToDoubleArray());
        Assert.Equal([1.0, 4.0, 16.0], s.Own(a.Pow(2)).ToDoubleArray());
        Assert.Equal([1.0, Math.Sqrt(2), 2.0], s.Own(a.Sqrt()).ToDoubleArray());
        Assert.Equal([0.0, Math.Log(2), Math.Log(4)], s.Own(a.Log()).ToDoubleArray());
        Assert.Equal([Math.E, Math.Exp(2), Math.Exp(4)], s.Own(a.Exp()).ToDoubleArray());
    }

    [Fact]
    public void ActivationsClampAndWhereMatchTheirDefinitions()
    {
        using var x = Tensor.FromSpan([-2.0, 0.0, 3.0], [3]);
        using var s = new TensorScope();
        Assert.Equal([0.0, 0.0, 3.0], s.Own(x.Relu()).ToDoubleArray());
        Assert.Equal([2.0, 0.0, 3.0], s.Own(x.Abs()).ToDoubleArray());
        Assert.Equal([Math.Tanh(-2), 0.0, Math.Tanh(3)], s.Own(x.Tanh()).ToDoubleArray());
        Approx.Equal(s.Own(Tensor.FromSpan([1 / (1 + Math.Exp(2)), 0.5, 1 / (1 + Math.Exp(-3))], [3])), s.Own(x.Sigmoid()), abs: 1e-15, rel: 1e-14);
        Assert.Equal([-1.0, 0.0, 1.0], s.Own(x.Clamp(-1, 1)).ToDoubleArray());
        Assert.Equal([0.0, 0.0, 3.0], s.Own(x.Clamp(min: 0)).ToDoubleArray());
        var cond = s.Own(x.Gt(0));
        Assert.Equal([0.0, 0.0, 3.0], s.Own(Tensor.Where(cond, x, s.Own(x.ZerosLike()))).ToDoubleArray());
        Assert.Equal([true, false, false], s.Own(x.Lt(0)).ToFloatArrayOfBool());
        Assert.Equal([false, true, false], s.Own(x.Eq(0)).ToFloatArrayOfBool());
    }

    /// <summary>Exact: the values are min/max, and the gradient is the upstream one where 0 &lt; x &lt; 6, else 0 (F.hardtanh's; clamp's also passes at the bounds).</summary>
    [Fact]
    public void HardtanhIsReluSixWithAGradientStrictlyInsideItsBounds()
    {
        using var x = Tensor.FromSpan([-2.0, 0.0, 3.0, 6.0, 7.5], [5]);
        x.SetRequiresGrad(true);
        using var s = new TensorScope();
        var y = s.Own(x.Hardtanh(0, 6));
        Assert.Equal(s.Own(x.Clamp(0, 6)).ToDoubleArray(), y.ToDoubleArray());
        var up = s.Own(Tensor.FromSpan([1.0, 2.0, 3.0, 4.0, 5.0], [5]));
        var grad = Autograd.Grad([s.Own(s.Own(y.Mul(up)).Sum())], [x]);
        Assert.Equal([0.0, 0.0, 3.0, 0.0, 0.0], s.Own(grad[0]!).ToDoubleArray());
    }

    [Fact]
    public void InPlaceOpsChangeTheTensorItself()
    {
        using var p = Tensor.FromSpan([1f, 2f], [2]);
        using var g = Tensor.FromSpan([2f, 4f], [2]);
        p.AddInPlace(g, alpha: -0.5);
        Assert.Equal([0f, 0f], p.ToFloatArray());
        p.FillInPlace(3);
        p.MulInPlace(2);
        Assert.Equal([6f, 6f], p.ToFloatArray());
        p.CopyFrom(g);
        Assert.Equal([2f, 4f], p.ToFloatArray());
        p.ZeroInPlace();
        Assert.Equal([0f, 0f], p.ToFloatArray());
    }

    [Fact]
    public void ReductionsOverAllAndOverDims()
    {
        using var x = Range(2, 3);
        using var s = new TensorScope();
        Assert.Equal(15.0, s.Own(x.Sum()).Item());
        Assert.Equal(2.5, s.Own(x.Mean()).Item());
        Assert.Equal([3f, 12f], s.Own(x.Sum(1)).ToFloatArray());
        Assert.Equal(new long[] { 2, 1 }, s.Own(x.Mean([1], keepDim: true)).Shape);
        Assert.Equal([1.5f, 2.5f, 3.5f], s.Own(x.Mean(0)).ToFloatArray());
        Assert.Equal(5.0, s.Own(x.Max()).Item());
        var (values, indices) = x.Max(1);
        s.Own(values);
        s.Own(indices);
        Assert.Equal([2f, 5f], values.ToFloatArray());
        Assert.Equal([2L, 2L], indices.ToLongArray());
        Assert.Equal(5L, s.Own(x.Argmax()).ToScalar<long>());
        Assert.Equal([1L, 1L, 1L], s.Own(x.Argmax(0)).ToLongArray());
        var (top, topIdx) = x.TopK(2, dim: 1);
        s.Own(top);
        s.Own(topIdx);
        Assert.Equal([2f, 1f, 5f, 4f], top.ToFloatArray());
        Assert.Equal([2L, 1L, 2L, 1L], topIdx.ToLongArray());
        // float32 norms: tolerance 1e-6 relative.
        Assert.Equal(Math.Sqrt(55), s.Own(x.Norm()).Item(), 1e-5);
        Approx.Equal(s.Own(Tensor.FromSpan([Math.Sqrt(5), Math.Sqrt(50)], [2])), s.Own(x.Norm(2, [1])), abs: 0, rel: 1e-6);
    }
}

internal static class BoolArrays
{
    public static bool[] ToFloatArrayOfBool(this Tensor t)
    {
        using var f = t.To(DType.Float32);
        return f.ToFloatArray().Select(v => v != 0).ToArray();
    }
}
