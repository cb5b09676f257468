// Parses the CLI's --dataset value into a source that loads the training and test sets.
using System.Globalization;

namespace Nas.Systems.Data;

/// <summary>Where the data comes from. <see cref="Parse"/> reads the <c>--dataset</c> value; <see cref="ToString"/> writes it back.</summary>
public abstract record DatasetSource
{
    public const string ValidForms = "fashion-mnist | fashion-mnist:DIR | cifar10:DIR | synthetic | synthetic:CxHxW | synthetic:CxHxW:N";

    public abstract Dataset LoadTrain();
    public abstract Dataset LoadTest();

    /// <summary>The training set, cut to its first <paramref name="subset"/> images when given (<c>--subset N</c>).</summary>
    public Dataset LoadTrain(int? subset) => subset is { } n ? LoadTrain().Take(n) : LoadTrain();

    /// <summary>
    /// <c>fashion-mnist</c> (Debian's /usr/share/datasets/fashion-mnist), <c>fashion-mnist:DIR</c>, <c>cifar10:DIR</c>
    /// (binary batches), <c>synthetic</c> (3×16×16, 10 classes, 10,000 / 2,000 images), <c>synthetic:CxHxW</c>,
    /// <c>synthetic:CxHxW:N</c> (N training images, N/5 test images, at least 1). Nothing is read until Load is called.
    /// </summary>
    public static DatasetSource Parse(string value)
    {
        var text = value.Trim();
        var colon = text.IndexOf(':');
        var kind = (colon < 0 ? text : text[..colon]).ToLowerInvariant();
        var argument = colon < 0 ? null : text[(colon + 1)..];
        switch (kind)
        {
            case "fashion-mnist" or "fashionmnist":
                if (argument is "") throw Invalid(value, "fashion-mnist: needs a folder after the colon");
                return new FashionMnistSource(argument ?? FashionMnist.DefaultDirectory);
            case "cifar10" or "cifar-10":
                if (string.IsNullOrEmpty(argument)) throw Invalid(value, "cifar10 needs the folder of its binary batches: cifar10:DIR");
                return new Cifar10Source(argument);
            case "synthetic":
                return new SyntheticSource(ParseSynthetic(value, argument));
            default:
                throw Invalid(value, "unknown data set");
        }
    }

    private static SyntheticSpec ParseSynthetic(string value, string? argument)
    {
        var spec = new SyntheticSpec();
        if (argument is null) return spec;
        var parts = argument.Split(':');
        if (parts.Length > 2) throw Invalid(value, "synthetic takes at most a shape and a count");
        var dims = parts[0].Split('x', 'X');
        if (dims.Length != 3 || !dims.All(d => int.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0))
            throw Invalid(value, $"synthetic shape '{parts[0]}' is not CxHxW with positive integers");
        spec = spec with { Channels = int.Parse(dims[0], CultureInfo.InvariantCulture), Height = int.Parse(dims[1], CultureInfo.InvariantCulture), Width = int.Parse(dims[2], CultureInfo.InvariantCulture) };
        if (spec.Height < 4 || spec.Width < 4) throw Invalid(value, "synthetic images need at least 4x4 pixels");
        if (parts.Length == 2)
        {
            if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 2)
                throw Invalid(value, $"synthetic count '{parts[1]}' is not an integer >= 2");
            spec = spec with { TrainCount = n, TestCount = Math.Max(1, n / 5) };
        }
        return spec;
    }

    private static DatasetException Invalid(string value, string why) =>
        new($"--dataset '{value}': {why}; valid forms: {ValidForms}");
}

public sealed record FashionMnistSource(string Directory) : DatasetSource
{
    public override Dataset LoadTrain() => FashionMnist.LoadTrain(Directory);
    public override Dataset LoadTest() => FashionMnist.LoadTest(Directory);
    public override string ToString() => Directory == FashionMnist.DefaultDirectory ? "fashion-mnist" : $"fashion-mnist:{Directory}";
}

public sealed record Cifar10Source(string Directory) : DatasetSource
{
    public override Dataset LoadTrain() => Cifar10.LoadTrain(Directory);
    public override Dataset LoadTest() => Cifar10.LoadTest(Directory);
    public override string ToString() => $"cifar10:{Directory}";
}

public sealed record SyntheticSource(SyntheticSpec Spec) : DatasetSource
{
    public override Dataset LoadTrain() => Synthetic.LoadTrain(Spec);
    public override Dataset LoadTest() => Synthetic.LoadTest(Spec);
    public override string ToString() => Spec.ToString();
}
