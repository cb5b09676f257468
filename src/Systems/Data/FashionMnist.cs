// Reads Fashion-MNIST from gzip IDX files (Debian's dataset-fashion-mnist), validating magic, dims and counts.
using System.Buffers.Binary;
using System.IO.Compression;

namespace Nas.Systems.Data;

public static class FashionMnist
{
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";
    public const int ImageMagic = 2051;
    public const int LabelMagic = 2049;
    public const int Side = 28;
    public const int Classes = 10;

    // Pixel statistics of the 60,000 training images in [0, 1] units, float64 over all pixels
    // (numpy on the Debian files; FashionMnistTests recomputes them). pt.darts (DropNAS) uses the same.
    public static ReadOnlySpan<float> Mean => [0.2860405969887955f];
    public static ReadOnlySpan<float> Std => [0.35302424451492237f];

    public static Dataset LoadTrain(string directory = DefaultDirectory) =>
        Load(directory, "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "fashion-mnist/train");

    public static Dataset LoadTest(string directory = DefaultDirectory) =>
        Load(directory, "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "fashion-mnist/test");

    private static Dataset Load(string directory, string imageFile, string labelFile, string name)
    {
        if (!Directory.Exists(directory)) throw new DatasetException(MissingFolderMessage(directory));
        var (pixels, count, rows, cols) = ReadImages(Path.Combine(directory, imageFile));
        if (rows != Side || cols != Side)
            throw new DatasetException($"{imageFile}: image size {rows}x{cols}, expected {Side}x{Side}");
        var labels = ReadLabels(Path.Combine(directory, labelFile));
        if (labels.Length != count)
            throw new DatasetException($"{labelFile}: count {labels.Length} does not match the {count} images of {imageFile}");
        for (var i = 0; i < labels.Length; i++)
            if (labels[i] >= Classes) throw new DatasetException($"{labelFile}: label {labels[i]} of item {i}, expected 0..{Classes - 1}");
        return new Dataset(name, pixels, labels, 1, rows, cols, Classes, Mean, Std);
    }

    internal static string MissingFolderMessage(string directory) => directory == DefaultDirectory
        ? $"Fashion-MNIST folder {directory} does not exist; install it with `sudo apt-get install dataset-fashion-mnist`, or give --dataset fashion-mnist:DIR"
        : $"Fashion-MNIST folder {directory} does not exist";

    /// <summary>Reads an IDX3 image file (gzip): magic 2051, then count, rows, cols as big-endian int32, then the bytes.</summary>
    public static (byte[] Pixels, int Count, int Rows, int Cols) ReadImages(string path)
    {
        using var stream = OpenGzip(path);
        var file = Path.GetFileName(path);
        Span<byte> header = stackalloc byte[16];
        ReadExactly(stream, header, file, "header");
        var magic = BinaryPrimitives.ReadInt32BigEndian(header);
        if (magic != ImageMagic) throw new DatasetException($"{file}: magic {magic}, expected {ImageMagic}");
        var count = Positive(file, "count", BinaryPrimitives.ReadInt32BigEndian(header[4..]));
        var rows = Positive(file, "rows", BinaryPrimitives.ReadInt32BigEndian(header[8..]));
        var cols = Positive(file, "cols", BinaryPrimitives.ReadInt32BigEndian(header[12..]));
        long size = (long)count * rows * cols;
        if (size > Array.MaxLength) throw new DatasetException($"{file}: {count} images of {rows}x{cols} are too many to hold in memory");
        var pixels = new byte[size];
        ReadExactly(stream, pixels, file, $"pixel data ({count} images of {rows}x{cols})");
        return (pixels, count, rows, cols);
    }

    /// <summary>Reads an IDX1 label file (gzip): magic 2049, then count as big-endian int32, then one byte per label.</summary>
    public static byte[] ReadLabels(string path)
    {
        using var stream = OpenGzip(path);
        var file = Path.GetFileName(path);
        Span<byte> header = stackalloc byte[8];
        ReadExactly(stream, header, file, "header");
        var magic = BinaryPrimitives.ReadInt32BigEndian(header);
        if (magic != LabelMagic) throw new DatasetException($"{file}: magic {magic}, expected {LabelMagic}");
        var count = Positive(file, "count", BinaryPrimitives.ReadInt32BigEndian(header[4..]));
        var labels = new byte[count];
        ReadExactly(stream, labels, file, $"labels ({count})");
        return labels;
    }

    private static GZipStream OpenGzip(string path)
    {
        if (!File.Exists(path)) throw new DatasetException($"{Path.GetFileName(path)}: file not found at {path}");
        return new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
    }

    private static int Positive(string file, string field, int value) =>
        value > 0 ? value : throw new DatasetException($"{file}: {field} {value}, expected a positive number");

    private static void ReadExactly(Stream stream, Span<byte> buffer, string file, string what)
    {
        var read = 0;
        try
        {
            while (read < buffer.Length)
            {
                var n = stream.Read(buffer[read..]);
                if (n == 0) break;
                read += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw new DatasetException($"{file}: corrupt gzip data in the {what}: {e.Message}", e);
        }
        if (read < buffer.Length)
            throw new DatasetException($"{file}: file ends in the {what} after {read} of {buffer.Length} bytes");
    }
}
