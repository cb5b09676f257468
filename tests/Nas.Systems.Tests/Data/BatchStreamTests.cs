// Tests for BatchStream: determinism, one visit per index per epoch, save/restore, tensor shapes and ownership.
using Nas.Components;
using Nas.Systems.Data;
using Nas.Torch;

namespace Nas.Systems.Tests.Data;

[Collection(LiveTensorCollection.Name)] // reads the process-wide live-tensor count
public sealed class BatchStreamTests
{
    // 103 images in batches of 10: 11 steps per epoch, the last one of 3 images.
    private static Dataset Data() => Synthetic.LoadTrain(new SyntheticSpec(Channels: 2, Height: 6, Width: 5, TrainCount: 103, TestCount: 10));

    private static BatchStream Stream(ulong seed = 7, Augmentation? augmentation = null, IndexRange? range = null)
    {
        var data = Data();
        return new BatchStream(data, range ?? IndexRange.All(data), 10, seed, augmentation ?? Augmentation.ForSearch(6));
    }

    private static (float[] Images, long[] Labels) Take(BatchStream stream)
    {
        var images = new float[10 * stream.Data.ImageSize];
        var labels = new long[10];
        var n = stream.Fill(images, labels);
        return (images[..(n * stream.Data.ImageSize)], labels[..n]);
    }

    [Fact]
    public void TheSameSeedGivesTheSameBatches()
    {
        var a = Stream();
        var b = Stream();
        for (var step = 0; step < 25; step++)
        {
            var (ia, la) = Take(a);
            var (ib, lb) = Take(b);
            Assert.Equal(ia, ib);
            Assert.Equal(la, lb);
        }
    }

    [Fact]
    public void ADifferentSeedGivesADifferentOrder() =>
        Assert.NotEqual(Stream(seed: 1).PeekIndices().ToArray(), Stream(seed: 2).PeekIndices().ToArray());

    [Fact]
    public void EveryIndexOfTheRangeIsVisitedOncePerEpochAndTheLastBatchIsShort()
    {
        var stream = Stream(range: new IndexRange(40, 63));
        Assert.Equal(7, stream.StepsPerEpoch);
        var epochs = new List<int[]>();
        for (var epoch = 0; epoch < 2; epoch++)
        {
            var seen = new List<int>();
            for (var step = 0; step < stream.StepsPerEpoch; step++)
            {
                seen.AddRange(stream.PeekIndices().ToArray());
                var (_, labels) = Take(stream);
                Assert.Equal(step < 6 ? 10 : 3, labels.Length);
            }
            Assert.Equal(Enumerable.Range(40, 63), seen.Order());
            Assert.Equal(new BatchStreamState(7, epoch + 1, 0), stream.State);
            epochs.Add([.. seen]);
        }
        Assert.NotEqual(epochs[0], epochs[1]);
    }

    [Fact]
    public void StepsPerEpochRoundsUpAsTheReferenceLoaderDoes()
    {
        // quark0/darts: 25,000 images in batches of 64 give 391 steps (methods.md §2.2).
        var data = Synthetic.LoadTrain(new SyntheticSpec(Channels: 1, Height: 4, Width: 4, TrainCount: 50_000, TestCount: 1));
        Assert.Equal(391, new BatchStream(data, Split.Darts(data).Weights, 64, seed: 0).StepsPerEpoch);
    }

    [Fact]
    public void RestoringASavedStateMidEpochContinuesWithTheSameBatches()
    {
        var original = Stream();
        for (var i = 0; i < 8; i++) Take(original);
        var saved = original.State;
        Assert.Equal(new BatchStreamState(7, 0, 80), saved);
        // Continue across the epoch boundary (steps 9..11 of epoch 0, then epoch 1).
        var expected = Enumerable.Range(0, 6).Select(_ => Take(original)).ToArray();

        var resumed = Stream();
        resumed.State = saved;
        for (var i = 0; i < expected.Length; i++)
        {
            var (images, labels) = Take(resumed);
            Assert.Equal(expected[i].Images, images);
            Assert.Equal(expected[i].Labels, labels);
        }
        Assert.Equal(original.State, resumed.State);
    }

    [Fact]
    public void AStateOutsideTheRangeIsRejected()
    {
        var stream = Stream();
        Assert.Throws<ArgumentOutOfRangeException>(() => stream.State = new BatchStreamState(7, 0, 103));
        Assert.Throws<ArgumentOutOfRangeException>(() => stream.State = new BatchStreamState(7, -1, 0));
    }

    [Fact]
    public void AnUnshuffledUnaugmentedStreamYieldsTheNormalisedImagesInOrder()
    {
        var data = Data();
        var stream = new BatchStream(data, IndexRange.All(data), 10, seed: 0, Augmentation.None, shuffle: false);
        Take(stream);
        var (images, labels) = Take(stream);
        Assert.Equal(Enumerable.Range(10, 10).Select(i => (long)data.Label(i)), labels);
        var plane = data.Height * data.Width;
        for (var k = 0; k < data.ImageSize; k++)
        {
            var c = k / plane;
            var expected = ((float)data.Image(13)[k] / 255f - data.Mean[c]) / data.Std[c];
            Assert.Equal(expected, images[3 * data.ImageSize + k]);
        }
    }

    [Fact]
    public void NextReturnsFloatImagesAndLongLabelsOwnedByTheScope()
    {
        var stream = Stream();
        var baseline = Tensor.LiveCount;
        var (expectedImages, expectedLabels) = Take(Stream());
        using (var scope = new TensorScope())
        {
            var batch = stream.Next(scope);
            Assert.Equal((0, 10), (batch.Epoch, batch.Size));
            Assert.Equal(DType.Float32, batch.Images.DType);
            Assert.Equal(new long[] { 10, 2, 6, 5 }, batch.Images.Shape);
            Assert.Equal(DType.Int64, batch.Labels.DType);
            Assert.Equal(expectedImages, batch.Images.ToFloatArray());
            Assert.Equal(expectedLabels, batch.Labels.ToLongArray());
            Assert.Equal(2, scope.Count);
        }
        Assert.Equal(baseline, Tensor.LiveCount);
    }
}
