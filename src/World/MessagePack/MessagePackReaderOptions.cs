// Limits the MessagePack reader enforces before it allocates or recurses.
namespace Nas.World.MessagePack;

public sealed record MessagePackReaderOptions
{
    public static readonly MessagePackReaderOptions Default = new();

    /// <summary>Maximum number of nested arrays/maps (a top-level array is depth 1). At most 1000.</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>Maximum str length in UTF-8 bytes.</summary>
    public long MaxStringLength { get; init; } = 16L << 20;

    /// <summary>Maximum bin and ext payload length in bytes.</summary>
    public long MaxBinLength { get; init; } = uint.MaxValue;

    public long MaxArrayLength { get; init; } = 16L << 20;

    public long MaxMapLength { get; init; } = 16L << 20;

    internal void Validate()
    {
        if (MaxDepth is < 1 or > 1000)
            throw new ArgumentOutOfRangeException(nameof(MaxDepth), MaxDepth, "must be 1..1000");
        if (MaxStringLength < 0 || MaxBinLength < 0 || MaxArrayLength < 0 || MaxMapLength < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxStringLength), "length limits must not be negative");
    }
}
