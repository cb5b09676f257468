// The evaluation network's forward against an independent PyTorch model (tests/oracles/darts_eval.py) loaded with the same weights.
using System.Diagnostics;
using System.Text.Json;
using Nas.Systems.Genotypes;
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
    [InlineData(1, 28)] // head on a 7x7 map: avg-pool 5x5 stride 2 (pt.darts's map − 5 rule)
    [InlineData(3, 16)] // head on a 4x4 map: adaptive pool to 2x2
    public void TrainAndEvalLogitsMatchAnIndependentPyTorchModelWithTheSameWeights(int channels, int size)
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
                var (logits, aux) = net.Forward(input, training: true, scope);
                (trainLogits, trainAux) = (logits.ToFloatArray(), aux!.ToFloatArray());
            }
            using (NoGrad.Enter())
            using (var scope = new TensorScope())
            {
                var (logits, aux) = net.Forward(input, training: false, scope);
                Assert.Null(aux);
                evalLogits = logits.ToFloatArray();
            }

            RunOracle(dir);
            // Tolerance 1e-5 absolute (issue 4): float32 on the same libtorch; summation order may differ.
            AssertClose(ReadFloats(dir, "train_logits.bin"), trainLogits, "train logit");
            AssertClose(ReadFloats(dir, "train_aux.bin"), trainAux, "aux logit");
            AssertClose(ReadFloats(dir, "eval_logits.bin"), evalLogits, "eval logit");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void AssertClose(float[] theirs, float[] ours, string what)
    {
        Assert.Equal(theirs.Length, ours.Length);
        for (var i = 0; i < ours.Length; i++) Assert.True(Math.Abs(ours[i] - theirs[i]) <= 1e-5, $"{what} {i}: ours {ours[i]}, torch {theirs[i]}");
    }

    private static float[] ReadFloats(string dir, string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(dir, file));
        return Enumerable.Range(0, bytes.Length / 4).Select(i => BitConverter.ToSingle(bytes, 4 * i)).ToArray();
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
