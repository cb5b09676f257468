// The supernet forward against an independent PyTorch implementation (tests/oracles/darts_supernet.py) with the same weights.
using System.Diagnostics;
using System.Text.Json;
using Nas.Components;
using Nas.Systems.Spaces.Darts;
using Nas.Systems.Spaces.Forward;
using Nas.Torch;

namespace Nas.Systems.Tests.Darts;

public sealed class SupernetForwardTests
{
    [Theory]
    [InlineData(1, ForwardMode.Reference)]
    [InlineData(2, ForwardMode.Reference)]
    [InlineData(1, ForwardMode.Batched)]
    [InlineData(2, ForwardMode.Batched)]
    public void LogitsMatchAnIndependentPyTorchForwardWithTheSameWeights(int partialK, ForwardMode mode)
    {
        // 3 cells on 8x8 input: cells 1 and 2 reduce, so FactorizedReduce, stride-2 edges and both preprocessings run.
        var layout = new StackedLayout(Layers: 3, Channels: 4, InputChannels: 2, InputSize: 8, Classes: 3);
        using var g = new Generator(7);
        var net = SupernetBuilder.Create(layout, OpKinds.DartsOrder, partialK, g);
        using var input = Tensor.Randn([2, 2, 8, 8], g);
        using var alphaN = Tensor.Randn([14, 8], g);
        using var alphaR = Tensor.Randn([14, 8], g);
        var dir = Directory.CreateTempSubdirectory("nas-supernet-").FullName;
        try
        {
            var tensors = SupernetBuilder.Tensors(net).Append(("input", input)).Append(("alpha_normal", alphaN)).Append(("alpha_reduce", alphaR)).ToList();
            foreach (var (name, t) in tensors)
                File.WriteAllBytes(Path.Combine(dir, name + ".bin"), t.ToFloatArray().SelectMany(BitConverter.GetBytes).ToArray());
            var manifest = new
            {
                config = new { layers = layout.Layers, partial_k = partialK },
                tensors = tensors.ToDictionary(t => t.Item1, t => t.Item2.Shape),
            };
            File.WriteAllText(Path.Combine(dir, "manifest.json"), JsonSerializer.Serialize(manifest));

            float[] ours;
            using (var scope = new TensorScope())
            {
                var pn = scope.Own(alphaN.Softmax(-1));
                var pr = scope.Own(alphaR.Softmax(-1));
                ours = ForwardInterpreter.Run(ForwardProgram.Stacked(net), input, Kernels.For(mode, scope),
                    new ForwardArgs(Training: true, new CellWeights(pn), new CellWeights(pr))).Logits.ToFloatArray();
            }

            RunOracle(dir);
            var bytes = File.ReadAllBytes(Path.Combine(dir, "logits.bin"));
            var theirs = Enumerable.Range(0, bytes.Length / 4).Select(i => BitConverter.ToSingle(bytes, 4 * i)).ToArray();
            Assert.Equal(theirs.Length, ours.Length);
            // Tolerance 1e-5 absolute (issue 4): float32 on the same libtorch, summation order may differ.
            for (var i = 0; i < ours.Length; i++) Assert.True(Math.Abs(ours[i] - theirs[i]) <= 1e-5, $"logit {i}: ours {ours[i]}, torch {theirs[i]}");
        }
        finally
        {
            foreach (var (_, t) in SupernetBuilder.Tensors(net)) t.Dispose();
            Directory.Delete(dir, recursive: true);
        }
    }

    internal static string OraclePath(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "oracles", name);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"tests/oracles/{name} not found above {AppContext.BaseDirectory}");
    }

    private static void RunOracle(string dir)
    {
        var script = OraclePath("darts_supernet.py");
        using var p = Process.Start(new ProcessStartInfo("/usr/bin/python3", [script, dir]) { RedirectStandardError = true, UseShellExecute = false })!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, "oracle failed: " + err);
    }
}
