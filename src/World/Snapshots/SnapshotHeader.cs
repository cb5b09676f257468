// The header of a snapshot file: format version, step, creation time and the caller's fields.
namespace Nas.World.Snapshots;

/// <param name="Version">The file's format version.</param>
/// <param name="Step">The "step" header field.</param>
/// <param name="Created">The "created" header field (timestamp extension, UTC).</param>
/// <param name="Fields">The whole header map as read (<see cref="SnapshotValues"/>' dynamic model), including "step" and "created".</param>
public sealed record SnapshotHeader(int Version, long Step, DateTimeOffset Created, IReadOnlyDictionary<object, object?> Fields);

/// <summary>A snapshot loaded by <see cref="SnapshotFile.Read{T}"/> or <see cref="SnapshotStore.LoadNewestValid{T}"/>.</summary>
public sealed record LoadedSnapshot<T>(string Path, SnapshotHeader Header, T Body);
