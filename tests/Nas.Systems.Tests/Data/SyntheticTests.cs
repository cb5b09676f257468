// Tests for the synthetic grating data set: seeded, balanced, equal mean per class, and learnable.
using Nas.Systems.Data;

namespace Nas.Systems.Tests.Data;

public sealed class SyntheticTests
{
    private static readonly SyntheticSpec Small = new(Channels: 1, Height: 16, Width: 16, TrainCount: 2_000, TestCount: 500);

    [Fact]
    public void TheSameSeedGivesTheSameBytes()
    {
        var a = Synthetic.LoadTrain(Small);
        var b = Synthetic.LoadTrain(Small);
        Assert.True(a.Pixels.SequenceEqual(b.Pixels));
        Assert.False(a.Pixels.SequenceEqual(Synthetic.LoadTrain(Small with { Seed = 1 }).Pixels));
    }

    [Fact]
    public void TheTestPartDiffersFromTrainButSharesItsNormalisation()
    {
        var train = Synthetic.LoadTrain(Small);
        var test = Synthetic.LoadTest(Small);
        Assert.Equal(500, test.Count);
        Assert.False(train.Pixels[..(500 * 256)].SequenceEqual(test.Pixels));
        Assert.Equal(train.Mean.ToArray(), test.Mean.ToArray());
        Assert.Equal(train.Std.ToArray(), test.Std.ToArray());
    }

    [Fact]
    public void LabelsCycleSoEveryClassIsEquallyFrequent()
    {
        var data = Synthetic.LoadTrain(Small);
        Assert.All(data.Labels.ToArray().CountBy(l => l), kv => Assert.Equal(200, kv.Value));
    }

    // Tolerance: a class mean over 200 images of 256 pixels; the per-image mean of a windowed grating
    // varies by a few hundredths, so 0.01 is about 5 standard errors.
    [Fact]
    public void EveryClassHasTheSameMeanIntensity()
    {
        var data = Synthetic.LoadTrain(Small);
        var sums = new double[10];
        for (var i = 0; i < data.Count; i++) sums[data.Label(i)] += data.Image(i).ToArray().Average(b => b / 255.0);
        var means = sums.Select(s => s / 200).ToArray();
        Assert.All(means, m => Assert.Equal(0.5, m, 0.01));
    }

    // Learnable: oriented-difference energies (lag 1 and 2 in four directions) with a nearest-centroid rule
    // beat chance (10 %) by far; mean intensity alone would not.
    [Fact]
    public void ANearestCentroidOnOrientedEnergiesBeatsChanceByFar()
    {
        var train = Synthetic.LoadTrain(Small);
        var test = Synthetic.LoadTest(Small);
        var centroids = new double[10, 8];
        for (var i = 0; i < train.Count; i++)
        {
            var f = Features(train, i);
            for (var k = 0; k < 8; k++) centroids[train.Label(i), k] += f[k] / 200;
        }
        var correct = 0;
        for (var i = 0; i < test.Count; i++)
        {
            var f = Features(test, i);
            var best = Enumerable.Range(0, 10).MinBy(c => Enumerable.Range(0, 8).Sum(k => Math.Pow(f[k] - centroids[c, k], 2)));
            if (best == test.Label(i)) correct++;
        }
        Assert.True(correct > test.Count / 2, $"accuracy {correct}/{test.Count}");
    }

    private static double[] Features(Dataset data, int index)
    {
        var image = data.Image(index);
        int h = data.Height, w = data.Width;
        (int Dy, int Dx)[] offsets = [(0, 1), (1, 0), (1, 1), (1, -1), (0, 2), (2, 0), (2, 2), (2, -2)];
        var features = new double[offsets.Length];
        for (var k = 0; k < offsets.Length; k++)
        {
            var (dy, dx) = offsets[k];
            double sum = 0;
            for (var y = 2; y < h - 2; y++)
                for (var x = 2; x < w - 2; x++)
                {
                    double d = image[y * w + x] - image[(y + dy) * w + x + dx];
                    sum += d * d;
                }
            features[k] = sum / 255.0 / 255.0;
        }
        var total = features.Sum();
        return features.Select(f => f / total).ToArray();
    }
}
