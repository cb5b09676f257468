// The header of a snapshot file: format version, step, creation time and the caller's fields.
using Nas.World.MessagePack;

namespace Nas.World.Snapshots;

/// <param name="Version">The file's format version.</param>
/// <param name="Step">The "step" header field.</param>
/// <param name="Created">The "created" header field (timestamp extension).</param>
/// <param name="Fields">The whole header map as read, including "step" and "created".</param>
public sealed record SnapshotHeader(int Version, long Step, MessagePackTimestamp Created, MessagePackMap Fields);

/// <summary>A snapshot loaded by <see cref="SnapshotFile.Read{T}"/> or <see cref="SnapshotStore.LoadNewestValid{T}"/>.</summary>
public sealed record LoadedSnapshot<T>(string Path, SnapshotHeader Header, T Body);
