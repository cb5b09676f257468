// Reads the genotype `nas train` and `nas info --genotype` take, and settles which space's evaluation network it is for.
using System.Text.Json;
using Nas.App.Config;
using Nas.App.Runs;
using Nas.Components;
using Nas.Systems.Genotypes;

namespace Nas.App.Commands;

public static class GenotypeFile
{
    /// <summary>The values of --space.</summary>
    public static SearchSpace? ParseSpace(string? text) => text switch
    {
        null => null,
        "stacked" => SearchSpace.Stacked,
        "broad" => SearchSpace.Broad,
        _ => throw new ArgumentException($"--space '{text}': expected stacked or broad"),
    };

    /// <summary>
    /// The genotype and its space. genotype.json (by extension or a leading '{') written by a search records its space; a DARTS
    /// literal (and a genotype.json from before the space was recorded) does not, so <paramref name="space"/> must name it.
    /// A flag that contradicts the recorded space is refused: the reduce list means a stride-2 reduction cell in the stacked
    /// space and the stride-1 enhancement cell in the broad one (methods.md §4.9 pitfall 1), so the same lists make another network.
    /// </summary>
    public static (Genotype Genotype, SearchSpace Space) Load(FileInfo file, SearchSpace? space, string? source = null)
    {
        source ??= file.Name;
        var text = File.ReadAllText(file.FullName);
        var isJson = file.Extension.Equals(".json", StringComparison.OrdinalIgnoreCase) || text.TrimStart().StartsWith('{');
        var recorded = isJson ? Genotype.SpaceOfJson(text, source) : null;
        var genotype = isJson ? Genotype.FromJson(text, source) : GenotypeText.Parse(text, source);
        if (recorded is { } r && space is { } s && r != s)
            throw new ArgumentException($"{source} records space '{Name(r)}', but --space is '{Name(s)}': " + (r == SearchSpace.Stacked
                ? "its reduce list is a stride-2 reduction cell, not the enhancement-cell genotype the broad network needs"
                : "its reduce list is the broad space's enhancement-cell genotype (stride 1), not a reduction cell of the stacked network"));
        return (genotype, recorded ?? space ?? throw new ArgumentException(
            $"{source} does not say which network it is for ({(isJson ? "a genotype.json from before searches recorded their space" : "a DARTS literal")}): " +
            "pass --space stacked (DARTS cells: the reduce list is the reduction cell) or --space broad (BCNN: the normal list is the " +
            "convolution cell, the reduce list the enhancement cell)"));
    }

    /// <summary>
    /// The genotype and space of a search's run folder (`nas train --from`): its genotype.json, once the search has finished.
    /// Refused naming why: no such folder, a folder that is no run, a search that has not finished (a running or stopped search
    /// writes genotype.json at every epoch's end, so its presence alone says nothing: the last line of epochs.jsonl must be the
    /// configuration's last epoch, or reach its --steps), a genotype.json that cannot be read (the file and field named).
    /// </summary>
    public static (Genotype Genotype, SearchSpace Space) LoadRun(DirectoryInfo folder, SearchSpace? space)
    {
        var dir = folder.FullName;
        if (!Directory.Exists(dir))
            throw new ArgumentException(File.Exists(dir) ? $"--from {dir}: is a file, not a run folder" : $"--from {dir}: no such run folder");
        var json = Path.Combine(dir, "genotype.json");
        var configPath = Path.Combine(dir, "config.yaml");
        if (!RunFolder.HoldsRun(dir) || !File.Exists(configPath))
            throw new ArgumentException($"--from {dir}: not a search's run folder (no config.yaml{(File.Exists(json) ? "" : ", no genotype.json")}); " +
                "a genotype file of its own is `--genotype FILE`");
        if (!File.Exists(json))
            throw new ArgumentException($"--from {dir}: no genotype.json yet: the search has not written one (a differentiable search writes it at each epoch's end, a one-shot search at its end; continue it with `nas resume {dir}`)");
        if (NotFinished(dir) is { } why)
            throw new ArgumentException($"--from {dir}: the search has not finished: {why}, so genotype.json is an intermediate one (continue it with `nas resume {dir}`)");
        return Load(new FileInfo(json), space, json);
    }

    /// <summary>Null when the search in <paramref name="dir"/> has finished (by its config.yaml and epochs.jsonl), else how far it got.</summary>
    public static string? NotFinished(string dir)
    {
        SearchConfig config;
        try { config = ConfigFile.Load(Path.Combine(dir, "config.yaml")); }
        catch (ConfigException e) { throw new FormatException(e.Message, e); }
        var (epoch, step) = LastEpoch(Path.Combine(dir, "epochs.jsonl"));
        if (epoch >= config.Epochs - 1 || (config.Steps > 0 && step >= config.Steps)) return null;
        return $"epochs.jsonl ends at epoch {epoch + 1} of {config.Epochs}{(config.Steps > 0 ? $" (step {step} of {config.Steps})" : "")}";
    }

    /// <summary>The (0-based epoch, step) of the last line of a search's epochs.jsonl; (-1, 0) when it has none.</summary>
    private static (int Epoch, long Step) LastEpoch(string path)
    {
        if (!File.Exists(path)) return (-1, 0);
        var last = File.ReadLines(path).LastOrDefault(l => l.Trim().Length > 0);
        if (last is null) return (-1, 0);
        try
        {
            using var doc = JsonDocument.Parse(last);
            return (doc.RootElement.GetProperty("epoch").GetInt32(), doc.RootElement.GetProperty("step").GetInt64());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new FormatException($"{path}: last line: {e.Message}", e);
        }
    }

    public static string Name(SearchSpace space) => space.ToString().ToLowerInvariant();
}
