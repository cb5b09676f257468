// Training augmentation (pad + random crop, horizontal flip, cutout) fused with normalisation, driven by a per-image PRNG.
using Nas.World;

namespace Nas.Systems.Data;

/// <summary>
/// The DARTS train transform (methods.md §1.1, §1.7), applied in its order: zero padding by
/// <see cref="Padding"/> and a random crop back to H×W, a random horizontal flip, ToTensor + Normalize,
/// then cutout, which zeroes a <see cref="CutoutLength"/>-sided square (clipped to the image) in the
/// normalised image. Padding is zero in pixel space, so padded pixels normalise to -mean/std, as in torchvision.
/// Random draws, in order: crop offset y, crop offset x (each uniform in 0..2·Padding), flip (a fair coin),
/// cutout centre y (0..H-1), cutout centre x (0..W-1); a draw is skipped when its step is off.
/// </summary>
public sealed record Augmentation(int Padding, bool Flip, int CutoutLength)
{
    /// <summary>Normalisation only (evaluation, test sets).</summary>
    public static readonly Augmentation None = new(0, false, 0);

    public bool IsNone => Padding == 0 && !Flip && CutoutLength == 0;

    /// <summary>Search-time transform: crop + flip, no cutout (methods.md §2.2).</summary>
    public static Augmentation ForSearch(int side) => new(PaddingFor(side), true, 0);

    /// <summary>Train-from-scratch transform: crop + flip + cutout (methods.md §1.7).</summary>
    public static Augmentation ForTraining(int side) => new(PaddingFor(side), true, CutoutFor(side));

    /// <summary>
    /// Padding scales with the image side as side/8: 4 at 32 (DARTS), 3 at 28 (Fashion-MNIST), 2 at 16.
    /// Our choice for sides other than 32; the papers only state CIFAR's 4.
    /// </summary>
    public static int PaddingFor(int side) => side / 8;

    /// <summary>
    /// Cutout length scales as side/2: 16 at 32 (DARTS), 14 at 28, 8 at 16 (methods.md §7's toy retrain uses 8).
    /// Our choice for sides other than 32.
    /// </summary>
    public static int CutoutFor(int side) => side / 2;

    /// <summary>
    /// The float32 value of each byte per channel, computed as torchvision does: <c>((float)b / 255 - mean) / std</c>.
    /// Index [c·256 + b].
    /// </summary>
    public static float[] NormalisationTable(Dataset data)
    {
        var table = new float[data.Channels * 256];
        for (var c = 0; c < data.Channels; c++)
            for (var b = 0; b < 256; b++)
                table[c * 256 + b] = ((float)b / 255f - data.Mean[c]) / data.Std[c];
        return table;
    }

    /// <summary>The random choices for one image, in the order they are drawn.</summary>
    public readonly record struct Draw(int OffsetY, int OffsetX, bool Flip, int CutoutY, int CutoutX);

    /// <summary>Draws one image's choices from <paramref name="rng"/> (see the order in the type's summary).</summary>
    public Draw Sample(ref SplitMix64 rng, int height, int width)
    {
        var dy = Padding > 0 ? rng.NextIntMultiplyHigh(2 * Padding + 1) : 0;
        var dx = Padding > 0 ? rng.NextIntMultiplyHigh(2 * Padding + 1) : 0;
        var flip = Flip && rng.NextBool();
        var cy = CutoutLength > 0 ? rng.NextIntMultiplyHigh(height) : 0;
        var cx = CutoutLength > 0 ? rng.NextIntMultiplyHigh(width) : 0;
        return new Draw(dy, dx, flip, cy, cx);
    }

    /// <summary>
    /// Writes image <paramref name="image"/> (C×H×W bytes), transformed with choices drawn from <paramref name="rng"/>
    /// and normalised with <paramref name="table"/> (see <see cref="NormalisationTable"/>), into
    /// <paramref name="destination"/> (C×H×W floats).
    /// </summary>
    public void Apply(ReadOnlySpan<byte> image, int channels, int height, int width, ReadOnlySpan<float> table,
        ref SplitMix64 rng, Span<float> destination) =>
        Render(image, channels, height, width, table, Sample(ref rng, height, width), destination);

    /// <summary>Writes image <paramref name="image"/> transformed with the given choices (crop offsets in 0..2·Padding).</summary>
    public void Render(ReadOnlySpan<byte> image, int channels, int height, int width, ReadOnlySpan<float> table,
        Draw draw, Span<float> destination)
    {
        var plane = height * width;
        if (image.Length != channels * plane || destination.Length != channels * plane)
            throw new ArgumentException($"image of {image.Length} bytes and destination of {destination.Length} floats do not match {channels}x{height}x{width}");
        var (dy, dx, flip) = (draw.OffsetY, draw.OffsetX, draw.Flip);

        for (var c = 0; c < channels; c++)
        {
            var lut = table.Slice(c * 256, 256);
            var src = image.Slice(c * plane, plane);
            var dst = destination.Slice(c * plane, plane);
            var padValue = lut[0];
            for (var y = 0; y < height; y++)
            {
                var row = dst.Slice(y * width, width);
                var sy = y + dy - Padding;
                if (sy < 0 || sy >= height) { row.Fill(padValue); continue; }
                var srcRow = src.Slice(sy * width, width);
                for (var x = 0; x < width; x++)
                {
                    // Crop first, then flip: output column x reads cropped column W-1-x.
                    var sx = (flip ? width - 1 - x : x) + dx - Padding;
                    row[x] = (uint)sx < (uint)width ? lut[srcRow[sx]] : padValue;
                }
            }
        }

        if (CutoutLength > 0)
        {
            // quark0/darts utils.Cutout: y1 = clip(cy - L/2, 0, H), y2 = clip(cy + L/2, 0, H); same for x.
            var half = CutoutLength / 2;
            int y1 = Math.Clamp(draw.CutoutY - half, 0, height), y2 = Math.Clamp(draw.CutoutY + half, 0, height);
            int x1 = Math.Clamp(draw.CutoutX - half, 0, width), x2 = Math.Clamp(draw.CutoutX + half, 0, width);
            for (var c = 0; c < channels; c++)
                for (var y = y1; y < y2; y++)
                    destination.Slice(c * plane + y * width + x1, x2 - x1).Clear();
        }
    }
}
