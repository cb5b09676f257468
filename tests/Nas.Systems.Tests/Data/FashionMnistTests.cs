// Tests for the Fashion-MNIST gzip IDX reader: small files written here, plus the real Debian files when installed.
using System.Security.Cryptography;
using Nas.Systems.Data;

namespace Nas.Systems.Tests.Data;

/// <summary>A fact that runs only when Debian's dataset-fashion-mnist is installed.</summary>
public sealed class RealFashionMnistFactAttribute : FactAttribute
{
    public RealFashionMnistFactAttribute()
    {
        if (!File.Exists(Path.Combine(FashionMnist.DefaultDirectory, "train-images-idx3-ubyte.gz")))
            Skip = "dataset-fashion-mnist is not installed (apt-get install dataset-fashion-mnist)";
    }
}

public sealed class FashionMnistTests
{
    private static byte[] Pixels(int count) => Enumerable.Range(0, count * 28 * 28).Select(i => (byte)(i * 7 % 251)).ToArray();

    private static void WriteSet(TempFolder folder, string prefix, int count, int imageMagic = 2051, int labelMagic = 2049, int labelCount = -1)
    {
        folder.WriteIdx($"{prefix}-images-idx3-ubyte.gz", imageMagic, [count, 28, 28], Pixels(count));
        var labels = Enumerable.Range(0, labelCount < 0 ? count : labelCount).Select(i => (byte)(i % 10)).ToArray();
        folder.WriteIdx($"{prefix}-labels-idx1-ubyte.gz", labelMagic, [labels.Length], labels);
    }

    [Fact]
    public void SmallIdxFilesAreReadWithTheirPixelsLabelsAndShape()
    {
        using var folder = new TempFolder();
        WriteSet(folder, "train", 5);
        WriteSet(folder, "t10k", 3);

        var train = FashionMnist.LoadTrain(folder.Path);
        var test = FashionMnist.LoadTest(folder.Path);

        Assert.Equal((5, 1, 28, 28, 10), (train.Count, train.Channels, train.Height, train.Width, train.Classes));
        Assert.Equal(3, test.Count);
        Assert.Equal(Pixels(5), train.Pixels.ToArray());
        Assert.Equal(new byte[] { 0, 1, 2, 3, 4 }, train.Labels.ToArray());
        Assert.Equal(Pixels(5).AsSpan(784, 784).ToArray(), train.Image(1).ToArray());
    }

    [Fact]
    public void ABadImageMagicNamesTheFileAndBothNumbers()
    {
        using var folder = new TempFolder();
        WriteSet(folder, "train", 2, imageMagic: 1234);
        var e = Assert.Throws<DatasetException>(() => FashionMnist.LoadTrain(folder.Path));
        Assert.Equal("train-images-idx3-ubyte.gz: magic 1234, expected 2051", e.Message);
    }

    [Fact]
    public void ABadLabelMagicNamesTheLabelFile()
    {
        using var folder = new TempFolder();
        WriteSet(folder, "t10k", 2, labelMagic: 2051);
        var e = Assert.Throws<DatasetException>(() => FashionMnist.LoadTest(folder.Path));
        Assert.Equal("t10k-labels-idx1-ubyte.gz: magic 2051, expected 2049", e.Message);
    }

    [Fact]
    public void AShortImageFileNamesTheFileAndHowMuchWasRead()
    {
        using var folder = new TempFolder();
        folder.WriteIdx("train-images-idx3-ubyte.gz", 2051, [3, 28, 28], Pixels(2));
        var e = Assert.Throws<DatasetException>(() => FashionMnist.ReadImages(folder.File("train-images-idx3-ubyte.gz")));
        Assert.StartsWith("train-images-idx3-ubyte.gz: file ends in the pixel data", e.Message);
        Assert.Contains($"after {2 * 784} of {3 * 784} bytes", e.Message);
    }

    [Fact]
    public void ATruncatedHeaderNamesTheFile()
    {
        using var folder = new TempFolder();
        folder.WriteIdx("train-labels-idx1-ubyte.gz", 2049, [], []);
        var e = Assert.Throws<DatasetException>(() => FashionMnist.ReadLabels(folder.File("train-labels-idx1-ubyte.gz")));
        Assert.Equal("train-labels-idx1-ubyte.gz: file ends in the header after 4 of 8 bytes", e.Message);
    }

    [Fact]
    public void ImagesOfTheWrongSizeAreRejected()
    {
        using var folder = new TempFolder();
        folder.WriteIdx("train-images-idx3-ubyte.gz", 2051, [1, 32, 28], new byte[32 * 28]);
        folder.WriteIdx("train-labels-idx1-ubyte.gz", 2049, [1], [0]);
        var e = Assert.Throws<DatasetException>(() => FashionMnist.LoadTrain(folder.Path));
        Assert.Equal("train-images-idx3-ubyte.gz: image size 32x28, expected 28x28", e.Message);
    }

    [Fact]
    public void LabelAndImageCountsMustAgree()
    {
        using var folder = new TempFolder();
        WriteSet(folder, "train", 4, labelCount: 3);
        var e = Assert.Throws<DatasetException>(() => FashionMnist.LoadTrain(folder.Path));
        Assert.Equal("train-labels-idx1-ubyte.gz: count 3 does not match the 4 images of train-images-idx3-ubyte.gz", e.Message);
    }

    [Fact]
    public void AMissingFolderSaysHowToInstallTheDebianPackage()
    {
        Assert.False(Directory.Exists("/nonexistent-nas"));
        var e = Assert.Throws<DatasetException>(() => FashionMnist.LoadTrain("/nonexistent-nas"));
        Assert.Contains("/nonexistent-nas does not exist", e.Message);
        // The install hint belongs to the default folder only; check its wording on the message builder's other branch.
        Assert.Contains("apt-get install dataset-fashion-mnist", FashionMnist.MissingFolderMessage(FashionMnist.DefaultDirectory));
    }

    [Fact]
    public void AMissingFileIsNamed()
    {
        using var folder = new TempFolder();
        var e = Assert.Throws<DatasetException>(() => FashionMnist.LoadTest(folder.Path));
        Assert.StartsWith("t10k-images-idx3-ubyte.gz: file not found", e.Message);
    }

    // Expected numbers: computed once with /usr/bin/python3 straight from the Debian files
    // (gzip.open(...).read()[16:16+784], hashlib.sha256, sum; numpy mean/std of all pixels / 255),
    // independently of this reader. The first training image is an ankle boot (label 9).
    [RealFashionMnistFact]
    public void TheRealFilesHoldSixtyThousandAndTenThousandImagesWithKnownFirstImages()
    {
        var train = FashionMnist.LoadTrain();
        var test = FashionMnist.LoadTest();

        Assert.Equal((60_000, 10_000), (train.Count, test.Count));
        Assert.InRange(train.Labels.ToArray().Max(), 0, 9);
        Assert.InRange(test.Labels.ToArray().Max(), 0, 9);
        Assert.All(train.Labels.ToArray().CountBy(l => l), kv => Assert.Equal(6_000, kv.Value)); // balanced, 10 classes
        Assert.Equal(new byte[] { 9, 0, 0, 3, 0, 2, 7, 2, 5, 5 }, train.Labels[..10].ToArray());
        Assert.Equal(new byte[] { 9, 2, 1, 1, 6, 1, 4, 6, 5, 7 }, test.Labels[..10].ToArray());
        Assert.Equal("5bd44e331a6d6998daf675700cd0c13dcd7af8ab954b7585124124da61459e7b", Convert.ToHexStringLower(SHA256.HashData(train.Image(0))));
        Assert.Equal(76_247, train.Image(0).ToArray().Sum(b => b));
        Assert.Equal("ffc7351ed0f8bae542820866086177fa4e0b366b97bf9d998dffdb8dbe138787", Convert.ToHexStringLower(SHA256.HashData(test.Image(0))));

        // The hard-coded normalisation constants are the training pixels' own statistics (float32 rounding: 1e-7).
        var (mean, std) = train.ChannelStatistics();
        Assert.Equal(0.2860405969887955, mean[0], 1e-12);
        Assert.Equal(0.35302424451492237, std[0], 1e-12);
        Assert.Equal(mean[0], FashionMnist.Mean[0], 1e-7);
        Assert.Equal(std[0], FashionMnist.Std[0], 1e-7);
    }
}
