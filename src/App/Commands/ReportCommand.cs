// `nas report RUN_DIR [--out FILE.html]`: the run page as one static file (data inlined, no server, nothing from the network).
using System.CommandLine;
using System.Text;
using System.Text.Json;
using Nas.App.Config;
using Nas.App.Page;
using Nas.Components;
using Nas.Systems.Methods;
using Nas.Systems.Search;
using Nas.World.Snapshots;

namespace Nas.App.Commands;

public static class ReportCommand
{
    public static Command Create()
    {
        var folder = new Argument<DirectoryInfo>("RUN_DIR") { Description = "a run folder (steps.jsonl, epochs.jsonl, snapshots/)" };
        var output = new Option<FileInfo?>("--out") { Description = "the HTML file to write (default RUN_DIR/report.html)" };
        var command = new Command("report", "write the run page of a finished or stopped run as one static HTML file") { folder, output };
        command.SetAction(r =>
        {
            var dir = r.GetValue(folder)!;
            var file = r.GetValue(output)?.FullName ?? Path.Combine(dir.FullName, "report.html");
            try
            {
                File.WriteAllText(file, PageHtml.Build(Data(dir.FullName)), new UTF8Encoding(false));
            }
            catch (ReportException e)
            {
                Console.Error.WriteLine($"nas report: {e.Message}");
                return 2;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"nas report: {file}: {e.Message}");
                return 1;
            }
            Console.WriteLine(file);
            return 0;
        });
        return command;
    }

    internal sealed class ReportException(string message) : Exception(message);

    /// <summary>The page data document of a run folder: its logs as they are, the architecture of its newest valid snapshot.</summary>
    internal static string Data(string runDir)
    {
        if (!Directory.Exists(runDir)) throw new ReportException($"{runDir}: no such run folder");
        var stepsPath = Path.Combine(runDir, "steps.jsonl");
        if (!File.Exists(stepsPath)) throw new ReportException($"{runDir}: no steps.jsonl (not a run folder, or the run made no step)");
        var steps = new JsonLinesTail(stepsPath).After(long.MinValue);
        var epochs = new JsonLinesTail(Path.Combine(runDir, "epochs.jsonl"), "epoch").From(0);
        var last = steps.Count > 0 ? JsonDocument.Parse(steps[^1]).RootElement : default;
        double? Last(string name) => last.ValueKind == JsonValueKind.Object && last.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

        RunDetail? detail = null;
        SearchConfig? config = null;
        object? snapshot = null;
        SearchClock? clock = null;
        var snapshots = Path.Combine(runDir, "snapshots");
        var loaded = Directory.Exists(snapshots) ? SearchSnapshot.LoadNewestValid(new SnapshotStore(snapshots, int.MaxValue), out _) : null;
        if (loaded is not null)
        {
            using var world = loaded.Body;
            config = SearchSnapshot.ConfigOf(world);
            detail = RunDetail.Of(world, config);
            clock = world.Resource<SearchClock>();
            snapshot = new { loaded.Path, loaded.Header.Step, WrittenAt = loaded.Header.Created, Bytes = new FileInfo(loaded.Path).Length };
        }
        var configPath = Path.Combine(runDir, "config.yaml");
        if (config is null && File.Exists(configPath))
        {
            try { config = ConfigFile.Load(configPath); }
            catch (ConfigException e) { throw new ReportException(e.Message); }
        }
        long? total = detail is null || config is null ? null
            : detail.StepsPerEpoch * config.Epochs + (detail.OneShot ? config.Generations + 1 : 0);
        if (total is not null && config!.Steps > 0) total = Math.Min(total.Value, config.Steps);
        var step = (long?)Last("step");
        // Finished: the newest snapshot is of the last logged step and its clock says no steps are left (a one-shot run's
        // evolution may end before the upper bound its total counts, so a finished run's total is the step it ended at).
        var finished = clock is { } c && c.Step == step && (c.Finished || (config!.Steps > 0 && c.Step >= config.Steps));
        if (finished) total = step;
        var genotypePath = Path.Combine(runDir, "genotype.txt");
        var genotype = File.Exists(genotypePath) ? File.ReadAllText(genotypePath).TrimEnd('\n') : null;
        var status = new
        {
            State = finished ? "finished" : "stopped",
            Method = config?.Method,
            Step = step,
            Epoch = clock?.Epoch ?? epochs.Count,
            TotalSteps = total,
            TrainLoss = Last("train_loss"),
            ValLoss = Last("val_loss"),
            TrainAccuracy = Last("train_accuracy"),
            ValAccuracy = epochs.Count > 0 && JsonDocument.Parse(epochs[^1]).RootElement.TryGetProperty("val_accuracy", out var va) ? va.GetDouble() : (double?)null,
            Genotype = genotype,
            LastSnapshot = snapshot,
        };
        var html = PageDocument.Write("report", DateTimeOffset.UtcNow, status, detail, steps, epochs, Cells(runDir, genotype), tokenRequired: false);
        return Encoding.UTF8.GetString(html);
    }

    /// <summary>The run folder's own SVGs (normal.svg, reduction.svg) when present, else drawn from genotype.txt.</summary>
    private static CellPictures? Cells(string runDir, string? genotype)
    {
        string? Read(string name) => File.Exists(Path.Combine(runDir, name)) ? CellSvg.Inline(File.ReadAllText(Path.Combine(runDir, name))) : null;
        var (normal, reduction) = (Read("normal.svg"), Read("reduction.svg"));
        if (normal is null && reduction is null) (normal, reduction) = CellSvg.Render(genotype);
        return normal is null && reduction is null ? null : new CellPictures(PageDocument.KeyOf(genotype), normal, reduction);
    }
}
