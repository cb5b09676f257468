// The error a snapshot load raises: names the file and what is wrong with it.
namespace Nas.World.Snapshots;

public enum SnapshotProblem
{
    Unreadable,
    Truncated,
    BadMagic,
    UnsupportedVersion,
    BadChecksum,
    Malformed,
    /// <summary>The file names a component or resource this build does not know, or a newer version of one.</summary>
    Schema,
}

public sealed class SnapshotException(string path, SnapshotProblem problem, string detail, Exception? inner = null)
    : Exception($"snapshot {path}: {detail}", inner)
{
    public string Path { get; } = path;

    public SnapshotProblem Problem { get; } = problem;
}
