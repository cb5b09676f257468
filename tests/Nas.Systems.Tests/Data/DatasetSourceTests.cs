// Tests for parsing the CLI's --dataset value and for --subset.
using Nas.Systems.Data;

namespace Nas.Systems.Tests.Data;

public sealed class DatasetSourceTests
{
    [Fact]
    public void FashionMnistDefaultsToTheDebianFolder() =>
        Assert.Equal(new FashionMnistSource("/usr/share/datasets/fashion-mnist"), DatasetSource.Parse("fashion-mnist"));

    [Fact]
    public void FashionMnistTakesAFolder() =>
        Assert.Equal(new FashionMnistSource("/data/fm"), DatasetSource.Parse("fashion-mnist:/data/fm"));

    [Fact]
    public void CifarTakesAFolder() =>
        Assert.Equal(new Cifar10Source("/data/cifar-10-batches-bin"), DatasetSource.Parse("cifar10:/data/cifar-10-batches-bin"));

    [Fact]
    public void CifarWithoutAFolderIsAnError()
    {
        var e = Assert.Throws<DatasetException>(() => DatasetSource.Parse("cifar10"));
        Assert.Contains("cifar10:DIR", e.Message);
    }

    [Fact]
    public void SyntheticHasADefaultShapeAndAcceptsAShapeAndCount()
    {
        Assert.Equal(new SyntheticSource(new SyntheticSpec()), DatasetSource.Parse("synthetic"));
        var spec = ((SyntheticSource)DatasetSource.Parse("synthetic:1x28x28:500")).Spec;
        Assert.Equal((1, 28, 28, 500, 100), (spec.Channels, spec.Height, spec.Width, spec.TrainCount, spec.TestCount));
    }

    [Fact]
    public void AnUnknownValueListsTheValidForms()
    {
        var e = Assert.Throws<DatasetException>(() => DatasetSource.Parse("imagenet"));
        Assert.Equal("--dataset 'imagenet': unknown data set; valid forms: " + DatasetSource.ValidForms, e.Message);
    }

    [Fact]
    public void ABadSyntheticShapeIsNamed()
    {
        var e = Assert.Throws<DatasetException>(() => DatasetSource.Parse("synthetic:3x16"));
        Assert.Contains("synthetic shape '3x16' is not CxHxW", e.Message);
    }

    [Fact]
    public void SourcesPrintBackAsTheirDatasetValue()
    {
        foreach (var value in new[] { "fashion-mnist", "fashion-mnist:/x", "cifar10:/y", "synthetic:3x16x16:10000" })
            Assert.Equal(value, DatasetSource.Parse(value).ToString());
    }

    [Fact]
    public void SubsetTakesTheFirstImagesInFileOrder()
    {
        var source = DatasetSource.Parse("synthetic:1x8x8:50");
        var full = source.LoadTrain();
        var subset = source.LoadTrain(subset: 20);
        Assert.Equal(20, subset.Count);
        Assert.Equal(full.Pixels[..(20 * 64)].ToArray(), subset.Pixels.ToArray());
        Assert.Equal(full.Labels[..20].ToArray(), subset.Labels.ToArray());
        Assert.Equal(full.Mean.ToArray(), subset.Mean.ToArray());
    }

    [Fact]
    public void ASubsetLargerThanTheSetIsAnError()
    {
        var data = DatasetSource.Parse("synthetic:1x8x8:50").LoadTrain();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => data.Take(51));
        Assert.Contains("--subset 51", e.Message);
    }
}
