// The DARTS split of a training set into a weight half and an architecture (alpha) half, as contiguous index ranges.
namespace Nas.Systems.Data;

/// <summary>A contiguous range of image indices [Start, Start + Count) in data-set order.</summary>
public readonly record struct IndexRange(int Start, int Count)
{
    public int End => Start + Count;

    public static IndexRange All(Dataset data) => new(0, data.Count);

    public override string ToString() => $"[{Start}, {End})";
}

/// <summary>
/// quark0/darts cnn/train_search.py: <c>split = floor(train_portion · n)</c>; the weight loader samples
/// indices [0, split) and the architecture loader [split, n), both in data-set order before shuffling
/// (methods.md §2.2). With the default portion 0.5 and 50,000 CIFAR images that is 25,000 / 25,000;
/// with <c>--subset 10000</c> it is 5,000 / 5,000.
/// </summary>
public sealed record Split(IndexRange Weights, IndexRange Arch)
{
    public const double DefaultTrainPortion = 0.5;

    public static Split Darts(int count, double trainPortion = DefaultTrainPortion)
    {
        if (count < 2) throw new ArgumentOutOfRangeException(nameof(count), $"a split needs at least 2 images, got {count}");
        if (!(trainPortion > 0 && trainPortion < 1))
            throw new ArgumentOutOfRangeException(nameof(trainPortion), $"train_portion {trainPortion} must be in (0, 1)");
        var split = (int)Math.Floor(trainPortion * count);
        if (split == 0 || split == count)
            throw new ArgumentOutOfRangeException(nameof(trainPortion), $"train_portion {trainPortion} of {count} images leaves one half empty");
        return new Split(new IndexRange(0, split), new IndexRange(split, count - split));
    }

    public static Split Darts(Dataset data, double trainPortion = DefaultTrainPortion) => Darts(data.Count, trainPortion);
}
