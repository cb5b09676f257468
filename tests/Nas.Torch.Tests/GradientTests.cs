// Gradients of the NN ops checked by central finite differences in float64 (see GradCheck for step and tolerance).
using Nas.Torch;

namespace Nas.Torch.Tests;

public sealed class GradientTests
{
    // A fixed random projection makes a scalar loss out of a tensor output, so every output element matters.
    private static Tensor Project(TensorScope s, Tensor y, int seed)
    {
        var w = s.Own(Tensor.FromSpan(GradCheck.Values((int)y.Numel, seed), y.Shape));
        return s.Own(s.Own(y * w).Sum());
    }

    [Fact]
    public void Conv2dGradientsMatchFiniteDifferences()
    {
        GradCheck.Check((s, t) => Project(s, s.Own(t[0].Conv2d(t[1], t[2], stride: 2, padding: 2, dilation: 2, groups: 2)), 7),
            (GradCheck.Values(2 * 4 * 5 * 5, 1), [2, 4, 5, 5]),
            (GradCheck.Values(4 * 2 * 3 * 3, 2), [4, 2, 3, 3]),
            (GradCheck.Values(4, 3), [4]));
    }

    [Fact]
    public void BatchNormTrainingGradientsMatchFiniteDifferences()
    {
        GradCheck.Check((s, t) => Project(s, s.Own(t[0].BatchNorm(t[1], t[2], null, null, training: true)), 8),
            (GradCheck.Values(3 * 2 * 3 * 3, 4), [3, 2, 3, 3]),
            (GradCheck.Values(2, 5), [2]),
            (GradCheck.Values(2, 6), [2]));
    }

    [Fact]
    public void SoftmaxGradientsMatchFiniteDifferences()
    {
        GradCheck.Check((s, t) => Project(s, s.Own(t[0].Softmax(1)), 9), (GradCheck.Values(12, 10), [3, 4]));
    }

    [Fact]
    public void LogSoftmaxGradientsMatchFiniteDifferences()
    {
        GradCheck.Check((s, t) => Project(s, s.Own(t[0].LogSoftmax(0)), 11), (GradCheck.Values(12, 12), [3, 4]));
    }

    [Fact]
    public void CrossEntropyGradientsMatchFiniteDifferences()
    {
        GradCheck.Check((s, t) =>
        {
            var targets = s.Own(Tensor.FromSpan([2L, 0L, 4L, 1L], [4]));
            return s.Own(t[0].CrossEntropy(targets, LossReduction.Mean, labelSmoothing: 0.1));
        }, (GradCheck.Values(20, 13), [4, 5]));
    }

    [Fact]
    public void LinearAndPoolingGradientsMatchFiniteDifferences()
    {
        GradCheck.Check((s, t) =>
        {
            var pooled = s.Own(s.Own(t[0].AvgPool2d(3, 1, 1, countIncludePad: false)).MaxPool2d(2));
            var flat = s.Own(pooled.Flatten(1));
            return Project(s, s.Own(flat.Linear(t[1], t[2])), 14);
        },
            (GradCheck.Values(2 * 1 * 4 * 4, 15), [2, 1, 4, 4]),
            (GradCheck.Values(3 * 4, 16), [3, 4]),
            (GradCheck.Values(3, 17), [3]));
    }
}
