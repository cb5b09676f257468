// A seeded, learnable toy data set: oriented gratings (class = orientation × frequency) with random phase, position jitter and noise.
using Nas.World;

namespace Nas.Systems.Data;

/// <summary>Shape and size of a synthetic data set. Defaults: 3×16×16, 10 classes, 10,000 train / 2,000 test images.</summary>
public sealed record SyntheticSpec(
    int Channels = 3, int Height = 16, int Width = 16, int Classes = 10,
    int TrainCount = 10_000, int TestCount = 2_000, ulong Seed = 0, double Noise = 0.15)
{
    public override string ToString() => $"synthetic:{Channels}x{Height}x{Width}:{TrainCount}";
}

/// <summary>
/// Follows methods.md §7's "synthetic CIFAR-shaped generator". Class k has orientation k mod O and frequency
/// k / O, with O = ⌈classes / 2⌉ orientations over [0, π) and grating periods side/2, side/4, ... Each image
/// draws a phase, an orientation jitter of ±15 % of the orientation step, a window centre jittered by ±side/8
/// and per-pixel Gaussian noise. The grating has zero mean over phase, so every class has the same expected
/// mean intensity (0.5): pooling and a linear head alone cannot separate the classes. Labels cycle 0, 1, ...,
/// so both DARTS halves are balanced. Image i of each part depends only on (seed, part, i).
/// Normalisation uses the training part's own statistics for both parts.
/// </summary>
public static class Synthetic
{
    private const double Amplitude = 0.4;

    public static Dataset LoadTrain(SyntheticSpec spec) => Generate(spec, isTrain: true, null);

    /// <summary>The test part, normalised with the training part's statistics (so the training part is generated too).</summary>
    public static Dataset LoadTest(SyntheticSpec spec) => Generate(spec, isTrain: false, LoadTrain(spec));

    private static Dataset Generate(SyntheticSpec spec, bool isTrain, Dataset? train)
    {
        Validate(spec);
        var count = isTrain ? spec.TrainCount : spec.TestCount;
        var imageSize = spec.Channels * spec.Height * spec.Width;
        var pixels = new byte[(long)count * imageSize];
        var labels = new byte[count];
        for (var i = 0; i < count; i++)
        {
            labels[i] = (byte)(i % spec.Classes);
            var rng = SplitMix64.Derive(spec.Seed, isTrain ? 1UL : 2UL, (ulong)i);
            Draw(spec, labels[i], ref rng, pixels.AsSpan(i * imageSize, imageSize));
        }
        var name = $"{spec}/{(isTrain ? "train" : "test")}";
        var plane = spec.Height * spec.Width;
        var (mean, std) = train is null ? Dataset.ChannelStatistics(pixels, spec.Channels, plane) : train.ChannelStatistics();
        return new Dataset(name, pixels, labels, spec.Channels, spec.Height, spec.Width, spec.Classes,
            mean.Select(m => (float)m).ToArray(), std.Select(s => (float)Math.Max(s, 1e-3)).ToArray());
    }

    private static void Validate(SyntheticSpec spec)
    {
        if (spec.Channels <= 0 || spec.Height < 4 || spec.Width < 4)
            throw new DatasetException($"synthetic: shape {spec.Channels}x{spec.Height}x{spec.Width}: need at least 1 channel and 4x4 pixels");
        if (spec.Classes < 2 || spec.Classes > 256) throw new DatasetException($"synthetic: classes {spec.Classes}, expected 2..256");
        if (spec.TrainCount <= 0 || spec.TestCount <= 0)
            throw new DatasetException($"synthetic: counts {spec.TrainCount}/{spec.TestCount} must be positive");
        if (!(spec.Noise >= 0)) throw new DatasetException($"synthetic: noise {spec.Noise} must be >= 0");
    }

    private static void Draw(SyntheticSpec spec, int label, ref SplitMix64 rng, Span<byte> image)
    {
        int h = spec.Height, w = spec.Width, side = Math.Min(h, w);
        var orientations = (spec.Classes + 1) / 2;
        var step = Math.PI / orientations;
        var theta = label % orientations * step + (Uniform(ref rng) * 2 - 1) * 0.15 * step;
        var period = side / (2.0 * (label / orientations + 1));
        var k = 2 * Math.PI / period;
        var phase = Uniform(ref rng) * 2 * Math.PI;
        var cy = (h - 1) / 2.0 + (Uniform(ref rng) * 2 - 1) * side / 8.0;
        var cx = (w - 1) / 2.0 + (Uniform(ref rng) * 2 - 1) * side / 8.0;
        var sigma = side / 3.0;
        double cos = Math.Cos(theta), sin = Math.Sin(theta);
        // The Gaussian window is separable: exp(-(ry² + rx²) / 2σ²) = wy[y] · wx[x].
        Span<double> wy = h <= 512 ? stackalloc double[h] : new double[h];
        Span<double> wx = w <= 512 ? stackalloc double[w] : new double[w];
        for (var y = 0; y < h; y++) wy[y] = Math.Exp(-(y - cy) * (y - cy) / (2 * sigma * sigma));
        for (var x = 0; x < w; x++) wx[x] = Math.Exp(-(x - cx) * (x - cx) / (2 * sigma * sigma));
        var plane = h * w;
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
            {
                var signal = 0.5 + Amplitude * wy[y] * wx[x] * Math.Sin(k * ((x - cx) * cos + (y - cy) * sin) + phase);
                for (var c = 0; c < spec.Channels; c++)
                    image[c * plane + y * w + x] = (byte)Math.Clamp(Math.Round(signal * 255), 0, 255);
            }
        // Noise in pixel pairs: Box-Muller gives two independent normals per two uniforms.
        for (var i = 0; i < image.Length; i += 2)
        {
            var radius = spec.Noise * 255 * Math.Sqrt(-2 * Math.Log(1 - Uniform(ref rng)));
            var (s, co) = Math.SinCos(2 * Math.PI * Uniform(ref rng));
            image[i] = Noisy(image[i], radius * co);
            if (i + 1 < image.Length) image[i + 1] = Noisy(image[i + 1], radius * s);
        }
    }

    private static byte Noisy(byte value, double noise) => (byte)Math.Clamp(Math.Round(value + noise), 0, 255);

    private static double Uniform(ref SplitMix64 rng) => (rng.NextUInt64() >> 11) * (1.0 / (1UL << 53));
}
