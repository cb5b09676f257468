// A folder of snapshots named by step: saves atomically, keeps the newest N valid ones (damaged files moved aside), loads the newest valid one.
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

    /// <summary>How many valid snapshots <see cref="Save"/> leaves in the folder (the one it has just written among them).</summary>
    public int Keep { get; }

    /// <summary>Where retention moves damaged snapshot files instead of counting or deleting them: <c>FOLDER/damaged</c>.</summary>
    public string DamagedFolder => System.IO.Path.Combine(Folder, "damaged");

    /// <summary>Told of each damaged file retention moves into <see cref="DamagedFolder"/>: the problem (naming the file) and the new path.</summary>
    public Action<SnapshotException, string>? OnDamaged { get; init; }

    // Files this store has written or verified, by (path, length, last write): retention reads each file's checksum once.
    private readonly HashSet<(string Path, long Length, DateTime Written)> _verified = [];

    /// <summary>The file name of a step: <c>step-000001234.msgpack</c> (9 digits minimum; longer steps still sort numerically).</summary>
    public string PathFor(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        return System.IO.Path.Combine(Folder, $"step-{step.ToString("D9", CultureInfo.InvariantCulture)}.msgpack");
    }

    /// <summary>
    /// Writes the snapshot of <paramref name="step"/> atomically, then applies retention (<see cref="Retain"/>): the file just
    /// written is always kept.
    /// </summary>
    public string Save(long step, IEnumerable<KeyValuePair<string, object?>>? headerFields, SnapshotBodyWriter writeBody, DateTimeOffset? created = null)
    {
        string path = PathFor(step);
        SnapshotFile.Write(path, step, headerFields, writeBody, created);
        Remember(path);
        Retain(path);
        return path;
    }

    /// <summary>
    /// Keeps <paramref name="written"/> and the newest <see cref="Keep"/> - 1 other snapshots that pass every check, deletes older
    /// valid ones, and moves every damaged file to <see cref="DamagedFolder"/> (reporting it through <see cref="OnDamaged"/>):
    /// a damaged file is never counted as kept, so junk at high step numbers cannot push the valid snapshots out.
    /// </summary>
    public void Retain(string written)
    {
        int kept = 1;
        foreach (var entry in List())
        {
            if (entry.Path == written) continue;
            try
            {
                if (!IsRemembered(entry.Path))
                {
                    SnapshotFile.Verify(entry.Path);
                    Remember(entry.Path);
                }
            }
            catch (SnapshotException e)
            {
                var movedTo = MoveToDamaged(entry.Path);
                OnDamaged?.Invoke(e, movedTo);
                continue;
            }
            if (kept < Keep) kept++;
            else File.Delete(entry.Path);
        }
    }

    private string MoveToDamaged(string path)
    {
        Directory.CreateDirectory(DamagedFolder);
        string name = System.IO.Path.GetFileName(path);
        string target = System.IO.Path.Combine(DamagedFolder, name);
        for (int n = 1; File.Exists(target); n++)
            target = System.IO.Path.Combine(DamagedFolder, $"{name}.{n}");
        File.Move(path, target);
        return target;
    }

    private static (string, long, DateTime) Stamp(string path)
    {
        var info = new FileInfo(path);
        return (path, info.Length, info.LastWriteTimeUtc);
    }

    private void Remember(string path) => _verified.Add(Stamp(path));

    private bool IsRemembered(string path)
    {
        try { return _verified.Contains(Stamp(path)); }
        catch (FileNotFoundException) { return false; }
    }

    /// <summary>
    /// Deletes temp files of writes that never finished (<c>.step-*.tmp</c>, left by a process killed mid-write). Call only
    /// while no other process writes to this folder (the run folder's lock); returns the paths removed.
    /// </summary>
    public IReadOnlyList<string> RemoveStaleTemps()
    {
        var removed = new List<string>();
        foreach (string path in Directory.EnumerateFiles(Folder, ".step-*.tmp"))
        {
            File.Delete(path);
            removed.Add(path);
        }
        return removed;
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
