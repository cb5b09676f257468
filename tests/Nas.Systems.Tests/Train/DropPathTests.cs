// Drop-path (§1.7): whole samples zeroed with probability p, survivors scaled by 1/(1−p), the linear ramp, identities untouched.
using Nas.Systems.Genotypes;
using Nas.Systems.Spaces.Eval;
using Nas.Systems.Spaces.Forward;
using Nas.Systems.Train;
using Nas.Torch;

namespace Nas.Systems.Tests.Train;

public sealed class DropPathTests
{
    [Fact]
    public void DropPathZeroesWholeSamplesWithProbabilityPAndScalesTheRestByOneOverKeep()
    {
        const int n = 4000;
        const double p = 0.3;
        using var g = new Generator(5);
        using var x = Tensor.Ones([n, 2, 3, 3]);
        using var scope = new TensorScope();
        var y = DropPath.Apply(x, p, g, scope).ToFloatArray();
        var dropped = 0;
        for (var i = 0; i < n; i++)
        {
            var sample = y.AsSpan(i * 18, 18);
            var first = sample[0];
            // One decision per sample: every element of a sample is 0 or every element is 1/(1−p) (float32 rounding).
            foreach (var v in sample) Assert.Equal(first, v);
            if (first == 0) dropped++;
            else Assert.Equal(1 / (1 - p), first, 1e-6);
        }
        // Binomial(4000, 0.3): sd ≈ 29 samples; 5 sd ≈ 0.036 in rate.
        Assert.InRange(dropped / (double)n, p - 0.036, p + 0.036);
    }

    [Fact]
    public void DropPathProbabilityRampsLinearlyFromZeroOverTheEpochs()
    {
        Assert.Equal(0, DropPath.Probability(0.2, 0, 20));
        Assert.Equal(0.1, DropPath.Probability(0.2, 10, 20), 12);
        Assert.Equal(0.19, DropPath.Probability(0.2, 19, 20), 12);
    }

    [Fact]
    public void DropPathSparesIdentitySkipsAndIsOffInEvalMode()
    {
        // Normal cell of identity skips and pools only: with p near 1 every non-identity op is almost surely dropped,
        // so node 0 = skip(s0) + skip(s1) survives; in eval mode the same network ignores p.
        var genotype = GenotypeText.Parse(
            "Genotype(normal=[('skip_connect', 0), ('skip_connect', 1), ('max_pool_3x3', 0), ('max_pool_3x3', 1), ('max_pool_3x3', 0), " +
            "('max_pool_3x3', 1), ('max_pool_3x3', 0), ('max_pool_3x3', 1)], normal_concat=[2], reduce=[('max_pool_3x3', 0), " +
            "('max_pool_3x3', 1), ('max_pool_3x3', 0), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('max_pool_3x3', 1), ('max_pool_3x3', 0), " +
            "('max_pool_3x3', 1)], reduce_concat=[2])");
        var layout = EvalNetwork.LayoutFor(genotype, layers: 3, channels: 4, inputChannels: 1, inputSize: 8, classes: 3);
        using var g = new Generator(1);
        using var net = EvalNetwork.Create(layout, genotype, g, auxiliary: false);
        using var x = Tensor.Randn([8, 12, 8, 8], g); // the stem width 3C feeds cell 0
        using var scope = new TensorScope();
        var cell0 = net.Cells[0];
        var kernels = new ReferenceKernels(scope);
        var withoutDrop = ForwardInterpreter.GenotypeCell(cell0, x, x, kernels, training: true, dropPath: 0, g).ToFloatArray();
        var withDrop = ForwardInterpreter.GenotypeCell(cell0, x, x, kernels, training: true, dropPath: 0.999999, g).ToFloatArray();
        // Node 0 is concat's only state and has two identity inputs: drop-path leaves it exactly as is.
        Assert.Equal(withoutDrop, withDrop);
        Assert.Contains(net.Cells[1].Ops, op => !op.IsIdentity);
    }
}
