// NN ops against PyTorch 1.13 (fixtures from tests/oracles/make_fixtures.py); float32, tolerance 1e-5 absolute + 1e-5 relative.
using Nas.Torch;

namespace Nas.Torch.Tests;

public sealed class NNOracleTests
{
    [Theory]
    [InlineData("conv2d_grouped_dilated_strided")]
    [InlineData("conv2d_depthwise")]
    public void Conv2dMatchesPyTorch(string name)
    {
        var c = OracleCase.Load(name);
        using var scope = new TensorScope();
        var x = scope.Own(c.Input("x"));
        var w = scope.Own(c.Input("w"));
        var b = name.Contains("depthwise") ? null : scope.Own(c.Input("b"));
        var y = scope.Own(x.Conv2d(w, b, c.Int("stride"), c.Int("padding"), c.Int("dilation"), c.Int("groups")));
        Approx.Equal(scope.Own(c.Output("y")), y);
    }

    [Fact]
    public void Conv2dInChannelsLastLayoutGivesTheSameValues()
    {
        var c = OracleCase.Load("conv2d_depthwise");
        using var scope = new TensorScope();
        var x = scope.Own(scope.Own(c.Input("x")).ToChannelsLast());
        var w = scope.Own(scope.Own(c.Input("w")).ToChannelsLast());
        var y = scope.Own(x.Conv2d(w, null, c.Int("stride"), c.Int("padding"), c.Int("dilation"), c.Int("groups")));
        Assert.True(y.IsChannelsLast);
        Approx.Equal(scope.Own(c.Output("y")), y);
    }

    [Fact]
    public void BatchNormInTrainingNormalisesWithBatchStatsAndUpdatesRunningStatsInPlace()
    {
        var c = OracleCase.Load("batch_norm_training");
        using var scope = new TensorScope();
        var rm = scope.Own(c.Input("rm"));
        var rv = scope.Own(c.Input("rv"));
        var y = scope.Own(scope.Own(c.Input("x")).BatchNorm(scope.Own(c.Input("gamma")), scope.Own(c.Input("beta")), rm, rv,
            training: true, c.Double("momentum"), c.Double("eps")));
        Approx.Equal(scope.Own(c.Output("y")), y);
        Approx.Equal(scope.Own(c.Output("rm")), rm);
        Approx.Equal(scope.Own(c.Output("rv")), rv);
    }

    [Fact]
    public void BatchNormInEvalUsesRunningStatsAndLeavesThemAlone()
    {
        var c = OracleCase.Load("batch_norm_eval");
        using var scope = new TensorScope();
        var rm = scope.Own(c.Input("rm"));
        var rv = scope.Own(c.Input("rv"));
        var y = scope.Own(scope.Own(c.Input("x")).BatchNorm(scope.Own(c.Input("gamma")), scope.Own(c.Input("beta")), rm, rv,
            training: false, c.Double("momentum"), c.Double("eps")));
        Approx.Equal(scope.Own(c.Output("y")), y);
        Approx.Equal(scope.Own(c.Input("rm")), rm, abs: 0, rel: 0);
        Approx.Equal(scope.Own(c.Input("rv")), rv, abs: 0, rel: 0);
    }

    [Fact]
    public void BatchNormWithoutAffineOrRunningStatsMatchesPyTorch()
    {
        var c = OracleCase.Load("batch_norm_training_plain");
        using var scope = new TensorScope();
        var y = scope.Own(scope.Own(c.Input("x")).BatchNorm(null, null, null, null, training: true, c.Double("momentum"), c.Double("eps")));
        Approx.Equal(scope.Own(c.Output("y")), y);
    }

    [Theory]
    [InlineData("max_pool2d_s1")]
    [InlineData("max_pool2d_s2")]
    public void MaxPool2dMatchesPyTorch(string name)
    {
        var c = OracleCase.Load(name);
        using var scope = new TensorScope();
        var y = scope.Own(scope.Own(c.Input("x")).MaxPool2d(c.Int("kernel"), c.Int("stride"), c.Int("padding")));
        Approx.Equal(scope.Own(c.Output("y")), y, abs: 0, rel: 0);
    }

    [Theory]
    [InlineData("avg_pool2d_s1_incl")]
    [InlineData("avg_pool2d_s1_excl")]
    [InlineData("avg_pool2d_s2_incl")]
    [InlineData("avg_pool2d_s2_excl")]
    public void AvgPool2dMatchesPyTorchWithAndWithoutPaddingInTheDivisor(string name)
    {
        var c = OracleCase.Load(name);
        using var scope = new TensorScope();
        var y = scope.Own(scope.Own(c.Input("x")).AvgPool2d(c.Int("kernel"), c.Int("stride"), c.Int("padding"), c.Bool("count_include_pad")));
        Approx.Equal(scope.Own(c.Output("y")), y);
    }

    [Fact]
    public void AdaptiveAvgPool2dMatchesPyTorch()
    {
        var c = OracleCase.Load("adaptive_avg_pool2d");
        using var scope = new TensorScope();
        var y = scope.Own(scope.Own(c.Input("x")).AdaptiveAvgPool2d(c.Int("out_h"), c.Int("out_w")));
        Approx.Equal(scope.Own(c.Output("y")), y);
    }

    [Fact]
    public void SoftmaxMatchesPyTorch()
    {
        var c = OracleCase.Load("softmax_dim1");
        using var scope = new TensorScope();
        Approx.Equal(scope.Own(c.Output("y")), scope.Own(scope.Own(c.Input("x")).Softmax(c.Int("dim"))));
    }

    [Fact]
    public void LogSoftmaxMatchesPyTorch()
    {
        var c = OracleCase.Load("log_softmax_dim_last");
        using var scope = new TensorScope();
        Approx.Equal(scope.Own(c.Output("y")), scope.Own(scope.Own(c.Input("x")).LogSoftmax(c.Int("dim"))));
    }

    [Theory]
    [InlineData("cross_entropy_mean")]
    [InlineData("cross_entropy_smoothed")]
    public void CrossEntropyMatchesPyTorch(string name)
    {
        var c = OracleCase.Load(name);
        using var scope = new TensorScope();
        var loss = scope.Own(scope.Own(c.Input("logits")).CrossEntropy(scope.Own(c.Input("targets")), LossReduction.Mean, c.Double("label_smoothing")));
        Approx.Equal(scope.Own(c.Output("loss")), loss);
    }

    [Fact]
    public void LinearMatchesPyTorch()
    {
        var c = OracleCase.Load("linear");
        using var scope = new TensorScope();
        var y = scope.Own(scope.Own(c.Input("x")).Linear(scope.Own(c.Input("w")), scope.Own(c.Input("b"))));
        Approx.Equal(scope.Own(c.Output("y")), y);
    }
}
