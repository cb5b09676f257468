// Neural-network ops on an input tensor: softmax, convolution, batch norm, pooling, linear, dropout, cross-entropy.
namespace Nas.Torch;

/// <summary>How a loss folds per-sample values (at::Reduction codes).</summary>
public enum LossReduction
{
    None = 0,
    Mean = 1,
    Sum = 2,
}

public sealed unsafe partial class Tensor
{
    public Tensor Softmax(long dim) => From(Native.nt_softmax(Handle, dim, 0, out var r), r);

    public Tensor LogSoftmax(long dim) => From(Native.nt_softmax(Handle, dim, 1, out var r), r);

    /// <summary>2-D convolution of this NCHW input (F.conv2d). <paramref name="bias"/> may be null; groups = C gives a depthwise conv.</summary>
    public Tensor Conv2d(Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1) =>
        Conv2d(weight, bias, (stride, stride), (padding, padding), (dilation, dilation), groups);

    public Tensor Conv2d(Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation, int groups = 1)
    {
        var status = Native.nt_conv2d(Handle, weight.Handle, RawOrZero(bias), stride.H, stride.W, padding.H, padding.W, dilation.H, dilation.W, groups, out var r);
        GC.KeepAlive(bias);
        return From(status, r);
    }

    /// <summary>
    /// The two pixel grids FactorizedReduce's stride-2 1×1 convolutions read, <c>x[:, :, 0::2, 0::2]</c> and
    /// <c>x[:, :, 1::2, 1::2]</c>, as dense channels-last tensors. For 4-D float32 CPU input of even height and width the
    /// shim copies them in one pass and its backward writes the input gradient once, channels-last (a slice's backward
    /// zero-fills an NCHW gradient, and adding that to channels-last gradients was 3-8x slower, docs/performance.md);
    /// other inputs get libtorch's strided slices. No double backward.
    /// </summary>
    public (Tensor Even, Tensor Odd) EvenOddPixels()
    {
        Native.Check(Native.nt_even_odd_pixels(Handle, out var even, out var odd));
        return (new Tensor(even), new Tensor(odd));
    }

    /// <summary>
    /// Depthwise convolution (groups = channels, weight C×1×k×k, no bias) by the shim's own channels-last loops, forward
    /// and backward: the same values as <c>Conv2d(weight, null, stride, padding, dilation, groups: C)</c>, returned
    /// channels-last, several times faster to differentiate than libtorch 1.13's (docs/performance.md). Float32 on the CPU;
    /// other inputs go to libtorch's conv2d. No double backward.
    /// </summary>
    public Tensor DepthwiseConv2d(Tensor weight, int stride = 1, int padding = 0, int dilation = 1) =>
        From(Native.nt_depthwise_conv2d(Handle, weight.Handle, stride, padding, dilation, out var r), r);

    /// <summary>
    /// Batch normalisation over the channel dimension (F.batch_norm). Any of weight, bias, running mean and
    /// running variance may be null. With <paramref name="training"/> the batch statistics are used and the
    /// running stats (when given) are updated in place: running = (1 - momentum) * running + momentum * batch,
    /// with the unbiased batch variance. Without it the running stats are used and left alone.
    /// </summary>
    public Tensor BatchNorm(Tensor? weight, Tensor? bias, Tensor? runningMean, Tensor? runningVar, bool training, double momentum = 0.1, double eps = 1e-5)
    {
        var status = Native.nt_batch_norm(Handle, RawOrZero(weight), RawOrZero(bias), RawOrZero(runningMean), RawOrZero(runningVar),
            training ? 1 : 0, momentum, eps, out var r);
        GC.KeepAlive(weight);
        GC.KeepAlive(bias);
        GC.KeepAlive(runningMean);
        GC.KeepAlive(runningVar);
        return From(status, r);
    }

    /// <summary>Max pooling (F.max_pool2d); padding counts as -inf. <paramref name="stride"/> 0 means "same as kernel".</summary>
    public Tensor MaxPool2d(int kernel, int stride = 0, int padding = 0, bool ceilMode = false)
    {
        var s = stride == 0 ? kernel : stride;
        return From(Native.nt_max_pool2d(Handle, kernel, kernel, s, s, padding, padding, ceilMode ? 1 : 0, out var r), r);
    }

    /// <summary>
    /// Average pooling (F.avg_pool2d). With <paramref name="countIncludePad"/> false the divisor counts only real
    /// pixels (DARTS's avg_pool_3x3). <paramref name="stride"/> 0 means "same as kernel".
    /// </summary>
    public Tensor AvgPool2d(int kernel, int stride = 0, int padding = 0, bool countIncludePad = true, bool ceilMode = false)
    {
        var s = stride == 0 ? kernel : stride;
        return From(Native.nt_avg_pool2d(Handle, kernel, kernel, s, s, padding, padding, ceilMode ? 1 : 0, countIncludePad ? 1 : 0, out var r), r);
    }

    public Tensor AdaptiveAvgPool2d(int outH, int outW) => From(Native.nt_adaptive_avg_pool2d(Handle, outH, outW, out var r), r);

    /// <summary>this · weightᵀ + bias (F.linear); weight is [out, in], bias may be null.</summary>
    public Tensor Linear(Tensor weight, Tensor? bias = null)
    {
        var status = Native.nt_linear(Handle, weight.Handle, RawOrZero(bias), out var r);
        GC.KeepAlive(bias);
        return From(status, r);
    }

    /// <summary>
    /// Inverted dropout: in training, each element is zeroed with probability <paramref name="p"/> (the mask drawn
    /// from <paramref name="generator"/>, so a seed reproduces it) and survivors are scaled by 1/(1-p). Outside
    /// training the result is a new handle aliasing this tensor.
    /// </summary>
    public Tensor Dropout(double p, bool training, Generator generator) =>
        From(Native.nt_dropout(Handle, p, training ? 1 : 0, generator.Handle, out var r), r);

    /// <summary>Cross-entropy of these [N, classes] logits against int64 class indices (F.cross_entropy).</summary>
    public Tensor CrossEntropy(Tensor targets, LossReduction reduction = LossReduction.Mean, double labelSmoothing = 0) =>
        From(Native.nt_cross_entropy(Handle, targets.Handle, (int)reduction, labelSmoothing, out var r), r);

    /// <summary>
    /// 3x3 pooling with padding 1 and stride 1 or 2 by the shim's native kernels: max pooling
    /// (F.max_pool2d(x, 3, stride, 1); padding counts as -inf, the gradient goes to the first maximum in window
    /// order) when <paramref name="max"/>, else average pooling with count_include_pad=False
    /// (F.avg_pool2d(x, 3, stride, 1, count_include_pad=False)). The output is floor((H - 1) / stride) + 1 square.
    /// A 4-D float32 CPU input runs a channels-last forward and backward several times faster than libtorch's
    /// pooling backward; the result (and the input's gradient) is channels-last. Other dtypes and devices fall
    /// back to libtorch's pooling. Differentiable once: a backward with createGraph through it throws.
    /// </summary>
    public Tensor Pool3x3(bool max, int stride = 1) =>
        From(Native.nt_pool3x3(Handle, max ? 1 : 0, stride, out var r), r);

    /// <summary>
    /// Training-mode batch normalisation without weight and bias by the shim's own channels-last loops: the same values as
    /// <c>BatchNorm(null, null, runningMean, runningVar, training: true, momentum, eps)</c> (batch statistics over N, H, W;
    /// the running stats, when given, updated in place with the unbiased variance, also under <see cref="NoGrad"/>),
    /// returned channels-last, several times faster for few channels than libtorch 1.13's. A 4-D float32 CPU input runs the
    /// native loops; other inputs go to libtorch's batch norm. One value per channel (N·H·W = 1) is refused, as PyTorch's
    /// F.batch_norm does. Differentiable once: a backward with createGraph through it throws. With <paramref name="relu"/> the
    /// result is ReLU of the normalized value, fused into the same passes (forward and backward) instead of a ReLU op after it.
    /// </summary>
    public Tensor BatchNormTrain(Tensor? runningMean, Tensor? runningVar, double momentum = 0.1, double eps = 1e-5, bool relu = false)
    {
        var status = Native.nt_batch_norm_train(Handle, RawOrZero(runningMean), RawOrZero(runningVar), momentum, eps, relu ? 1 : 0, out var r);
        GC.KeepAlive(runningMean);
        GC.KeepAlive(runningVar);
        return From(status, r);
    }
}
