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

/// <summary>The message is one line: control characters in the detail (e.g. from a damaged name in the file) are escaped.</summary>
public sealed class SnapshotException(string path, SnapshotProblem problem, string detail, Exception? inner = null)
    : Exception($"snapshot {path}: {OneLine(detail)}", inner)
{
    public string Path { get; } = path;

    public SnapshotProblem Problem { get; } = problem;

    private static string OneLine(string text) =>
        text.Any(char.IsControl) ? string.Concat(text.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString())) : text;
}
