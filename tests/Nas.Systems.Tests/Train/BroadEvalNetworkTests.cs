// The BCNN evaluation network as built (methods.md §4.3): parameters on its real tensors and its forward against the PyTorch oracle
// tests/oracles/bcnn_eval.py, logits of the right shape, a few training steps that lower the loss, refusals that name the reason.
using System.Diagnostics;
using System.Text.Json;
using Nas.Components;
using Nas.Systems.Data;
using Nas.Systems.Genotypes;
using Nas.Systems.Spaces.Broad;
using Nas.Systems.Spaces.Eval;
using Nas.Systems.Tests.Broad;
using Nas.Systems.Tests.Darts;
using Nas.Systems.Train;
using Nas.Torch;

namespace Nas.Systems.Tests.Train;

[Collection(LiveTensorCollection.Name)] // two tests read the process-wide live-tensor count
public sealed class BroadEvalNetworkTests
{
    // Every op kind in both lists: deep cells run the normal list at stride 2 on input edges of reduction cells (skip from 0 becomes
    // FactorizedReduce), enhancement cells the reduce list at stride 1 (skip from 0 is the identity).
    private const string AllOps =
        "Genotype(normal=[('sep_conv_5x5', 0), ('dil_conv_5x5', 1), ('avg_pool_3x3', 0), ('skip_connect', 2), " +
        "('max_pool_3x3', 3), ('sep_conv_3x3', 1), ('dil_conv_3x3', 4), ('skip_connect', 0)], normal_concat=range(2, 6), " +
        "reduce=[('skip_connect', 0), ('sep_conv_3x3', 1), ('avg_pool_3x3', 1), ('dil_conv_5x5', 2), " +
        "('max_pool_3x3', 0), ('skip_connect', 3), ('sep_conv_5x5', 4), ('dil_conv_3x3', 1)], reduce_concat=[2, 3, 4, 5])";

    private static EvalNetworkSpec Spec(int layers, int channels, int enhancement, int inChannels, int size, int classes = 10) =>
        new(SearchSpace.Broad, layers, channels, enhancement, inChannels, size, classes);

    [Theory]
    [InlineData(BroadCountingTests.ClrV1, 3_338_074)]
    [InlineData(BroadCountingTests.PcV1, 3_678_682)]
    public void TheReleasedCellsBuildTheirPublishedParameterCounts(string text, long expected)
    {
        // C = 48, 6 deep + 2 enhancement cells, CIFAR: methods.md §1.8 ([count], the BNAS-v2 figures 3.34 M / 3.68 M).
        var genotype = GenotypeText.Parse(text);
        var spec = Spec(6, 48, 2, 3, 32);
        using var g = new Generator(0);
        using var net = (BroadEvalNetwork)spec.Create(genotype, g, auxiliary: false);
        Assert.Equal(expected, net.Parameters().Sum(t => t.Numel));
        Assert.Equal(expected, spec.Cost(genotype).Params);
        Assert.Null(net.Auxiliary);
    }

    /// <summary>The real tensors' count against the oracle, a PyTorch NetworkBCNN written from §4.3, at other depths, widths, inputs and genotypes.</summary>
    [Theory]
    [InlineData(BroadCountingTests.ClrV2, 16, 3, 32, 6, 2)]
    [InlineData(BroadCountingTests.PcV2, 8, 1, 28, 6, 1)]
    [InlineData(BroadCountingTests.PcV1, 8, 1, 28, 3, 1)]
    [InlineData(AllOps, 6, 3, 16, 4, 3)]
    [InlineData(CountingTests.DartsV2, 8, 1, 28, 9, 2)]
    public void TheBuiltNetworksParametersMatchThePyTorchOracle(string text, int channels, int inChannels, int size, int deep, int enhancement)
    {
        var genotype = GenotypeText.Parse(text);
        using var g = new Generator(1);
        using var net = Spec(deep, channels, enhancement, inChannels, size).Create(genotype, g, auxiliary: false);
        var file = Path.GetTempFileName();
        File.WriteAllText(file, text);
        try
        {
            var output = Oracle("count", $"{channels}", $"{inChannels}", $"{size}", "10", $"{deep}", "2", $"{enhancement}", file);
            Assert.Equal(long.Parse(output.Trim()), net.Parameters().Sum(t => t.Numel));
        }
        finally { File.Delete(file); }
    }

    [Theory]
    [InlineData(1, 28, 4, ForwardMode.Reference)] // 28 -> 14 -> 7: the taps and enhancement cells at 7x7
    [InlineData(3, 16, 3, ForwardMode.Reference)] // 16 -> 8 -> 4, reductions at cells 0 and 1 (D = 3)
    [InlineData(1, 28, 4, ForwardMode.Batched)]
    [InlineData(3, 16, 3, ForwardMode.Batched)]
    public void TrainAndEvalLogitsMatchThePyTorchOracleWithTheSameWeights(int inChannels, int size, int deep, ForwardMode mode)
    {
        var genotype = GenotypeText.Parse(AllOps);
        using var g = new Generator(11);
        using var net = (BroadEvalNetwork)Spec(deep, 4, 2, inChannels, size, classes: 5).Create(genotype, g, auxiliary: false);
        using var input = Tensor.Randn([3, inChannels, size, size], g);
        var dir = Directory.CreateTempSubdirectory("nas-bcnn-").FullName;
        try
        {
            // Written before our training forward: both sides start from the same running statistics.
            var tensors = net.Named().Append(("input", input)).ToList();
            foreach (var (name, t) in tensors)
                File.WriteAllBytes(Path.Combine(dir, name + ".bin"), t.ToFloatArray().SelectMany(BitConverter.GetBytes).ToArray());
            var manifest = new
            {
                config = new { channels = 4, classes = 5, layers = deep, pool_time = 2, en_layers = 2, genotype = genotype.ToDartsString() },
                tensors = tensors.ToDictionary(t => t.Item1, t => t.Item2.Shape),
            };
            File.WriteAllText(Path.Combine(dir, "manifest.json"), JsonSerializer.Serialize(manifest));

            float[] trainLogits, evalLogits;
            using (var scope = new TensorScope())
            {
                var (logits, aux) = net.Forward(input, training: true, scope, mode: mode);
                Assert.Null(aux);
                trainLogits = logits.ToFloatArray();
            }
            using (NoGrad.Enter())
            using (var scope = new TensorScope())
                evalLogits = net.Forward(input, training: false, scope, mode: mode).Logits.ToFloatArray();

            Oracle("forward", dir);
            // 1e-5 absolute, as the stacked network's oracle test (float32 on the same libtorch; summation order may differ).
            OracleFloats.AssertClose(OracleFloats.Read(dir, "train_logits.bin"), trainLogits, "train logit");
            OracleFloats.AssertClose(OracleFloats.Read(dir, "eval_logits.bin"), evalLogits, "eval logit");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void AForwardOnATinyInputGivesOneLogitPerClassPerImage()
    {
        using var g = new Generator(2);
        using var net = Spec(3, 4, 1, 1, 8, classes: 7).Create(GenotypeText.Parse(BroadCountingTests.ClrV1), g, auxiliary: false);
        using var x = Tensor.Randn([2, 1, 8, 8], g);
        using var scope = new TensorScope();
        var (logits, aux) = net.Forward(x, training: true, scope, dropPath: 0.3, g);
        Assert.Equal([2L, 7L], logits.Shape);
        Assert.Null(aux);
    }

    [Fact]
    public void TrainingStepsOnOneRepeatedBatchLowerItsLoss()
    {
        var source = DatasetSource.Parse("synthetic:1x16x16:256");
        var (train, test) = (source.LoadTrain(), source.LoadTest());
        // One batch of 32 images seen 12 times (subset = batch): the loss on it must fall well below its start.
        var config = TrainConfig.For(SearchSpace.Broad) with { Layers = 3, Channels = 8, EnhancementCells = 1, Epochs = 1, Batch = 32, Lr = 0.05, DropPath = 0, Cutout = false, Seed = 3 };
        using var trainer = new Trainer(config, GenotypeText.Parse(BroadCountingTests.PcV1), train.Take(32), test);
        Assert.IsType<BroadEvalNetwork>(trainer.Network);
        var first = trainer.Step(config.Lr, 0).Loss;
        var last = first;
        for (var i = 0; i < 11; i++) last = trainer.Step(config.Lr, 0).Loss;
        Assert.True(last < 0.7 * first, $"loss went from {first} to {last}");
    }

    [Fact]
    public void AnEpochWithDropPathAndCutoutLeavesTheLiveTensorCountWhereItStarted()
    {
        var source = DatasetSource.Parse("synthetic:1x16x16:128");
        var (train, test) = (source.LoadTrain(), source.LoadTest());
        var before = Tensor.LiveCount;
        var config = TrainConfig.For(SearchSpace.Broad) with { Layers = 3, Channels = 4, EnhancementCells = 2, Epochs = 2, Batch = 64, Seed = 4 };
        using (var trainer = new Trainer(config, GenotypeText.Parse(BroadCountingTests.ClrV2), train, test))
        {
            var result = trainer.RunEpoch(1);
            Assert.Equal(0.15, result.DropPath, 12); // 0.3 · 1/2: the paper's 0.3 ramped linearly
            Assert.True(double.IsFinite(result.TrainLoss) && double.IsFinite(result.TestLoss));
        }
        Assert.Equal(before, Tensor.LiveCount);
    }

    [Fact]
    public void TheZeroOpIsRefusedNamingItsListAndPair()
    {
        var text = BroadCountingTests.ClrV1.Replace("reduce=[('avg_pool_3x3', 0), ('dil_conv_3x3', 1)", "reduce=[('avg_pool_3x3', 0), ('none', 1)");
        var e = Assert.Throws<ArgumentException>(() => Spec(6, 8, 2, 3, 32).Check(GenotypeText.Parse(text)));
        Assert.Contains("reduce pair 1 is 'none'", e.Message);
    }

    [Fact]
    public void AnAuxiliaryHeadIsRefusedBecauseTheBcnnHasNone()
    {
        using var g = new Generator(0);
        var e = Assert.Throws<ArgumentException>(() => Spec(6, 8, 2, 3, 32).Create(GenotypeText.Parse(BroadCountingTests.ClrV1), g, auxiliary: true));
        Assert.Contains("no auxiliary head", e.Message);
    }

    [Theory]
    [InlineData(1, 2, 32, "cannot hold 2 reductions")]   // one deep cell
    [InlineData(6, 0, 32, "at least 1 enhancement cell")]
    [InlineData(6, 2, 14, "even")]                       // 14 -> 7 -> a reduction of a 7x7 map
    public void SizesTheBcnnCannotHoldAreRefusedNamingWhy(int deep, int enhancement, int size, string says)
    {
        var e = Assert.Throws<ArgumentException>(() => Spec(deep, 8, enhancement, 3, size).Check(GenotypeText.Parse(BroadCountingTests.ClrV1)));
        Assert.Contains(says, e.Message);
    }

    [Fact]
    public void UnequalCellWidthsAreRefused()
    {
        var text = BroadCountingTests.ClrV1.Replace("reduce_concat=range(2, 6)", "reduce_concat=[2, 3, 4]");
        var e = Assert.Throws<ArgumentException>(() => Spec(6, 8, 2, 3, 32).Check(GenotypeText.Parse(text)));
        Assert.Contains("normal_concat has 4 states but reduce_concat has 3", e.Message);
    }

    private static string Oracle(params string[] args)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3", [SupernetForwardTests.OraclePath("bcnn_eval.py"), .. args])
            { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, "oracle failed: " + err);
        return output.Result;
    }
}
