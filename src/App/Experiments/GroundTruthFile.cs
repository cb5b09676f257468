// The rank experiment's resumable ground truth: one CSV row appended per stand-alone training, under the settings that produced it.
using System.Globalization;
using System.Text;

namespace Nas.App.Experiments;

/// <summary>One stand-alone training: cell <see cref="Index"/> of the sample, replica 0 (ground truth) or 1 (second seed).</summary>
public readonly record struct GroundTruthRow(int Index, string Cell, int Replica, ulong Seed, double Accuracy, double Seconds);

/// <summary>
/// Format: comment lines <c># key=value</c> (the settings; a resumed run must match every one), the header
/// <c>index,cell,replica,seed,accuracy,seconds</c>, then one row per training in the order they finished. The number of
/// cells is not a setting: the sample is sequential in the seed, so a longer run extends a shorter one.
/// </summary>
public static class GroundTruthFile
{
    public const string FileName = "ground-truth.csv";
    private const string Header = "index,cell,replica,seed,accuracy,seconds";

    /// <summary>
    /// The rows already in <paramref name="path"/> (none if it does not exist; then it is created with the settings).
    /// Refuses a file written with other settings (naming the field and both values), a row whose cell is not the one
    /// this run samples at that index, a malformed row and a duplicate. A last line cut short by an interruption (no
    /// newline) is dropped from the file.
    /// </summary>
    public static Dictionary<(int Index, int Replica), GroundTruthRow> Open(string path, IReadOnlyList<(string Key, string Value)> settings,
        IReadOnlyList<string> cells, TextWriter log)
    {
        var rows = new Dictionary<(int, int), GroundTruthRow>();
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var sb = new StringBuilder("# nas experiment rank: ground truth, one row per stand-alone training; a resumed run must match every setting\n");
            foreach (var (k, v) in settings) sb.Append($"# {k}={v}\n");
            sb.Append(Header).Append('\n');
            File.WriteAllText(path, sb.ToString());
            return rows;
        }
        var text = File.ReadAllText(path);
        if (text.Length > 0 && !text.EndsWith('\n'))
        {
            int cut = text.LastIndexOf('\n') + 1;
            log.WriteLine($"{path}: dropping an unfinished last line (an interrupted write): '{text[cut..]}'");
            text = text[..cut];
            File.WriteAllText(path, text);
        }
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var (found, n) = SettingsOf(lines);
        foreach (var (k, v) in settings)
        {
            if (!found.TryGetValue(k, out var old))
                throw new InvalidDataException($"{path}: has no setting '{k}', so it is not a ground-truth file of this version; choose another --out");
            if (old != v)
                throw new InvalidDataException($"{path}: was written with {k}={old}, this run has {k}={v}; resume with the same settings or choose another --out");
        }
        CheckHeader(lines, n, path);
        for (int l = n + 1; l < lines.Length; l++)
        {
            var row = Parse(lines[l], path, l + 1);
            if (row.Index >= cells.Count) continue; // a longer earlier run: rows beyond this run's cells are kept in the file, unused
            if (row.Cell != cells[row.Index])
                throw new InvalidDataException($"{path} line {l + 1}: cell {row.Index} is {row.Cell} in the file but this run samples {cells[row.Index]}");
            if (!rows.TryAdd((row.Index, row.Replica), row))
                throw new InvalidDataException($"{path} line {l + 1}: cell {row.Index} replica {row.Replica} appears twice");
        }
        return rows;
    }

    /// <summary>
    /// A ground-truth file read as another experiment's input, without changing it: its settings and its rows in file
    /// order. A last line without a newline (a rank run still writing it) is not read. Refuses a missing file, a file
    /// without settings or header, a malformed row and a duplicate (index, replica), naming the file and line.
    /// </summary>
    public static (IReadOnlyDictionary<string, string> Settings, List<GroundTruthRow> Rows) Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file", path);
        var text = File.ReadAllText(path);
        var lines = text[..(text.LastIndexOf('\n') + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var (settings, n) = SettingsOf(lines);
        if (settings.Count == 0)
            throw new InvalidDataException($"{path}: has no '# key=value' settings lines, so it is not a ground-truth file of `nas experiment rank`");
        CheckHeader(lines, n, path);
        var rows = new List<GroundTruthRow>();
        var seen = new HashSet<(int, int)>();
        for (int l = n + 1; l < lines.Length; l++)
        {
            var row = Parse(lines[l], path, l + 1);
            if (!seen.Add((row.Index, row.Replica)))
                throw new InvalidDataException($"{path} line {l + 1}: cell {row.Index} replica {row.Replica} appears twice");
            rows.Add(row);
        }
        return (settings, rows);
    }

    /// <summary>The leading <c># key=value</c> lines as a dictionary, and the index of the first line after them.</summary>
    private static (Dictionary<string, string> Settings, int Next) SettingsOf(string[] lines)
    {
        var found = new Dictionary<string, string>();
        int n = 0;
        for (; n < lines.Length && lines[n].StartsWith('#'); n++)
        {
            int eq = lines[n].IndexOf('=');
            if (eq > 0) found[lines[n][1..eq].Trim()] = lines[n][(eq + 1)..];
        }
        return (found, n);
    }

    private static void CheckHeader(string[] lines, int n, string path)
    {
        if (n >= lines.Length || lines[n] != Header)
            throw new InvalidDataException($"{path}: expected the header '{Header}' after the settings, got '{(n < lines.Length ? lines[n] : "end of file")}'");
    }

    /// <summary>Appends one row and flushes it (one write call, ending in a newline).</summary>
    public static void Append(string path, GroundTruthRow r) =>
        File.AppendAllText(path, string.Join(",", r.Index.ToString(CultureInfo.InvariantCulture), r.Cell, r.Replica.ToString(CultureInfo.InvariantCulture),
            r.Seed.ToString(CultureInfo.InvariantCulture), r.Accuracy.ToString("R", CultureInfo.InvariantCulture), r.Seconds.ToString("F2", CultureInfo.InvariantCulture)) + "\n");

    private static GroundTruthRow Parse(string line, string path, int lineNumber)
    {
        var f = line.Split(',');
        string Problem(string what) => $"{path} line {lineNumber}: {what} in '{line}'";
        if (f.Length != 6) throw new InvalidDataException(Problem($"expected 6 fields ({Header}), got {f.Length}"));
        if (!int.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index)) throw new InvalidDataException(Problem($"index '{f[0]}' is not a count"));
        if (!int.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var replica) || replica > 1) throw new InvalidDataException(Problem($"replica '{f[2]}' is not 0 or 1"));
        if (!ulong.TryParse(f[3], NumberStyles.None, CultureInfo.InvariantCulture, out var seed)) throw new InvalidDataException(Problem($"seed '{f[3]}' is not a seed"));
        if (!double.TryParse(f[4], NumberStyles.Float, CultureInfo.InvariantCulture, out var acc) || !(acc >= 0 && acc <= 1)) throw new InvalidDataException(Problem($"accuracy '{f[4]}' is not in [0, 1]"));
        if (!double.TryParse(f[5], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || !(seconds >= 0)) throw new InvalidDataException(Problem($"seconds '{f[5]}' is not a duration"));
        return new GroundTruthRow(index, f[1], replica, seed, acc, seconds);
    }
}
