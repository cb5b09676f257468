// A seeded, resumable stream of shuffled (and optionally augmented) batches over an index range, yielded as Nas.Torch tensors.
using Nas.Components;
using Nas.Torch;
using Nas.World;

namespace Nas.Systems.Data;

/// <summary>
/// Yields batches over <see cref="Range"/> of a data set. With shuffling on, each epoch visits every index of the
/// range exactly once in the order of a Fisher-Yates permutation drawn from SplitMix64 seeded by (seed, epoch);
/// augmentation draws come from a generator seeded by (seed, epoch, position of the image in the epoch). Nothing
/// else is random, so the state is exactly <see cref="BatchStreamState"/> and the batches do not depend on how
/// the stream was paused and resumed. With shuffling off (test sets) the order is the range's order.
/// <para>
/// The last batch of an epoch is smaller when the range is not a multiple of the batch size: the DARTS
/// reference's DataLoader does not drop it (drop_last = False), so <see cref="StepsPerEpoch"/> = ⌈count / batch⌉
/// (391 for 25,000 images in batches of 64). Batches never straddle two epochs.
/// </para>
/// Not thread-safe: one stream belongs to one training loop.
/// </summary>
public sealed class BatchStream : IBatchStream
{
    // Distinct tags keep the permutation and augmentation sub-streams of one seed independent.
    private const ulong PermutationTag = 0x7065726D; // "perm"
    private const ulong AugmentationTag = 0x61756720; // "aug "

    private readonly float[] _table;
    private readonly float[] _images;
    private readonly long[] _labels;
    private readonly int[] _permutation;
    private int _permutationEpoch = -1;
    private BatchStreamState _state;

    public BatchStream(Dataset data, IndexRange range, int batchSize, ulong seed, Augmentation? augmentation = null, bool shuffle = true)
    {
        if (range.Start < 0 || range.Count <= 0 || range.End > data.Count)
            throw new ArgumentOutOfRangeException(nameof(range), $"range {range} is not a non-empty part of {data.Name}'s {data.Count} images");
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), $"batch size {batchSize} must be positive");
        Data = data;
        Range = range;
        BatchSize = batchSize;
        Augmentation = augmentation ?? Augmentation.None;
        Shuffle = shuffle;
        _table = Augmentation.NormalisationTable(data);
        _images = new float[(long)batchSize * data.ImageSize];
        _labels = new long[batchSize];
        _permutation = new int[range.Count];
        _state = new BatchStreamState(seed, 0, 0);
    }

    public Dataset Data { get; }
    public IndexRange Range { get; }
    public int BatchSize { get; }
    public Augmentation Augmentation { get; }
    public bool Shuffle { get; }

    /// <summary>
    /// Data parallelism: this stream yields only rank <see cref="DataShard.Rank"/>'s contiguous slice of each global batch
    /// (the global batch cut in <see cref="DataShard.Count"/> near-equal parts, the first ones smaller when it does not
    /// divide), while its state advances by the whole global batch. Augmentation is keyed by the image's place in the
    /// global batch, so the union of the ranks' shards is exactly the single-process batch. Default: the whole batch.
    /// </summary>
    public DataShard Shard
    {
        get => _shard;
        set
        {
            if (value.Count < 1 || value.Rank < 0 || value.Rank >= value.Count)
                throw new ArgumentOutOfRangeException(nameof(value), $"shard {value.Rank} of {value.Count} is not a rank of the world");
            if (value.Count > 1 && Range.Count % BatchSize is var last && last > 0 && last < value.Count)
                throw new ArgumentException($"the last batch of an epoch holds {last} image(s) of {Range.Count}, fewer than the {value.Count} ranks: choose a batch size that leaves at least one image per rank");
            if (value.Count > BatchSize)
                throw new ArgumentException($"batch {BatchSize} is smaller than the {value.Count} ranks: each rank needs at least one image");
            _shard = value;
        }
    }

    private DataShard _shard = new(0, 1);

    /// <summary>The size of the global batch of the last draw (this rank's share is the returned count).</summary>
    public int LastGlobalSize { get; private set; }

    /// <summary>Where rank <paramref name="rank"/>'s slice of a global batch of <paramref name="n"/> images starts and ends.</summary>
    public static (int Start, int End) ShardBounds(int n, int rank, int count) => ((int)((long)n * rank / count), (int)((long)n * (rank + 1) / count));

    /// <summary>⌈range count / batch size⌉: the last batch of an epoch may be smaller.</summary>
    public int StepsPerEpoch => (Range.Count + BatchSize - 1) / BatchSize;

    /// <summary>The position of the next batch. Setting it (from a snapshot) makes the stream continue from there.</summary>
    public BatchStreamState State
    {
        get => _state;
        set
        {
            if (value.Epoch < 0 || value.Position < 0 || value.Position >= Range.Count)
                throw new ArgumentOutOfRangeException(nameof(value), $"stream state {value} is outside epoch >= 0, position in 0..{Range.Count - 1}");
            if (value.Seed != _state.Seed) _permutationEpoch = -1;
            _state = value;
        }
    }

    /// <summary>The data-set indices of the next batch, in order, without advancing. Valid until the next call on this stream.</summary>
    public ReadOnlySpan<int> PeekIndices()
    {
        var permutation = PermutationOf(_state.Epoch);
        return permutation.AsSpan(_state.Position, NextSize());
    }

    /// <summary>
    /// Makes the next batch and advances the stream. The two tensors are new and owned by <paramref name="scope"/>
    /// (freed when the scope is disposed); call <see cref="TensorScope.Release"/> to keep one longer.
    /// </summary>
    public Batch Next(TensorScope scope)
    {
        var epoch = _state.Epoch;
        var n = Fill(_images, _labels);
        var d = Data;
        var images = scope.Own(Tensor.FromSpan(_images.AsSpan(0, n * d.ImageSize), [n, d.Channels, d.Height, d.Width]));
        var labels = scope.Own(Tensor.FromSpan(_labels.AsSpan(0, n), [n]));
        return new Batch(images, labels, epoch, n);
    }

    /// <summary>
    /// Writes the next batch (this rank's shard of it) into managed buffers (images N×C×H×W floats, labels) and advances
    /// the stream by the global batch; returns N, the shard's size. The buffers must hold a full batch. For callers that build their own tensors, and for tests.
    /// </summary>
    public int Fill(Span<float> images, Span<long> labels)
    {
        var d = Data;
        if (images.Length < BatchSize * d.ImageSize || labels.Length < BatchSize)
            throw new ArgumentException($"buffers hold {images.Length} floats and {labels.Length} labels; a batch needs {BatchSize * d.ImageSize} and {BatchSize}");
        var indices = PeekIndices();
        var n = indices.Length;
        var (start, end) = ShardBounds(n, _shard.Rank, _shard.Count);
        for (var i = start; i < end; i++)
        {
            var index = indices[i];
            var destination = images.Slice((i - start) * d.ImageSize, d.ImageSize);
            var rng = SplitMix64.Derive(_state.Seed, AugmentationTag, (ulong)_state.Epoch, (ulong)(_state.Position + i));
            Augmentation.Apply(d.Image(index), d.Channels, d.Height, d.Width, _table, ref rng, destination);
            labels[i - start] = d.Label(index);
        }
        LastGlobalSize = n;
        var position = _state.Position + n;
        _state = position == Range.Count
            ? _state with { Epoch = _state.Epoch + 1, Position = 0 }
            : _state with { Position = position };
        return end - start;
    }

    private int NextSize() => Math.Min(BatchSize, Range.Count - _state.Position);

    /// <summary>Data-set indices of epoch <paramref name="epoch"/> in visiting order; cached for the current epoch.</summary>
    private int[] PermutationOf(int epoch)
    {
        if (_permutationEpoch == epoch) return _permutation;
        if (Shuffle)
        {
            var rng = SplitMix64.Derive(_state.Seed, PermutationTag, (ulong)epoch);
            rng.FillPermutation(_permutation);
        }
        else
        {
            for (var i = 0; i < _permutation.Length; i++) _permutation[i] = i;
        }
        for (var i = 0; i < _permutation.Length; i++) _permutation[i] += Range.Start;
        _permutationEpoch = epoch;
        return _permutation;
    }
}
