// The run's random streams by name on the world (world.Rng("drop")), one Rng each, snapshotted as one resource.
namespace Nas.World;

/// <summary>One stream of <see cref="RngStreams"/>: its name and generator (written as {"name", "rng": {"state": [4 words]}}).</summary>
public sealed record NamedRng([SnapshotKey("name")] string Name, [SnapshotKey("rng")] Rng Rng);

/// <summary>
/// Every random stream of a world, by name, in name order. A system draws from <c>world.Rng(name)</c> in place; the
/// states are the whole snapshot of the randomness, so a resumed run draws the same numbers.
/// </summary>
[Resource("nas.rng.streams", 1)]
public sealed class RngStreams
{
    private readonly SortedDictionary<string, Rng> _streams = new(StringComparer.Ordinal);

    public RngStreams([SnapshotKey("streams")] NamedRng[] streams)
    {
        foreach (var s in streams)
            if (!_streams.TryAdd(s.Name, s.Rng)) throw new ArgumentException($"random stream '{s.Name}' is listed twice", nameof(streams));
    }

    public NamedRng[] Streams => _streams.Select(p => new NamedRng(p.Key, p.Value)).ToArray();

    public bool Has(string name) => _streams.ContainsKey(name);

    public Rng Get(string name) => _streams.TryGetValue(name, out var rng) ? rng
        : throw new KeyNotFoundException($"the world has no random stream '{name}' (it has: {string.Join(", ", _streams.Keys)})");

    /// <summary>Adds the stream, or replaces one of the same name.</summary>
    public void Set(string name, Rng rng)
    {
        Rng.StreamId(name); // validates the name
        _streams[name] = rng;
    }
}

public sealed partial class World
{
    /// <summary>The random stream <paramref name="name"/> (an access to <see cref="RngStreams"/>: declare it written).</summary>
    public Rng Rng(string name) => HasResource<RngStreams>() ? Resource<RngStreams>().Get(name)
        : throw new KeyNotFoundException($"the world has no random stream '{name}' (it has no streams)");

    /// <summary>Adds (or replaces) the random stream <paramref name="name"/>.</summary>
    public void SetRng(string name, Rng rng)
    {
        if (!HasResource<RngStreams>()) SetResource(new RngStreams([]));
        Resource<RngStreams>().Set(name, rng);
    }
}
