// The collapse experiment's plumbing at the smallest size: every variant runs, and the table, CSV and plot are written.
using Nas.App.Experiments;

namespace Nas.App.Tests.Experiments;

public sealed class CollapseExperimentTests
{
    [Fact]
    public void OneEpochPerVariantWritesTheCsvTableAndPlot()
    {
        var dir = Directory.CreateTempSubdirectory("nas-collapse-");
        var o = new CollapseOptions(OutDir: dir.FullName, Seeds: 1, Epochs: 1, Images: 32, TestImages: 16, Channels: 4, Size: 8, Batch: 16, Threads: 1);
        var finals = CollapseExperiment.Run(o, TextWriter.Null);
        Assert.Equal(CollapseExperiment.AllVariants, finals.Select(f => f.Variant));
        Assert.All(finals, f => Assert.InRange(f.ValAccuracy, 0, 1));
        Assert.All(finals, f => Assert.InRange(f.ParameterFreeOps, 0, 8));
        var csv = File.ReadAllLines(Path.Combine(dir.FullName, "collapse.csv"));
        Assert.Equal("variant,seed,epoch,skip_share,parameter_free_normal,val_accuracy", csv[0]);
        Assert.Equal(1 + 3 * 2, csv.Length); // epochs 0 and 1 for each variant
        Assert.StartsWith("<svg", File.ReadAllText(Path.Combine(dir.FullName, "collapse.svg")));
        Assert.Contains("| dropnas |", File.ReadAllText(Path.Combine(dir.FullName, "collapse.md")));
        dir.Delete(recursive: true);
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
