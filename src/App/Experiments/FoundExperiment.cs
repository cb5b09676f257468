// Issue 16 item 3, "found cells, trained": search with each method, then train the found genotype and random ones of its space alike.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Nas.App.Commands;
using Nas.App.Config;
using Nas.App.Runs;
using Nas.Components;
using Nas.Systems.Data;
using Nas.Systems.Genotypes;
using Nas.Systems.Methods;
using Nas.Systems.Train;
using Nas.World;

namespace Nas.App.Experiments;

/// <summary>
/// The sizes of the experiment. Search: the method's preset on the first <see cref="SearchSubset"/> training images (half train,
/// half validation, as every search), <see cref="SearchLayers"/> cells (stacked only; the broad preset keeps its 2 convolution
/// blocks + 1 enhancement cell), C = <see cref="SearchChannels"/>, batch <see cref="SearchBatch"/> with the preset's weight lr
/// scaled linearly by batch / preset batch [I], the preset's warm-up share fitted to <see cref="SearchEpochs"/>. Training: every
/// genotype in its space's evaluation network (<see cref="TrainLayers"/> cells or deep cells, C = <see cref="TrainChannels"/>, the
/// space's other defaults), on the first <see cref="TrainSubset"/> training images for <see cref="TrainEpochs"/> epochs, tested on
/// the first <see cref="TestSubset"/> test images (0 = all) after the last epoch; seeds 1..<see cref="Seeds"/>.
/// </summary>
public sealed record FoundOptions
{
    public string OutDir { get; init; } = "runs/found";
    public IReadOnlyList<string> Methods { get; init; } = ["darts", "bnas-v2-pc"];
    public string Dataset { get; init; } = "fashion-mnist";
    public int SearchSubset { get; init; } = 2000;
    public int SearchEpochs { get; init; } = 4;
    public int SearchLayers { get; init; } = 5;
    public int SearchChannels { get; init; } = 8;
    public int SearchBatch { get; init; } = 64;
    /// <summary>
    /// Multiplies the preset's architecture lr [I]: a search of 64 steps makes 64 α steps, and at the presets' rates α hardly moves
    /// (measured: DARTS at ×1, after 32 steps the largest softmax(α) of the normal cell was 0.1259 against the uniform 0.125), so
    /// the "found" genotype would be decided by noise; ×20 as in the collapse experiment. `--arch-lr-scale 1` gives the presets'.
    /// </summary>
    public double ArchLrScale { get; init; } = 20;
    public int TrainSubset { get; init; } = 5000;
    public int TestSubset { get; init; }
    public int TrainEpochs { get; init; } = 3;
    public int TrainLayers { get; init; } = 5;
    public int TrainChannels { get; init; } = 8;
    public int TrainBatch { get; init; } = 64;
    /// <summary>Random genotypes per method, each trained like the found one.</summary>
    public int Randoms { get; init; } = 2;
    public int Seeds { get; init; } = 2;
    /// <summary>The search's seed and the root of the random genotypes' (random k is <see cref="RandomSeed"/>(k)).</summary>
    public ulong Seed { get; init; } = 1;
    public int Threads { get; init; } = Math.Min(Environment.ProcessorCount, InputChecks.MaxThreads);

    public static readonly IReadOnlyList<string> Differentiable = ["darts", "pc-darts", "bnas-d", "bnas-v2-clr", "bnas-v2-pc", "dropnas"];

    public ulong RandomSeed(int k) => SplitMix64.Derive(Seed, 0x52414E44UL, (ulong)k).State; // "RAND": apart from the search's streams

    /// <summary>Every problem of these options that the search and training configurations do not catch themselves.</summary>
    public List<string> Problems()
    {
        var p = new List<string>();
        if (Methods.Count == 0) p.Add("--methods: give at least one method");
        foreach (var m in Methods.Where(m => !Differentiable.Contains(m)))
            p.Add($"--methods {m}: not a differentiable search of DARTS-form cells (one of {string.Join(", ", Differentiable)})");
        if (Methods.Distinct().Count() != Methods.Count) p.Add($"--methods {string.Join(",", Methods)}: a method is named twice");
        if (Randoms < 1) p.Add($"--randoms {Randoms}: at least one random genotype");
        if (Seeds < 1) p.Add($"--seeds {Seeds}: at least one seed");
        if (SearchSubset < 0 || TrainSubset < 0 || TestSubset < 0) p.Add("--search-subset, --train-subset and --test-subset must not be negative");
        if (!(ArchLrScale > 0) || !double.IsFinite(ArchLrScale)) p.Add($"--arch-lr-scale {ArchLrScale}: must be a positive number");
        if (Threads < 1 || Threads > InputChecks.MaxThreads) p.Add($"--threads {Threads}: must be in 1..{InputChecks.MaxThreads} on this machine");
        return p;
    }
}

/// <summary>One finished training: which method's which genotype ("found", "random-1", ...) with which seed, and what it reached.</summary>
public sealed record FoundRow(string Method, string Genotype, ulong Seed, string Space, double TestAccuracy, long Params, double TrainLoss, double Seconds, string Cell);

/// <summary>What one call did: searches run (or resumed) and trainings run, next to every row of the CSV.</summary>
public sealed record FoundOutcome(int Searches, int Trainings, bool Stopped, IReadOnlyList<FoundRow> Rows);

public static class FoundExperiment
{
    public const string CsvHeader = "method,genotype,seed,space,test_accuracy,params,train_loss,seconds,cell";

    /// <summary>
    /// Runs what is not done yet: each method's search (resumed from its snapshots when interrupted), then each training not
    /// in found.csv, appending its row as it finishes and rewriting found.md. Ctrl+C stops after the current search step or
    /// training epoch; the next call continues. Bad options throw <see cref="ArgumentException"/> before anything is written.
    /// </summary>
    public static FoundOutcome Run(FoundOptions o, TextWriter log)
    {
        if (o.Problems() is { Count: > 0 } problems) throw new ArgumentException(string.Join("; ", problems));
        var configs = o.Methods.ToDictionary(m => m, m => SearchConfigFor(m, o));
        foreach (var config in configs.Values) TrainConfigFor(o, config.Space, 1);
        var source = DatasetSource.Parse(o.Dataset);
        var train = source.LoadTrain(o.TrainSubset > 0 ? o.TrainSubset : null);
        var test = source.LoadTest();
        if (o.TestSubset > 0 && o.TestSubset < test.Count) test = test.Take(o.TestSubset);
        Directory.CreateDirectory(o.OutDir);
        CheckSameConfiguration(o);
        var csv = Path.Combine(o.OutDir, "found.csv");
        var rows = ReadCsv(csv);
        if (!File.Exists(csv)) File.WriteAllText(csv, CsvHeader + "\n");

        var stop = false;
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop = true; };
        Console.CancelKeyPress += onCancel;
        int searches = 0, trainings = 0;
        try
        {
            foreach (var method in o.Methods)
            {
                var searchDir = Path.Combine(o.OutDir, $"search-{method}");
                if (!Finished(searchDir))
                {
                    log.WriteLine($"found: {method}: searching ({SearchCommand.Builds(configs[method])}, {configs[method].Epochs} epochs) in {searchDir}");
                    searches++;
                    if (!Search(configs[method], searchDir)) return new FoundOutcome(searches, trainings, Stopped: true, rows);
                }
                var (found, space) = GenotypeFile.LoadRun(new DirectoryInfo(searchDir), null);
                log.WriteLine($"found: {method}: {GenotypeFile.Name(space)} genotype {found.ToDartsString()}");
                var genotypes = new List<(string Label, Genotype Genotype)> { ("found", found) };
                for (var k = 1; k <= o.Randoms; k++) genotypes.Add(($"random-{k}", RandomGenotype.Sample(o.RandomSeed(k))));
                foreach (var (label, genotype) in genotypes)
                    for (var s = 1UL; s <= (ulong)o.Seeds; s++)
                    {
                        if (rows.Any(r => r.Method == method && r.Genotype == label && r.Seed == s)) continue;
                        if (stop) return new FoundOutcome(searches, trainings, Stopped: true, rows);
                        var row = Train(o, method, label, genotype, space, s, train, test, () => stop);
                        if (row is null) return new FoundOutcome(searches, trainings, Stopped: true, rows);
                        trainings++;
                        rows.Add(row);
                        File.AppendAllText(csv, CsvLine(row) + "\n");
                        File.WriteAllText(Path.Combine(o.OutDir, "found.md"), Markdown(o, rows));
                        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"found: {method} {label} seed {s}: test accuracy {row.TestAccuracy:P2}, {row.Params:N0} params ({row.Seconds:F0} s)"));
                        log.Flush();
                    }
            }
        }
        finally { Console.CancelKeyPress -= onCancel; }
        var md = Markdown(o, rows);
        File.WriteAllText(Path.Combine(o.OutDir, "found.md"), md);
        log.WriteLine(md);
        return new FoundOutcome(searches, trainings, Stopped: false, rows);
    }

    /// <summary>The search of one method at the experiment's budget, checked as `nas search` checks its flags.</summary>
    public static SearchConfig SearchConfigFor(string method, FoundOptions o)
    {
        var preset = Presets.For(method);
        var config = Presets.FitWarmupToEpochs(preset with
        {
            Dataset = o.Dataset, Subset = o.SearchSubset, Layers = o.SearchLayers, Channels = o.SearchChannels, Batch = o.SearchBatch,
            Lr = preset.Lr * o.SearchBatch / preset.Batch, ArchLr = preset.ArchLr * o.ArchLrScale, Epochs = o.SearchEpochs, Seed = o.Seed, Threads = o.Threads, SnapshotEvery = 50,
        });
        var problems = Presets.Problems(config);
        if (problems.Count == 0) problems = InputChecks.Problems(config);
        if (problems.Count > 0) throw new ArgumentException($"the {method} search cannot run: {string.Join("; ", problems)}");
        return config;
    }

    private static bool Finished(string dir) =>
        RunFolder.HoldsRun(dir) && File.Exists(Path.Combine(dir, "genotype.json")) && GenotypeFile.NotFinished(dir) is null;

    /// <summary>Runs (or resumes from its newest snapshot) the search in <paramref name="dir"/>; false when it was stopped before its end.</summary>
    private static bool Search(SearchConfig config, string dir)
    {
        var resumable = RunFolder.HoldsRun(dir) && ResumeCommand.HasSnapshots(dir);
        using var folder = resumable ? RunFolder.OpenExisting(dir) : RunFolder.CreateNew(dir, "--out", moveAside: true);
        var (run, code) = resumable ? ResumeCommand.Open(folder, null, null, "nas experiment found") : SearchCommand.Start(config, folder, "nas experiment found");
        if (run is null) throw new InvalidOperationException($"the search in {dir} could not start (exit code {code}; the line above says why)");
        using (run)
        {
            code = SearchCommand.Drive(run, "nas experiment found");
            if (code != ExitCodes.Ok) throw new IOException($"the search in {dir} stopped with exit code {code} (the line above says why)");
            return run.Session.Finished;
        }
    }

    /// <summary>Trains one genotype with one seed; null when stopped (the training is redone on the next call).</summary>
    private static FoundRow? Train(FoundOptions o, string method, string label, Genotype genotype, SearchSpace space, ulong seed, Dataset train, Dataset test, Func<bool> stop)
    {
        var config = TrainConfigFor(o, space, seed);
        Torch.Torch.Threads = o.Threads;
        var clock = Stopwatch.StartNew();
        using var trainer = new Trainer(config, genotype, train, test);
        double trainLoss = double.NaN;
        using (var progress = new Progress($"{method} {label} seed {seed}", (long)config.Epochs * trainer.StepsPerEpoch))
            for (var e = 0; e < config.Epochs; e++)
            {
                if (stop()) return null;
                var done = (long)e * trainer.StepsPerEpoch;
                (_, _, trainLoss, _) = trainer.TrainEpoch(e, (i, loss, acc) => progress.Report(done + i, [$"epoch {e + 1}/{config.Epochs}", $"loss {loss:F4}", $"acc {acc:P2}"]));
            }
        var (_, accuracy) = trainer.Evaluate(test);
        return new FoundRow(method, label, seed, GenotypeFile.Name(space), accuracy, trainer.Network.ParameterCount(), trainLoss, clock.Elapsed.TotalSeconds, genotype.ToDartsString());
    }

    public static TrainConfig TrainConfigFor(FoundOptions o, SearchSpace space, ulong seed)
    {
        var config = TrainConfig.For(space) with { Layers = o.TrainLayers, Channels = o.TrainChannels, Epochs = o.TrainEpochs, Batch = o.TrainBatch, Seed = seed };
        var problems = config.Problems();
        if (problems.Count > 0) throw new ArgumentException($"the {GenotypeFile.Name(space)} training cannot run: {string.Join("; ", problems)}");
        return config;
    }

    /// <summary>found.csv may only hold rows of one configuration: the first call records it, later calls must match it.</summary>
    private static void CheckSameConfiguration(FoundOptions o)
    {
        var path = Path.Combine(o.OutDir, "found-config.json");
        var now = JsonSerializer.SerializeToNode(o with { OutDir = "", Threads = 0 })!.AsObject();
        now.Remove(nameof(FoundOptions.OutDir));
        now.Remove(nameof(FoundOptions.Threads));
        if (!File.Exists(path))
        {
            File.WriteAllText(path, now.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            return;
        }
        var before = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))?.AsObject()
            ?? throw new FormatException($"{path}: empty; remove it together with found.csv to start anew");
        var changed = now.Where(kv => before[kv.Key]?.ToJsonString() != kv.Value?.ToJsonString())
            .Select(kv => $"{kv.Key} was {before[kv.Key]?.ToJsonString() ?? "missing"}, now {kv.Value?.ToJsonString()}").ToList();
        if (changed.Count > 0)
            throw new ArgumentException($"{o.OutDir} holds an experiment of another configuration ({string.Join("; ", changed)}): " +
                "give another --out, or the same flags to continue it");
    }

    public static string CsvLine(FoundRow r) => string.Create(CultureInfo.InvariantCulture,
        $"{r.Method},{r.Genotype},{r.Seed},{r.Space},{r.TestAccuracy:R},{r.Params},{r.TrainLoss:R},{r.Seconds:F1},\"{r.Cell}\"");

    /// <summary>The rows of found.csv (none when it does not exist); a malformed line is refused naming its number.</summary>
    public static List<FoundRow> ReadCsv(string path)
    {
        var rows = new List<FoundRow>();
        if (!File.Exists(path)) return rows;
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0] != CsvHeader) throw new FormatException($"{path}: line 1: expected the header '{CsvHeader}'");
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var f = lines[i].Split(',', 9);
            var inv = CultureInfo.InvariantCulture;
            if (f.Length != 9 || !ulong.TryParse(f[2], inv, out var seed) || !double.TryParse(f[4], inv, out var acc) || !long.TryParse(f[5], inv, out var n)
                || !double.TryParse(f[6], inv, out var loss) || !double.TryParse(f[7], inv, out var seconds))
                throw new FormatException($"{path}: line {i + 1}: expected {CsvHeader}, got '{lines[i]}' (a line cut by an interruption can be deleted; its training is redone)");
            rows.Add(new FoundRow(f[0], f[1], seed, f[3], acc, n, loss, seconds, f[8].Trim('"')));
        }
        return rows;
    }

    /// <summary>The table: per method the found genotype's and the random genotypes' mean test accuracy and parameters, then every genotype.</summary>
    public static string Markdown(FoundOptions o, IReadOnlyList<FoundRow> rows)
    {
        static string Acc(IEnumerable<FoundRow> rs)
        {
            var a = rs.Select(r => r.TestAccuracy).ToArray();
            if (a.Length == 0) return "–";
            var mean = a.Average();
            var sd = a.Length > 1 ? Math.Sqrt(a.Sum(x => (x - mean) * (x - mean)) / (a.Length - 1)) : 0;
            return string.Create(CultureInfo.InvariantCulture, $"{100 * mean:F2} % ± {100 * sd:F2} (n = {a.Length})");
        }
        static string Params(IEnumerable<FoundRow> rs) => rs.Any() ? rs.Average(r => (double)r.Params).ToString("N0", CultureInfo.InvariantCulture) : "–";
        var sb = new StringBuilder();
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Search: {o.Dataset}, first {o.SearchSubset} training images (half for α), {o.SearchEpochs} epochs, {o.SearchLayers} cells (stacked), C = {o.SearchChannels}, " +
            $"batch {o.SearchBatch} (weight lr scaled by batch / preset batch), architecture lr × {o.ArchLrScale:G4} of the preset, seed {o.Seed}. Training: first {o.TrainSubset} training images, {o.TrainEpochs} epochs, {o.TrainLayers} cells / deep cells, " +
            $"C = {o.TrainChannels}, batch {o.TrainBatch}, seeds 1..{o.Seeds}; test accuracy on {(o.TestSubset > 0 ? $"the first {o.TestSubset}" : "all")} test images."));
        sb.AppendLine();
        sb.AppendLine("| method | space | found: test accuracy | random: test accuracy | found params | random params (mean) |");
        sb.AppendLine("|---|---|---|---|---:|---:|");
        foreach (var m in o.Methods)
        {
            var mine = rows.Where(r => r.Method == m).ToList();
            if (mine.Count == 0) continue;
            var found = mine.Where(r => r.Genotype == "found").ToList();
            var random = mine.Where(r => r.Genotype != "found").ToList();
            sb.AppendLine($"| {m} | {mine[0].Space} | {Acc(found)} | {Acc(random)} | {Params(found)} | {Params(random)} |");
        }
        sb.AppendLine();
        sb.AppendLine("| method | genotype | test accuracy per seed | params | cell |");
        sb.AppendLine("|---|---|---|---:|---|");
        foreach (var g in rows.GroupBy(r => (r.Method, r.Genotype)))
            sb.AppendLine($"| {g.Key.Method} | {g.Key.Genotype} | {string.Join(", ", g.OrderBy(r => r.Seed).Select(r => string.Create(CultureInfo.InvariantCulture, $"{100 * r.TestAccuracy:F2} %")))} | " +
                $"{g.First().Params.ToString("N0", CultureInfo.InvariantCulture)} | `{g.First().Cell}` |");
        return sb.ToString();
    }
}
