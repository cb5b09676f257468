// An image-classification data set held in managed memory: bytes N×C×H×W, byte labels, per-channel normalisation.
namespace Nas.Systems.Data;

/// <summary>
/// Images are stored as raw bytes (0..255) in N×C×H×W order, labels as bytes in 0..Classes-1.
/// <see cref="Mean"/> and <see cref="Std"/> are per channel in [0, 1] units, applied as
/// <c>(pixel / 255 - mean) / std</c>, the same as torchvision's ToTensor + Normalize.
/// A data set is immutable once built.
/// </summary>
public sealed class Dataset
{
    private readonly byte[] _pixels;
    private readonly byte[] _labels;
    private readonly float[] _mean;
    private readonly float[] _std;

    public Dataset(string name, byte[] pixels, byte[] labels, int channels, int height, int width, int classes,
        ReadOnlySpan<float> mean, ReadOnlySpan<float> std)
    {
        if (channels <= 0 || height <= 0 || width <= 0) throw new ArgumentException($"{name}: image shape {channels}x{height}x{width} must be positive");
        if (classes < 2 || classes > 256) throw new ArgumentException($"{name}: class count {classes} must be in 2..256");
        long imageSize = (long)channels * height * width;
        if (pixels.LongLength != imageSize * labels.LongLength)
            throw new ArgumentException($"{name}: {pixels.LongLength} pixel bytes do not hold {labels.Length} images of {channels}x{height}x{width}");
        if (mean.Length != channels || std.Length != channels)
            throw new ArgumentException($"{name}: normalisation needs one mean and one std per channel ({channels})");
        foreach (var s in std)
            if (!(s > 0)) throw new ArgumentException($"{name}: normalisation std {s} must be positive");
        for (var i = 0; i < labels.Length; i++)
            if (labels[i] >= classes) throw new ArgumentException($"{name}: label {labels[i]} of image {i} is not below the class count {classes}");
        Name = name;
        _pixels = pixels;
        _labels = labels;
        Channels = channels;
        Height = height;
        Width = width;
        Classes = classes;
        _mean = mean.ToArray();
        _std = std.ToArray();
    }

    public string Name { get; }
    public int Count => _labels.Length;
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public int Classes { get; }
    public int ImageSize => Channels * Height * Width;

    /// <summary>Per-channel mean in [0, 1] units.</summary>
    public ReadOnlySpan<float> Mean => _mean;

    /// <summary>Per-channel standard deviation in [0, 1] units.</summary>
    public ReadOnlySpan<float> Std => _std;

    /// <summary>All pixels, N×C×H×W bytes.</summary>
    public ReadOnlySpan<byte> Pixels => _pixels;

    public ReadOnlySpan<byte> Labels => _labels;

    /// <summary>The C×H×W bytes of image <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> Image(int index) => _pixels.AsSpan(checked(index * ImageSize), ImageSize);

    public int Label(int index) => _labels[index];

    /// <summary>
    /// The first <paramref name="count"/> images in file order (what <c>--subset N</c> means): deterministic,
    /// with no shuffling, so the DARTS split of the result is its first and second halves.
    /// The normalisation constants are kept, not recomputed.
    /// </summary>
    public Dataset Take(int count)
    {
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), $"--subset {count}: must be positive");
        if (count > Count) throw new ArgumentOutOfRangeException(nameof(count), $"--subset {count}: {Name} has only {Count} images");
        if (count == Count) return this;
        return new Dataset($"{Name}[:{count}]", _pixels[..(count * ImageSize)], _labels[..count],
            Channels, Height, Width, Classes, _mean, _std);
    }

    /// <summary>Per-channel mean and population std of all pixels in [0, 1] units, in double precision.</summary>
    public (double[] Mean, double[] Std) ChannelStatistics() => ChannelStatistics(_pixels, Channels, Height * Width);

    /// <summary>Per-channel mean and population std of N×C×(plane) bytes in [0, 1] units.</summary>
    public static (double[] Mean, double[] Std) ChannelStatistics(ReadOnlySpan<byte> pixels, int channels, int plane)
    {
        // Integer histograms per channel keep the sums exact however many images there are.
        var histogram = new long[channels, 256];
        for (var i = 0; i < pixels.Length; i++) histogram[i / plane % channels, pixels[i]]++;
        var mean = new double[channels];
        var std = new double[channels];
        for (var c = 0; c < channels; c++)
        {
            double sum = 0, sumSq = 0;
            long n = 0;
            for (var v = 0; v < 256; v++)
            {
                var x = v / 255.0;
                sum += histogram[c, v] * x;
                sumSq += histogram[c, v] * x * x;
                n += histogram[c, v];
            }
            mean[c] = sum / n;
            std[c] = Math.Sqrt(Math.Max(0, sumSq / n - mean[c] * mean[c]));
        }
        return (mean, std);
    }

    public override string ToString() => $"{Name}: {Count} images {Channels}x{Height}x{Width}, {Classes} classes";
}
