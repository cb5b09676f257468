// The evaluation network's forward against an independent PyTorch model (tests/oracles/darts_eval.py) loaded with the same weights.
using System.Diagnostics;
using System.Text.Json;
using Nas.Components;
using Nas.Systems.Genotypes;
using Nas.Systems.Spaces.Eval;
using Nas.Systems.Tests.Darts;
using Nas.Systems.Train;
using Nas.Torch;

namespace Nas.Systems.Tests.Train;

public sealed class EvalNetworkForwardTests
{
    // Every op kind the eval network builds appears once at least: pools, identity and FactorizedReduce skips, sep and dil convs.
    private const string AllOps =
        "Genotype(normal=[('sep_conv_5x5', 0), ('dil_conv_5x5', 1), ('avg_pool_3x3', 0), ('skip_connect', 2), " +
        "('max_pool_3x3', 3), ('sep_conv_3x3', 1), ('dil_conv_3x3', 4), ('skip_connect', 0)], normal_concat=range(2, 6), " +
        "reduce=[('skip_connect', 0), ('sep_conv_3x3', 1), ('avg_pool_3x3', 1), ('dil_conv_5x5', 2), " +
        "('max_pool_3x3', 0), ('skip_connect', 3), ('sep_conv_5x5', 4), ('dil_conv_3x3', 1)], reduce_concat=[2, 3, 4, 5])";

    [Theory]
    [InlineData(1, 28, ForwardMode.Reference)] // head on a 7x7 map: avg-pool 5x5 stride 2 (pt.darts's map − 5 rule)
    [InlineData(3, 16, ForwardMode.Reference)] // head on a 4x4 map: adaptive pool to 2x2
    [InlineData(1, 28, ForwardMode.Batched)]
    [InlineData(3, 16, ForwardMode.Batched)]
    public void TrainAndEvalLogitsMatchAnIndependentPyTorchModelWithTheSameWeights(int channels, int size, ForwardMode mode)
    {
        var genotype = GenotypeText.Parse(AllOps);
        var layout = EvalNetwork.LayoutFor(genotype, layers: 3, channels: 4, channels, size, classes: 5);
        using var g = new Generator(11);
        using var net = EvalNetwork.Create(layout, genotype, g, auxiliary: true);
        Assert.NotNull(net.Auxiliary);
        using var input = Tensor.Randn([3, channels, size, size], g);
        var dir = Directory.CreateTempSubdirectory("nas-eval-").FullName;
        try
        {
            // Written before our training forward: both sides start from the same running statistics.
            var tensors = net.Named().Append(("input", input)).ToList();
            foreach (var (name, t) in tensors)
                File.WriteAllBytes(Path.Combine(dir, name + ".bin"), t.ToFloatArray().SelectMany(BitConverter.GetBytes).ToArray());
            var manifest = new
            {
                config = new { layers = layout.Layers, channels = layout.Channels, classes = layout.Classes, auxiliary = true, genotype = genotype.ToDartsString() },
                tensors = tensors.ToDictionary(t => t.Item1, t => t.Item2.Shape),
            };
            File.WriteAllText(Path.Combine(dir, "manifest.json"), JsonSerializer.Serialize(manifest));

            float[] trainLogits, trainAux, evalLogits;
            using (var scope = new TensorScope())
            {
                var (logits, aux) = net.Forward(input, training: true, scope, mode: mode);
                (trainLogits, trainAux) = (logits.ToFloatArray(), aux!.ToFloatArray());
            }
            using (NoGrad.Enter())
            using (var scope = new TensorScope())
            {
                var (logits, aux) = net.Forward(input, training: false, scope, mode: mode);
                Assert.Null(aux);
                evalLogits = logits.ToFloatArray();
            }

            RunOracle(dir);
            // Tolerance 1e-5 absolute (issue 4): float32 on the same libtorch; summation order may differ.
            OracleFloats.AssertClose(OracleFloats.Read(dir, "train_logits.bin"), trainLogits, "train logit");
            OracleFloats.AssertClose(OracleFloats.Read(dir, "train_aux.bin"), trainAux, "aux logit");
            OracleFloats.AssertClose(OracleFloats.Read(dir, "eval_logits.bin"), evalLogits, "eval logit");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// The evaluation program over the fast kernel set against the reference set: training logits, auxiliary logits and the
    /// gradient of every parameter. Tolerance: 1e-5 absolute plus 3e-5 of the tensor's largest reference magnitude. The fast
    /// set's channels-last convolutions and native depthwise and pooling kernels sum in another order, so the two differ by
    /// float32 rounding only; with affine BNs and two heads' losses these gradients are O(1) (the stem's reaches 1.26), and
    /// the rounding measured 2e-5 at most (the stem conv), 1.6e-5 of its scale.
    /// </summary>
    [Fact]
    public void TheFastKernelsMatchTheReferenceOnTheEvaluationNetwork()
    {
        var genotype = GenotypeText.Parse(AllOps);
        var layout = EvalNetwork.LayoutFor(genotype, layers: 3, channels: 8, inputChannels: 3, inputSize: 16, classes: 5);
        using var g = new Generator(21);
        using var net = EvalNetwork.Create(layout, genotype, g, auxiliary: true, bnAfterPool: true);
        using var input = Tensor.Randn([4, 3, 16, 16], g);
        using var labels = Tensor.FromSpan(new long[] { 0, 1, 2, 4 }, [4]);
        var parameters = net.Parameters();
        var stats = net.Named().Where(n => n.Name.EndsWith(".running_mean", StringComparison.Ordinal)).Select(n => n.Tensor).ToArray();
        var initial = stats.Select(t => t.Clone()).ToArray();

        (float[] Logits, float[] Aux, float[][] Grads, float[][] Stats) Run(ForwardMode mode)
        {
            for (var i = 0; i < stats.Length; i++) stats[i].CopyFrom(initial[i]); // both runs start from the same running statistics
            using var scope = new TensorScope();
            var (logits, aux) = net.Forward(input, training: true, scope, mode: mode);
            var loss = scope.Own(scope.Own(logits.CrossEntropy(labels)).Add(scope.Own(aux!.CrossEntropy(labels))));
            var grads = Autograd.Grad([loss], parameters);
            return (logits.ToFloatArray(), aux.ToFloatArray(), grads.Select(gr => scope.Own(gr!).ToFloatArray()).ToArray(),
                stats.Select(t => t.ToFloatArray()).ToArray());
        }

        var reference = Run(ForwardMode.Reference);
        var fast = Run(ForwardMode.Batched);
        foreach (var t in initial) t.Dispose();
        AssertNear(reference.Logits, fast.Logits, "logit");
        AssertNear(reference.Aux, fast.Aux, "aux logit");
        for (var i = 0; i < parameters.Length; i++) AssertNear(reference.Grads[i], fast.Grads[i], $"gradient of parameter {i}");
        for (var i = 0; i < stats.Length; i++) AssertNear(reference.Stats[i], fast.Stats[i], $"running mean {i}");
        Assert.Contains(fast.Grads, gr => gr.Any(v => v != 0));
    }

    private static void AssertNear(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = expected.Length == 0 ? 0 : expected.Max(Math.Abs);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 + 3e-5 * scale, $"{what} {i}: reference {expected[i]}, fast {actual[i]} (scale {scale})");
    }


    private static void RunOracle(string dir)
    {
        var script = SupernetForwardTests.OraclePath("darts_eval.py");
        using var p = Process.Start(new ProcessStartInfo("/usr/bin/python3", [script, dir]) { RedirectStandardError = true, UseShellExecute = false })!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, "oracle failed: " + err);
    }
}
