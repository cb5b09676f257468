// Tests for the CIFAR-10 binary reader on small files written in its record format.
using Nas.Systems.Data;

namespace Nas.Systems.Tests.Data;

public sealed class Cifar10Tests
{
    private const int ImageSize = 3 * 32 * 32;

    private static (byte[] Pixels, byte[] Labels) Records(int count, int salt)
    {
        var pixels = Enumerable.Range(0, count * ImageSize).Select(i => (byte)((i + salt) * 31 % 256)).ToArray();
        var labels = Enumerable.Range(0, count).Select(i => (byte)((i + salt) % 10)).ToArray();
        return (pixels, labels);
    }

    private static TempFolder WriteAll(params int[] countsPerTrainFile)
    {
        var folder = new TempFolder();
        for (var f = 0; f < 5; f++)
        {
            var (p, l) = Records(countsPerTrainFile[f], f);
            Cifar10.Write(folder.File($"data_batch_{f + 1}.bin"), p, l);
        }
        var (tp, tl) = Records(2, 100);
        Cifar10.Write(folder.File("test_batch.bin"), tp, tl);
        return folder;
    }

    [Fact]
    public void TheFiveTrainingBatchesAreConcatenatedInFileOrder()
    {
        using var folder = WriteAll(2, 1, 3, 1, 2);
        var train = Cifar10.LoadTrain(folder.Path);

        Assert.Equal((9, 3, 32, 32, 10), (train.Count, train.Channels, train.Height, train.Width, train.Classes));
        var (p3, l3) = Records(3, 2);
        // Image 3 is the first record of data_batch_3.bin (after 2 + 1 records).
        Assert.Equal(l3[0], train.Label(3));
        Assert.Equal(p3.AsSpan(0, ImageSize).ToArray(), train.Image(3).ToArray());
        Assert.Equal(Cifar10.Mean.ToArray(), train.Mean.ToArray());
    }

    [Fact]
    public void TheTestBatchIsReadAlone()
    {
        using var folder = WriteAll(1, 1, 1, 1, 1);
        var test = Cifar10.LoadTest(folder.Path);
        var (p, l) = Records(2, 100);
        Assert.Equal(l, test.Labels.ToArray());
        Assert.Equal(p, test.Pixels.ToArray());
    }

    [Fact]
    public void AFileWhoseSizeIsNotAMultipleOfTheRecordNamesTheFileAndTheCutRecord()
    {
        using var folder = WriteAll(1, 1, 1, 1, 1);
        using (var s = File.OpenWrite(folder.File("data_batch_4.bin"))) s.SetLength(3073 + 100);
        var e = Assert.Throws<DatasetException>(() => Cifar10.LoadTrain(folder.Path));
        Assert.Equal("data_batch_4.bin: size 3173 bytes is not a positive multiple of the record size 3073 (record 1 is cut after 100 bytes)", e.Message);
    }

    [Fact]
    public void ALabelOutsideTheTenClassesNamesTheFileAndRecord()
    {
        using var folder = WriteAll(1, 1, 1, 1, 1);
        var (p, _) = Records(3, 0);
        Cifar10.Write(folder.File("test_batch.bin"), p, [1, 2, 12]);
        var e = Assert.Throws<DatasetException>(() => Cifar10.LoadTest(folder.Path));
        Assert.Equal("test_batch.bin: record 2: label 12, expected 0..9", e.Message);
    }

    [Fact]
    public void AMissingBatchFileIsNamed()
    {
        using var folder = WriteAll(1, 1, 1, 1, 1);
        File.Delete(folder.File("data_batch_5.bin"));
        var e = Assert.Throws<DatasetException>(() => Cifar10.LoadTrain(folder.Path));
        Assert.StartsWith("data_batch_5.bin: file not found", e.Message);
    }
}
