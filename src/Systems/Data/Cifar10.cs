// Reads CIFAR-10 binary batches (data_batch_1..5.bin, test_batch.bin): records of 1 label byte + R, G, B planes of 32×32.
namespace Nas.Systems.Data;

public static class Cifar10
{
    public const int Side = 32;
    public const int Channels = 3;
    public const int Classes = 10;
    public const int RecordSize = 1 + Channels * Side * Side;

    public static IReadOnlyList<string> TrainFiles { get; } = ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];
    public const string TestFile = "test_batch.bin";

    // quark0/darts cnn/utils.py (methods.md §1.1).
    public static ReadOnlySpan<float> Mean => [0.49139968f, 0.48215827f, 0.44653124f];
    public static ReadOnlySpan<float> Std => [0.24703233f, 0.24348505f, 0.26158768f];

    /// <summary>The five training batches concatenated in file order (50,000 images for the real set).</summary>
    public static Dataset LoadTrain(string directory) => Load(directory, TrainFiles, "cifar10/train");

    public static Dataset LoadTest(string directory) => Load(directory, [TestFile], "cifar10/test");

    private static Dataset Load(string directory, IReadOnlyList<string> files, string name)
    {
        if (!Directory.Exists(directory))
            throw new DatasetException($"CIFAR-10 folder {directory} does not exist (expected the binary version: {string.Join(", ", TrainFiles)}, {TestFile})");
        var paths = files.Select(f => Path.Combine(directory, f)).ToArray();
        long total = 0;
        foreach (var path in paths)
        {
            var file = Path.GetFileName(path);
            if (!File.Exists(path)) throw new DatasetException($"{file}: file not found in {directory}");
            var length = new FileInfo(path).Length;
            if (length == 0 || length % RecordSize != 0)
                throw new DatasetException($"{file}: size {length} bytes is not a positive multiple of the record size {RecordSize} " +
                    $"(record {length / RecordSize} is cut after {length % RecordSize} bytes)");
            total += length / RecordSize;
        }
        if (total * (RecordSize - 1) > Array.MaxLength) throw new DatasetException($"{directory}: {total} CIFAR-10 records are too many to hold in memory");

        var count = (int)total;
        var pixels = new byte[(long)count * (RecordSize - 1)];
        var labels = new byte[count];
        var record = new byte[RecordSize];
        var next = 0;
        foreach (var path in paths)
        {
            var file = Path.GetFileName(path);
            using var stream = File.OpenRead(path);
            for (var r = 0; ; r++)
            {
                var read = stream.ReadAtLeast(record, RecordSize, throwOnEndOfStream: false);
                if (read == 0) break;
                // The size was checked above; a shorter read means the file changed while we read it.
                if (read < RecordSize) throw new DatasetException($"{file}: record {r} is cut after {read} bytes");
                if (record[0] >= Classes) throw new DatasetException($"{file}: record {r}: label {record[0]}, expected 0..{Classes - 1}");
                labels[next] = record[0];
                record.AsSpan(1).CopyTo(pixels.AsSpan(next * (RecordSize - 1)));
                next++;
            }
        }
        if (next != count) throw new DatasetException($"{directory}: read {next} records, expected {count}; did the files change while reading?");
        return new Dataset(name, pixels, labels, Channels, Side, Side, Classes, Mean, Std);
    }

    /// <summary>Writes images in the CIFAR-10 binary record format (for tests and for exporting small sets).</summary>
    public static void Write(string path, ReadOnlySpan<byte> pixels, ReadOnlySpan<byte> labels)
    {
        const int imageSize = RecordSize - 1;
        if (pixels.Length != labels.Length * imageSize) throw new ArgumentException($"{pixels.Length} pixel bytes do not hold {labels.Length} 3x32x32 images");
        using var stream = File.Create(path);
        for (var i = 0; i < labels.Length; i++)
        {
            stream.WriteByte(labels[i]);
            stream.Write(pixels.Slice(i * imageSize, imageSize));
        }
    }
}
