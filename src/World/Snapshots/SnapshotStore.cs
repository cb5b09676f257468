// A folder of snapshots named by step: saves atomically, keeps the newest N, loads the newest valid one.
using System.Globalization;
using System.Text.RegularExpressions;

namespace Nas.World.Snapshots;

/// <param name="Step">The step parsed from the file name.</param>
/// <param name="Path">Full path of the file.</param>
public sealed record SnapshotEntry(long Step, string Path);

public sealed partial class SnapshotStore
{
    public SnapshotStore(string folder, int keep)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        Folder = System.IO.Path.GetFullPath(folder);
        Keep = keep;
        Directory.CreateDirectory(Folder);
    }

    public string Folder { get; }

    /// <summary>How many snapshots <see cref="Save"/> leaves in the folder.</summary>
    public int Keep { get; }

    /// <summary>The file name of a step: <c>step-000001234.msgpack</c> (9 digits minimum; longer steps still sort numerically).</summary>
    public string PathFor(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        return System.IO.Path.Combine(Folder, $"step-{step.ToString("D9", CultureInfo.InvariantCulture)}.msgpack");
    }

    /// <summary>Writes the snapshot of <paramref name="step"/> atomically, then deletes all but the newest <see cref="Keep"/>.</summary>
    public string Save(long step, IEnumerable<KeyValuePair<string, object?>>? headerFields, SnapshotBodyWriter writeBody, DateTimeOffset? created = null)
    {
        string path = PathFor(step);
        SnapshotFile.Write(path, step, headerFields, writeBody, created);
        foreach (var old in List().Skip(Keep))
            File.Delete(old.Path);
        return path;
    }

    /// <summary>Snapshot files in the folder, newest (highest step) first. Temp files of unfinished writes are not listed.</summary>
    public IReadOnlyList<SnapshotEntry> List()
    {
        var entries = new List<SnapshotEntry>();
        foreach (string path in Directory.EnumerateFiles(Folder, "step-*.msgpack"))
        {
            var match = FileName().Match(System.IO.Path.GetFileName(path));
            if (match.Success && long.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out long step))
                entries.Add(new SnapshotEntry(step, path));
        }
        entries.Sort((a, b) => b.Step.CompareTo(a.Step));
        return entries;
    }

    /// <summary>
    /// Loads the newest snapshot that passes every check; each newer one that fails is added to
    /// <paramref name="skipped"/> (its exception names the file and the problem). Null when none is valid.
    /// </summary>
    public LoadedSnapshot<T>? LoadNewestValid<T>(SnapshotBodyReader<T> readBody, out IReadOnlyList<SnapshotException> skipped)
    {
        var failures = new List<SnapshotException>();
        skipped = failures;
        foreach (var entry in List())
        {
            try
            {
                return SnapshotFile.Read(entry.Path, readBody);
            }
            catch (SnapshotException e)
            {
                failures.Add(e);
            }
        }
        return null;
    }

    [GeneratedRegex(@"^step-([0-9]{9,18})\.msgpack$", RegexOptions.CultureInvariant)]
    private static partial Regex FileName();
}
