// A few training steps of the evaluation network on synthetic data lower the loss and leave no tensors behind.
using Nas.Components;
using Nas.Systems.Data;
using Nas.Systems.Genotypes;
using Nas.Systems.Spaces.Eval;
using Nas.Systems.Train;
using Nas.Torch;

namespace Nas.Systems.Tests.Train;

[Collection(LiveTensorCollection.Name)]
public sealed class TrainerTests
{
    private static (Dataset Train, Dataset Test) Data()
    {
        var source = DatasetSource.Parse("synthetic:1x16x16:256");
        return (source.LoadTrain(), source.LoadTest());
    }

    [Fact]
    public void TrainingStepsOnOneRepeatedBatchLowerItsLoss()
    {
        var (train, test) = Data();
        // One batch of 32 images seen 12 times (subset = batch): the loss on it must fall well below its start.
        var config = new TrainConfig(Layers: 3, Channels: 8, Epochs: 1, Batch: 32, Lr: 0.05, DropPath: 0, Cutout: false, Seed: 3);
        using var trainer = new Trainer(config, GenotypeText.Parse(EvalNetworkTests.DartsV2), train.Take(32), test);
        var first = trainer.Step(config.Lr, 0).Loss;
        var last = first;
        for (var i = 0; i < 11; i++) last = trainer.Step(config.Lr, 0).Loss;
        Assert.True(last < 0.7 * first, $"loss went from {first} to {last}");
    }

    /// <summary>
    /// `nas train --kernels`: the same seed's first steps on the fast set agree with the reference's to float32 rounding
    /// (1e-4 relative on the loss after three SGD steps; the sets differ by summation order only, EvalNetworkForwardTests),
    /// and the fast set leaves no tensor behind either.
    /// </summary>
    [Fact]
    public void TheFastKernelSetTrainsLikeTheReference()
    {
        var (train, test) = Data();
        var before = Tensor.LiveCount;
        double[] Losses(ForwardMode kernels)
        {
            var config = new TrainConfig(Layers: 3, Channels: 8, Epochs: 1, Batch: 32, Lr: 0.05, DropPath: 0, Cutout: false, Seed: 3, Kernels: kernels);
            using var trainer = new Trainer(config, GenotypeText.Parse(EvalNetworkTests.DartsV2), train.Take(32), test);
            return Enumerable.Range(0, 3).Select(_ => trainer.Step(config.Lr, 0).Loss).ToArray();
        }
        var reference = Losses(ForwardMode.Reference);
        var fast = Losses(ForwardMode.Batched);
        for (var i = 0; i < reference.Length; i++)
            Assert.True(Math.Abs(fast[i] - reference[i]) <= 1e-4 * Math.Abs(reference[i]), $"step {i}: reference loss {reference[i]}, fast {fast[i]}");
        Assert.Equal(before, Tensor.LiveCount);
    }

    [Fact]
    public void AnEpochWithHeadDropPathAndCutoutLeavesTheLiveTensorCountWhereItStarted()
    {
        var (train, test) = Data();
        var before = Tensor.LiveCount;
        var config = new TrainConfig(Layers: 3, Channels: 4, Epochs: 2, Batch: 64, DropPath: 0.3, Seed: 4, EvalBatch: 100);
        using (var trainer = new Trainer(config, GenotypeText.Parse(EvalNetworkTests.DartsV2), train, test))
        {
            Assert.NotNull(trainer.Network.Auxiliary);
            var result = trainer.RunEpoch(1);
            Assert.Equal(0.15, result.DropPath, 12);
            Assert.InRange(result.TestAcc, 0, 1);
            Assert.True(double.IsFinite(result.TrainLoss) && double.IsFinite(result.TestLoss));
        }
        Assert.Equal(before, Tensor.LiveCount);
    }
}
