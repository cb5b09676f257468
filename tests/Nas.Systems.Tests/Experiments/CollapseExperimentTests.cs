// The collapse experiment's plumbing at the smallest size: every variant runs, and the table, CSV and plot are written.
using Nas.Systems.Experiments;
using Nas.Systems.Tests.Data;

namespace Nas.Systems.Tests.Experiments;

public sealed class CollapseExperimentTests
{
    [Fact]
    public void OneEpochPerVariantWritesTheCsvTableAndPlot()
    {
        using var dir = new TempFolder();
        var o = new CollapseOptions(OutDir: dir.Path, Seeds: 1, Epochs: 1, Images: 32, TestImages: 16, Channels: 4, Size: 8, Batch: 16, Threads: 1);
        var finals = CollapseExperiment.Run(o, TextWriter.Null);
        Assert.Equal(CollapseExperiment.AllVariants, finals.Select(f => f.Variant));
        Assert.All(finals, f => Assert.InRange(f.ValAccuracy, 0, 1));
        Assert.All(finals, f => Assert.InRange(f.ParameterFreeOps, 0, 8));
        var csv = File.ReadAllLines(Path.Combine(dir.Path, "collapse.csv"));
        Assert.Equal("variant,seed,epoch,skip_share,parameter_free_normal,val_accuracy", csv[0]);
        Assert.Equal(1 + 3 * 2, csv.Length); // epochs 0 and 1 for each variant
        Assert.StartsWith("<svg", File.ReadAllText(Path.Combine(dir.Path, "collapse.svg")));
        Assert.Contains("| dropnas |", File.ReadAllText(Path.Combine(dir.Path, "collapse.md")));
    }

    [Theory]
    [InlineData("darts")]
    [InlineData("darts+clr")]
    [InlineData("dropnas")]
    public void TheArchitectureLrScaleMultipliesEachPresetsRateAndNothingElse(string variant)
    {
        var plain = CollapseExperiment.Config(variant, new CollapseOptions(), 1);
        var scaled = CollapseExperiment.Config(variant, new CollapseOptions(ArchLrScale: 20), 1);
        Assert.Equal(plain.ArchLr * 20, scaled.ArchLr, 15);
        Assert.Equal(plain with { ArchLr = scaled.ArchLr }, scaled);
    }
}
