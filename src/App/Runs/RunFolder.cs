// The files of a run folder (DESIGN.md): config.yaml, steps.jsonl, epochs.jsonl, genotype.txt/json, cell pictures, snapshots/; one writer at a time.
using System.Globalization;
using Nas.App.Config;
using Nas.Components;
using Nas.Systems.Genotypes;
using Nas.Systems.Methods;
using Nas.World.Snapshots;

namespace Nas.App.Runs;

/// <summary>A refusal to open a run folder, with the exit code it means (<see cref="ExitCodes"/>).</summary>
public sealed class RunFolderException(string message, int exitCode) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>
/// A run folder held by this process: <see cref="CreateNew"/> for a new run, <see cref="OpenExisting"/> to continue one. Both take
/// the folder's lock (<see cref="RunFolderLock"/>) and remove temp files of snapshot writes that never finished.
/// </summary>
public sealed class RunFolder : IDisposable
{
    private readonly RunFolderLock _lock;
    private readonly string? _createdRoot;

    public string Path { get; }

    private RunFolder(string path, RunFolderLock held, string? createdRoot)
    {
        Path = path;
        _lock = held;
        _createdRoot = createdRoot;
    }

    public string Config => File("config.yaml");
    public string Steps => File("steps.jsonl");
    public string Epochs => File("epochs.jsonl");
    public string GenotypeText => File("genotype.txt");
    public string GenotypeJson => File("genotype.json");
    public string Snapshots => File("snapshots");

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Whether <paramref name="path"/> holds a run: a config.yaml, a steps.jsonl or a snapshot file.</summary>
    public static bool HoldsRun(string path) =>
        System.IO.File.Exists(System.IO.Path.Combine(path, "config.yaml")) || System.IO.File.Exists(System.IO.Path.Combine(path, "steps.jsonl"))
        || (Directory.Exists(System.IO.Path.Combine(path, "snapshots"))
            && Directory.EnumerateFiles(System.IO.Path.Combine(path, "snapshots"), "step-*.msgpack").Any());

    /// <summary>
    /// The folder of a new run. Refused: a path naming a file (<see cref="ExitCodes.BadInput"/>), a folder another process holds
    /// (<see cref="ExitCodes.Busy"/>), and a folder that already holds a run unless <paramref name="moveAside"/>, which renames it
    /// to PATH.old-N (never deletes it).
    /// </summary>
    public static RunFolder CreateNew(string path, string flag, bool moveAside)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (System.IO.File.Exists(full)) throw new RunFolderException($"{flag} {full}: is a file, not a run folder", ExitCodes.BadInput);
        for (var up = System.IO.Path.GetDirectoryName(full); up is not null; up = System.IO.Path.GetDirectoryName(up))
            if (System.IO.File.Exists(up)) throw new RunFolderException($"{flag} {full}: {up} is a file, not a folder", ExitCodes.BadInput);
        if (Directory.Exists(full) && HoldsRun(full))
        {
            if (!moveAside)
                throw new RunFolderException($"{flag} {full}: already holds a run; continue it with `nas resume {full}`, or pass --move-aside to rename it and start anew", ExitCodes.BadInput);
            using (var old = Lock(full)) MoveAside(full);
        }
        var createdRoot = FirstMissing(full);
        try
        {
            Directory.CreateDirectory(full);
            Directory.CreateDirectory(System.IO.Path.Combine(full, "snapshots"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RunFolderException($"{full}: cannot create the run folder: {e.Message}", ExitCodes.IoError);
        }
        var held = Lock(full);
        if (HoldsRun(full)) // another process started a run here between the check and the lock
        {
            held.Dispose();
            throw new RunFolderException($"{flag} {full}: already holds a run; continue it with `nas resume {full}`", ExitCodes.BadInput);
        }
        return Opened(full, held, createdRoot);
    }

    /// <summary>The folder of a run to continue (resume, a restarted daemon); it must exist and no other process may hold it.</summary>
    public static RunFolder OpenExisting(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!Directory.Exists(full))
            throw new RunFolderException(System.IO.File.Exists(full) ? $"{full}: is a file, not a run folder" : $"{full}: no such run folder", ExitCodes.BadInput);
        return Opened(full, Lock(full), createdRoot: null);
    }

    private static RunFolder Opened(string full, RunFolderLock held, string? createdRoot)
    {
        var folder = new RunFolder(full, held, createdRoot);
        try
        {
            if (Directory.Exists(folder.Snapshots))
                foreach (var stale in new SnapshotStore(folder.Snapshots, keep: int.MaxValue).RemoveStaleTemps())
                    Console.Error.WriteLine($"nas: removed {stale}: a snapshot write that never finished");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            held.Dispose();
            throw new RunFolderException($"{folder.Snapshots}: {e.Message}", ExitCodes.IoError);
        }
        return folder;
    }

    private static RunFolderLock Lock(string full)
    {
        RunFolderLock? held;
        int holder;
        try { held = RunFolderLock.TryAcquire(full, out holder); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RunFolderException(e.Message, ExitCodes.IoError);
        }
        return held ?? throw new RunFolderException(
            $"{full}: in use by another nas process ({(holder > 0 ? $"PID {holder}" : "PID not yet written")}); one writer per run folder",
            ExitCodes.Busy);
    }

    private static void MoveAside(string full)
    {
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var target = $"{full}.old-{stamp}";
        for (var n = 1; Directory.Exists(target) || System.IO.File.Exists(target); n++) target = $"{full}.old-{stamp}-{n}";
        try { Directory.Move(full, target); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RunFolderException($"{full}: cannot move the old run aside to {target}: {e.Message}", ExitCodes.IoError);
        }
        Console.Error.WriteLine($"nas: moved the old run in {full} to {target}");
    }

    /// <summary>The outermost folder of <paramref name="full"/> that does not exist yet (null when it exists).</summary>
    private static string? FirstMissing(string full)
    {
        string? missing = null;
        for (var p = full; p is not null && !Directory.Exists(p); p = System.IO.Path.GetDirectoryName(p)) missing = p;
        return missing;
    }

    /// <summary>A start refused after the folder was made: removes the folders this process created (none when it existed).</summary>
    public void Abandon()
    {
        _lock.Dispose();
        if (_createdRoot is null) return;
        try { Directory.Delete(_createdRoot, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    public void WriteConfig(SearchConfig config) => Write(Config, () => System.IO.File.WriteAllText(Config, ConfigFile.ToYaml(config)));

    /// <summary>Writes genotype.txt and genotype.json, and the cell pictures when the result is a DARTS genotype.</summary>
    public void WriteResult(string text, string json)
    {
        Write(GenotypeText, () => System.IO.File.WriteAllText(GenotypeText, text + "\n"));
        Write(GenotypeJson, () => System.IO.File.WriteAllText(GenotypeJson, json + "\n"));
        if (!text.StartsWith("Genotype(", StringComparison.Ordinal)) return;
        var g = Nas.Systems.Genotypes.GenotypeText.Parse(text, GenotypeText);
        Write(Path, () =>
        {
            CellPicture.Write(Path, "normal", g.Normal, g.NormalConcat);
            CellPicture.Write(Path, "reduction", g.Reduce, g.ReduceConcat);
        });
    }

    /// <summary>Runs one write, turning an I/O failure into a <see cref="RunIOException"/> that names <paramref name="path"/>.</summary>
    public static void Write(string path, Action write)
    {
        try { write(); }
        catch (Exception e) when (e is IOException and not RunIOException or UnauthorizedAccessException)
        {
            throw new RunIOException(path, e);
        }
    }

    public void Dispose() => _lock.Dispose();
}

/// <summary>Reading or writing a file of the run folder failed (disk full, permission, read-only): names the file and the error.</summary>
public sealed class RunIOException(string path, Exception inner) : IOException($"{path}: {Plain(inner.Message)}", inner)
{
    public string FilePath { get; } = path;

    // .NET appends " : 'PATH'" to errno messages; the path is already at the front.
    private static string Plain(string message) => message.IndexOf(" : '", StringComparison.Ordinal) is var i and > 0 ? message[..i] : message;
}
