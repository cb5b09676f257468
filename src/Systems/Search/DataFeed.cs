// The data streams of a search: a runtime-only resource holding Systems objects (BatchStream), rebuilt on resume from StreamPositions.
using Nas.Systems.Data;

namespace Nas.Systems.Search;

/// <summary>The batch streams: weights split, and the architecture split for bilevel methods.</summary>
public sealed record DataFeed(BatchStream Train, BatchStream? Val);
