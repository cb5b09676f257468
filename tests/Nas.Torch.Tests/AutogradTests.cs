// Autograd: backward into .grad, Autograd.Grad without touching .grad, zeroing and clearing, detach, no-grad scopes.
using Nas.Torch;

namespace Nas.Torch.Tests;

public sealed class AutogradTests
{
    [Fact]
    public void BackwardOfASumOfSquaresGivesTwiceTheInput()
    {
        using var x = Tensor.FromSpan([1.0, -2.0, 3.0], [3]).SetRequiresGrad();
        using var s = new TensorScope();
        s.Own(s.Own(x.Square()).Sum()).Backward();
        using var g = x.Grad!;
        Assert.Equal([2.0, -4.0, 6.0], g.ToDoubleArray());
    }

    [Fact]
    public void BackwardWithAGradientWeighsTheOutputs()
    {
        using var x = Tensor.FromSpan([1.0, 2.0], [2]).SetRequiresGrad();
        using var y = x * 3.0;
        using var w = Tensor.FromSpan([10.0, 100.0], [2]);
        y.Backward(w);
        using var g = x.Grad!;
        Assert.Equal([30.0, 300.0], g.ToDoubleArray());
    }

    [Fact]
    public void AutogradGradReturnsGradientsAndLeavesDotGradUntouched()
    {
        using var x = Tensor.FromSpan([1.0, 2.0], [2]).SetRequiresGrad();
        using var unused = Tensor.FromSpan([5.0], [1]).SetRequiresGrad();
        using var s = new TensorScope();
        var loss = s.Own(s.Own(s.Own(x.Pow(3)).Sum()) + 1.0);
        var grads = Autograd.Grad([loss], [x, unused]);
        using var gx = grads[0]!;
        Assert.Equal([3.0, 12.0], gx.ToDoubleArray());
        Assert.Null(grads[1]);
        Assert.Null(x.Grad);
    }

    [Fact]
    public void AutogradGradWithCreateGraphGivesSecondDerivatives()
    {
        using var x = Tensor.FromSpan([1.0, 2.0], [2]).SetRequiresGrad();
        using var s = new TensorScope();
        var loss = s.Own(s.Own(x.Pow(3)).Sum());
        var first = s.Own(Autograd.Grad([loss], [x], createGraph: true)[0]!); // 3x^2
        var second = Autograd.Grad([s.Own(first.Sum())], [x]); // 6x
        using var h = second[0]!;
        Assert.Equal([6.0, 12.0], h.ToDoubleArray());
    }

    [Fact]
    public void GradAccumulatesUntilZeroGradZeroesIt()
    {
        using var x = Tensor.FromSpan([1.0], [1]).SetRequiresGrad();
        for (var i = 0; i < 2; i++)
        {
            using var y = x * 2.0;
            using var l = y.Sum();
            l.Backward();
        }
        using (var g = x.Grad!) Assert.Equal([4.0], g.ToDoubleArray());
        x.ZeroGrad();
        using (var g = x.Grad!) Assert.Equal([0.0], g.ToDoubleArray());
        x.ClearGrad();
        Assert.Null(x.Grad);
    }

    [Fact]
    public void TheGradHandleSharesStorageSoInPlaceScalingChangesTheGradient()
    {
        using var x = Tensor.FromSpan([1.0, 1.0], [2]).SetRequiresGrad();
        using (var l = x.Sum()) l.Backward();
        using (var g = x.Grad!) g.MulInPlace(0.5);
        using var again = x.Grad!;
        Assert.Equal([0.5, 0.5], again.ToDoubleArray());
    }

    [Fact]
    public void NoGradScopeStopsRecordingAndRestoresTheModeItFound()
    {
        using var x = Tensor.Ones([2]).SetRequiresGrad();
        Assert.True(NoGrad.IsGradEnabled);
        using (NoGrad.Enter())
        {
            using var y = x * 2.0;
            Assert.False(y.RequiresGrad);
            using (NoGrad.Enter()) Assert.False(NoGrad.IsGradEnabled);
            Assert.False(NoGrad.IsGradEnabled);
            using (NoGrad.EnableGrad())
            {
                using var z = x * 2.0;
                Assert.True(z.RequiresGrad);
            }
        }
        Assert.True(NoGrad.IsGradEnabled);
    }

    [Fact]
    public void DetachCutsTheGraphAndCloneKeepsIt()
    {
        using var x = Tensor.Ones([2]).SetRequiresGrad();
        using var d = x.Detach();
        using var c = x.Clone();
        Assert.False(d.RequiresGrad);
        Assert.True(c.RequiresGrad);
        Assert.False(c.IsLeaf);
        using (var l = c.Sum()) l.Backward();
        using var g = x.Grad!;
        Assert.Equal([1f, 1f], g.ToFloatArray());
    }

    [Fact]
    public void SetGradReplacesAndClearsTheGradient()
    {
        using var x = Tensor.Zeros([2]).SetRequiresGrad();
        using var g = Tensor.FromSpan([3f, 4f], [2]);
        x.SetGrad(g);
        using (var read = x.Grad!) Assert.Equal([3f, 4f], read.ToFloatArray());
        x.SetGrad(null);
        Assert.Null(x.Grad);
    }
}
