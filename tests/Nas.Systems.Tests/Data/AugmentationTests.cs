// Tests for crop/flip/cutout geometry, the normalisation table, sizes per image side, and seeded determinism.
using Nas.Systems.Data;
using Nas.World;

namespace Nas.Systems.Tests.Data;

public sealed class AugmentationTests
{
    // A 1×3×3 image with pixels 10..90 and mean 0, std 1, so each output is exactly pixel / 255.
    private static readonly byte[] Image = [10, 20, 30, 40, 50, 60, 70, 80, 90];

    private static Dataset OneImage() => new("one", Image, [0], 1, 3, 3, 2, [0f], [1f]);

    private static float[] Render(Augmentation augmentation, Augmentation.Draw draw)
    {
        var output = new float[9];
        augmentation.Render(Image, 1, 3, 3, Augmentation.NormalisationTable(OneImage()), draw, output);
        return output.Select(v => MathF.Round(v * 255f)).ToArray();
    }

    [Fact]
    public void ACropOffsetShiftsTheImageAndPadsWithZeroPixels()
    {
        // Padding 1, crop at (0, 2): output (y, x) reads source (y - 1, x + 1).
        var output = Render(new Augmentation(1, false, 0), new(0, 2, false, 0, 0));
        Assert.Equal(new float[] { 0, 0, 0, 20, 30, 0, 50, 60, 0 }, output);
    }

    [Fact]
    public void AFlipMirrorsTheCroppedImage()
    {
        // Same crop, then flipped: output (y, x) reads source (y - 1, 3 - x).
        var output = Render(new Augmentation(1, true, 0), new(0, 2, true, 0, 0));
        Assert.Equal(new float[] { 0, 0, 0, 0, 30, 20, 0, 60, 50 }, output);
    }

    [Fact]
    public void CutoutZeroesASquareClippedToTheImage()
    {
        // Length 2 centred at (0, 2): rows clip(-1..1) = 0..0, cols 1..2 (DARTS Cutout bounds).
        var output = Render(new Augmentation(0, false, 2), new(0, 0, false, 0, 2));
        Assert.Equal(new float[] { 10, 0, 0, 40, 50, 60, 70, 80, 90 }, output);
    }

    [Fact]
    public void CutoutZeroesTheNormalisedValueNotThePixel()
    {
        var data = new Dataset("shifted", Image, [0], 1, 3, 3, 2, [0.5f], [0.25f]);
        var output = new float[9];
        new Augmentation(1, false, 2).Render(Image, 1, 3, 3, Augmentation.NormalisationTable(data), new(0, 0, false, 2, 2), output);
        Assert.Equal(0f, output[8]);              // cut out: zero after normalisation
        Assert.Equal((0f - 0.5f) / 0.25f, output[0]); // padding: a zero pixel, normalised
    }

    [Fact]
    public void TheNormalisationTableMatchesTorchsFloat32Arithmetic()
    {
        // ToTensor + Normalize compute ((float)b / 255 - mean) / std in float32; the table must be bit-identical.
        var data = new Dataset("c", new byte[3], [0], 3, 1, 1, 2, Cifar10.Mean, Cifar10.Std);
        var table = Augmentation.NormalisationTable(data);
        Assert.Equal(((float)200 / 255f - 0.48215827f) / 0.24348505f, table[256 + 200]);
        Assert.Equal(-0.49139968f / 0.24703233f, table[0]);
    }

    [Theory]
    [InlineData(32, 4, 16)]
    [InlineData(28, 3, 14)]
    [InlineData(16, 2, 8)]
    public void PaddingAndCutoutScaleWithTheImageSide(int side, int padding, int cutout)
    {
        Assert.Equal(new Augmentation(padding, true, cutout), Augmentation.ForTraining(side));
        Assert.Equal(new Augmentation(padding, true, 0), Augmentation.ForSearch(side));
    }

    [Fact]
    public void TheSameGeneratorStateGivesTheSameAugmentedImage()
    {
        var data = Synthetic.LoadTrain(new SyntheticSpec(TrainCount: 2, TestCount: 1));
        var table = Augmentation.NormalisationTable(data);
        var augmentation = Augmentation.ForTraining(16);
        float[] Run(ulong seed)
        {
            var rng = SplitMix64.Derive(seed, 1);
            var output = new float[data.ImageSize];
            augmentation.Apply(data.Image(0), 3, 16, 16, table, ref rng, output);
            return output;
        }
        Assert.Equal(Run(5), Run(5));
        Assert.NotEqual(Run(5), Run(6));
    }

    [Fact]
    public void CropOffsetsCoverEveryShiftAndFlipsAreAboutHalf()
    {
        var augmentation = Augmentation.ForSearch(32);
        var offsets = new int[9];
        var flips = 0;
        for (var i = 0; i < 9_000; i++)
        {
            var rng = SplitMix64.Derive(3, (ulong)i);
            var draw = augmentation.Sample(ref rng, 32, 32);
            offsets[draw.OffsetY]++;
            if (draw.Flip) flips++;
        }
        // 1,000 expected per offset; binomial sd ≈ 30, so ±150 is 5 sd. Flips: 4,500 ± 47 sd.
        Assert.All(offsets, n => Assert.InRange(n, 850, 1150));
        Assert.InRange(flips, 4_250, 4_750);
    }
}
