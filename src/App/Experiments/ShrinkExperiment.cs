// Issue 16 item 4, V5 (methods.md part 2 §7): BS-NAS's shrinking claim. Three arms (no shrinking, accuracy, angle) against stand-alone ground truth.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Nas.App.Config;
using Nas.Components;
using Nas.Systems.Data;
using Nas.Systems.Methods;
using Nas.Systems.OneShot;
using Nas.Systems.OneShot.BsNas;
using Nas.Systems.OneShot.Supernet;
using Nas.Systems.OneShot.Systems;
using Nas.World;

namespace Nas.App.Experiments;

/// <summary>
/// Sizes of the experiment. Arms: the bs-nas preset (spring widths, 28×28 mobile space, its FLOPs limit) on the first
/// <see cref="Subset"/> training images, <see cref="Epochs"/> epochs with a first shrink stage of <see cref="FirstStage"/> and
/// one-epoch stages after it, <see cref="Subnets"/> subnets per ranking, an evolution of <see cref="Population"/> ×
/// <see cref="Generations"/>. Ground truth: every architecture trained alone on its path (the SPOS recipe of the arms, a fixed
/// path, no shrinking) on the first <see cref="GroundTruthSubset"/> images for <see cref="GroundTruthEpochs"/> epochs, scored on
/// all its held-out images. <see cref="Architectures"/> drawn uniformly from the full space, plus <see cref="NewSurvivors"/> drawn
/// from each shrinking arm's surviving space. <see cref="Batch"/>: the preset's 128 (its lr is kept). <see cref="SampleOnly"/>: train
/// the sample's ground truth and stop (no arms): a second process beside a running experiment on the same folder, using a
/// core the first leaves idle; the sample does not depend on the arms, so the full run finds those rows done.
/// </summary>
public sealed record ShrinkExperimentOptions(
    int Subset = 2000, int Epochs = 16, int FirstStage = 10, int Subnets = 50, int Population = 20, int Generations = 5,
    int Architectures = 30, int NewSurvivors = 20, int GroundTruthSubset = 4000, int GroundTruthEpochs = 3, ulong Seed = 1,
    int Batch = 128, int Threads = 2, int Resamples = 1000, Dataset? Data = null, string OutDir = "runs/shrink", bool SampleOnly = false);

/// <summary>One arm after its search: the surviving options, the evolution's best genome, and its supernet's accuracy of every genome it can run.</summary>
public sealed record ShrinkArm(string Name, ActiveOptions Active, double SpaceSize, int[] Best, double Seconds, IReadOnlyDictionary<string, double> SupernetAccuracy);

/// <summary>What one arm shows against the ground truth.</summary>
public sealed record ShrinkArmRow(string Arm, double SpaceSize, int Survivors, int FromSample, double Tau, double Low, double High, double ControlTau,
    int BestOpSurvived, int BestWidthSurvived, double ChanceOp, double ChanceWidth, string Best, double BestAccuracy, double BestPercentile, double Seconds);

public sealed record ShrinkResult(ShrinkExperimentOptions Options, IReadOnlyList<ShrinkArm> Arms, IReadOnlyList<ShrinkArmRow> Rows,
    IReadOnlyDictionary<string, double> Truth, IReadOnlyList<string> Sample, IReadOnlyDictionary<string, string> Origins, int TrainedThisRun);

public static class ShrinkExperiment
{
    public const string None = "none", Accuracy = "accuracy", Angle = "angle";
    public static readonly IReadOnlyList<string> ArmNames = [None, Accuracy, Angle];

    public static void Validate(ShrinkExperimentOptions o)
    {
        InputChecks.AtLeast("--epochs", o.Epochs, 1);
        InputChecks.AtLeast("--first-stage", o.FirstStage, 1);
        InputChecks.AtLeast("--subnets", o.Subnets, 1);
        InputChecks.AtLeast("--population", o.Population, 2);
        InputChecks.AtLeast("--generations", o.Generations, 0);
        InputChecks.AtLeast("--architectures", o.Architectures, 3);
        InputChecks.AtLeast("--new-survivors", o.NewSurvivors, 0);
        InputChecks.AtLeast("--gt-epochs", o.GroundTruthEpochs, 1);
        InputChecks.AtLeast("--resamples", o.Resamples, 1);
        InputChecks.AtLeast("--batch", o.Batch, 1);
        if (o.FirstStage >= o.Epochs) throw new ArgumentException($"--first-stage must be below --epochs (a stage must end before training does), got {o.FirstStage} and {o.Epochs}");
        if (o.Subset < 0 || o.GroundTruthSubset < 0) throw new ArgumentException($"--subset and --gt-subset must be 0 (all images) or positive, got {o.Subset} and {o.GroundTruthSubset}");
        if (o.Threads < 1 || o.Threads > InputChecks.MaxThreads) throw new ArgumentException($"--threads {o.Threads}: must be in 1..{InputChecks.MaxThreads} on this machine");
        if (string.IsNullOrWhiteSpace(o.OutDir)) throw new ArgumentException("--out must name a folder");
    }

    /// <summary>The arm's search: the bs-nas preset at the experiment's sizes; none switches shrinking off, angle ranks by ABS's angle.</summary>
    public static SearchConfig ArmConfig(ShrinkExperimentOptions o, Dataset data, string arm)
    {
        var c = Sized(o, data) with
        {
            Epochs = o.Epochs, ShrinkFirstStage = o.FirstStage, ShrinkLaterStage = 1, ShrinkSubnets = o.Subnets,
            Population = o.Population, Generations = o.Generations, Shrink = arm != None,
            ShrinkCriterion = arm == Angle ? ShrinkCriterion.Angle : ShrinkCriterion.Accuracy,
        };
        return Checked(c);
    }

    /// <summary>Stand-alone training of one path: the arms' recipe without shrinking, for the ground-truth epochs.</summary>
    public static SearchConfig TruthConfig(ShrinkExperimentOptions o, Dataset data) =>
        Checked(Sized(o, data) with { Epochs = o.GroundTruthEpochs, Shrink = false });

    private static SearchConfig Sized(ShrinkExperimentOptions o, Dataset data)
    {
        var preset = Presets.For("bs-nas");
        int heldOut = data.Count - (int)Math.Floor(preset.TrainPortion * data.Count);
        return preset with { Seed = o.Seed, Threads = o.Threads, Batch = o.Batch, EvalBatches = Math.Max(1, (heldOut + o.Batch - 1) / o.Batch) };
    }

    private static SearchConfig Checked(SearchConfig c)
    {
        var problems = Presets.Problems(c);
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems));
        return c;
    }

    public static string Key(int[] genes) => string.Join(".", genes.Select(g => g.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The inverse of <see cref="Key"/>.</summary>
    public static int[] Genes(string key) => key.Split('.').Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray();

    public static bool Survives(int[] genes, ActiveOptions a)
    {
        for (int l = 0; l < genes.Length; l++)
        {
            int op = BsNasGene.Op(genes[l]);
            if (!a.Ops[l].Contains(op) || (op >= 0 && !a.Widths[l].Contains(BsNasGene.Width(genes[l])))) return false;
        }
        return true;
    }

    /// <summary><paramref name="count"/> genomes drawn uniformly per layer from <paramref name="active"/> (the training sampler's draw, every width admissible), distinct.</summary>
    public static List<int[]> Draw(OneShotNetwork spec, ActiveOptions? active, int count, ulong seed, int epochs, ISet<string> exclude)
    {
        var rng = new Rng(seed);
        var list = new List<int[]>();
        var seen = new HashSet<string>(exclude);
        for (int tries = 0; list.Count < count && tries < 100 * count + 100; tries++)
        {
            var g = SamplePathSystem.Draw(spec, active, epochs, epochs, rng);
            if (seen.Add(Key(g))) list.Add(g);
        }
        return list;
    }

    public static ShrinkResult Run(ShrinkExperimentOptions o, TextWriter log)
    {
        Validate(o);
        Torch.Torch.Threads = o.Threads;
        var all = o.Data ?? FashionMnist.LoadTrain();
        var data = o.Subset > 0 && o.Subset < all.Count ? all.Take(o.Subset) : all;
        var truthData = o.GroundTruthSubset > 0 && o.GroundTruthSubset < all.Count ? all.Take(o.GroundTruthSubset) : all;
        var truthConfig = TruthConfig(o, truthData);
        var spec = OneShotSession.NetworkOf(ArmConfig(o, data, None), data);
        var gtPath = Path.Combine(o.OutDir, GroundTruthFile.FileName);
        var settings = Settings(o, truthData, truthConfig);
        if (File.Exists(gtPath)) CheckSettings(gtPath, settings); // before the arms' half hour, not after
        Directory.CreateDirectory(o.OutDir);
        log.WriteLine($"# shrink experiment (V5): bs-nas arms {string.Join(", ", ArmNames)} on {data.Name} ({data.Count} images), {o.Epochs} epochs (first stage {o.FirstStage}), " +
            $"{o.Subnets} subnets per ranking, evolution {o.Population}×{o.Generations}; ground truth {o.Architectures} sampled + {o.NewSurvivors} new survivors per shrinking arm, " +
            $"{o.GroundTruthEpochs} epochs on {truthData.Count} images; seed {o.Seed}, out {o.OutDir}");

        var sample = Draw(spec, null, o.Architectures, SplitMix64.Derive(o.Seed, 0x56355341UL).State, o.Epochs, new HashSet<string>()); // "V5SA"
        var sampleKeys = sample.Select(Key).ToList();
        if (o.SampleOnly)
        {
            var sampleDone = GroundTruthFile.Open(gtPath, settings, sampleKeys, log);
            int n = TrainTruth(o, truthConfig, truthData, gtPath, sampleKeys, sampleDone, log);
            log.WriteLine($"sample ground truth: {sampleKeys.Count} genomes, {n} trained in this call; the arms were not run (--sample-only)");
            return new ShrinkResult(o, [], [], sampleKeys.Select((k, i) => (k, sampleDone[(i, 0)].Accuracy)).ToDictionary(t => t.k, t => t.Accuracy), sampleKeys,
                sampleKeys.ToDictionary(k => k, _ => "sample"), n);
        }
        var arms = new List<ShrinkArm>();
        var extra = new Dictionary<string, List<int[]>>();
        // The shrinking arms first: their new survivors are scored on the no-shrinking supernet too (the control), which runs last.
        var armSettings = ArmSettings(o, data);
        foreach (var (name, k) in new[] { (Accuracy, 1), (Angle, 2), (None, 0) })
        {
            var armPath = Path.Combine(o.OutDir, $"arm-{name}.json");
            if (LoadArm(armPath, armSettings) is { } cached)
            {
                extra[name] = name == None ? [] : Draw(spec, cached.Active, o.NewSurvivors, ExtraSeed(o, k), o.Epochs, sampleKeys.ToHashSet());
                arms.Add(cached);
                log.WriteLine($"arm {name}: read from {armPath} (an earlier call with the same settings finished it)");
                continue;
            }
            var sw = Stopwatch.StartNew();
            var config = ArmConfig(o, data, name);
            log.WriteLine($"arm {name}: searching ({config.Epochs} epochs, shrink {(config.Shrink ? config.ShrinkCriterion.ToString().ToLowerInvariant() : "off")})");
            using var s = OneShotSession.Create(config, data);
            int lastEpoch = -1, lastGeneration = -1;
            while (!s.Finished)
            {
                s.Step();
                var clock = s.Clock;
                if (clock.Epoch != lastEpoch && clock.Epoch > 0 && clock.Epoch <= config.Epochs)
                {
                    lastEpoch = clock.Epoch;
                    var size = s.World.TryResource<ActiveOptions>(out var a) ? Shrinking.SpaceSize(a).ToString("E2", CultureInfo.InvariantCulture) : "full";
                    log.WriteLine($"arm {name}: epoch {Math.Min(clock.Epoch, config.Epochs)}/{config.Epochs}, active space {size} ({sw.Elapsed.TotalSeconds:F0} s)");
                }
                if (s.World.TryResource<EvolutionState>(out var evo) && evo.Generation != lastGeneration)
                {
                    lastGeneration = evo.Generation;
                    log.WriteLine($"arm {name}: generation {evo.Generation}/{config.Generations}, evaluated {evo.Evaluated.Length} ({sw.Elapsed.TotalSeconds:F0} s)");
                }
                log.Flush();
            }
            var active = s.World.TryResource<ActiveOptions>(out var act) ? act : FullOptions(spec);
            var best = s.Best() ?? throw new InvalidOperationException($"arm {name}: the evolution found no architecture under the FLOPs limit");
            var mine = name == None ? [] : Draw(spec, active, o.NewSurvivors, ExtraSeed(o, k), o.Epochs, sampleKeys.ToHashSet());
            extra[name] = mine;
            var toScore = name == None
                ? sample.Concat(extra.Values.SelectMany(v => v)).Append(best.Genes).Concat(arms.Select(r => r.Best))
                : sample.Where(g => Survives(g, active)).Concat(mine).Append(best.Genes);
            var eval = s.World.Resource<EvalData>();
            var scores = new Dictionary<string, double>();
            foreach (var g in toScore)
                if (!scores.ContainsKey(Key(g))) scores[Key(g)] = 1 - Scoring.Error(s.Supernet, eval, g);
            var arm = new ShrinkArm(name, active, Shrinking.SpaceSize(active), best.Genes, sw.Elapsed.TotalSeconds, scores);
            arms.Add(arm);
            File.WriteAllText(armPath, JsonSerializer.Serialize(new ArmFile(armSettings, arm)));
            log.WriteLine($"arm {name}: done in {arm.Seconds:F0} s: active space {arm.SpaceSize:E2}, best {Key(best.Genes)} ({s.Config.FlopsLimit:N0} MACs limit), {scores.Count} genomes scored");
        }

        // Ground truth: every genome some arm needs, in a fixed order (sample, new survivors, the arms' bests), resumable.
        var order = sample.Concat(extra[Accuracy]).Concat(extra[Angle]).Concat(arms.Select(a => a.Best)).Select(Key).Distinct().ToList();
        var done = GroundTruthFile.Open(gtPath, settings, order, log);
        int trained = TrainTruth(o, truthConfig, truthData, gtPath, order, done, log);
        var truth = order.Select((key, i) => (key, done[(i, 0)].Accuracy)).ToDictionary(t => t.key, t => t.Accuracy);
        var rows = arms.Select(a => Row(o, a, arms.Single(x => x.Name == None), sample, extra.GetValueOrDefault(a.Name) ?? [], truth)).ToList();
        var origins = new Dictionary<string, List<string>>();
        void Origin(IEnumerable<int[]> genomes, string what) { foreach (var g in genomes) (origins.TryGetValue(Key(g), out var l) ? l : origins[Key(g)] = []).Add(what); }
        Origin(sample, "sample");
        Origin(extra[Accuracy], "new-" + Accuracy);
        Origin(extra[Angle], "new-" + Angle);
        foreach (var a in arms) Origin([a.Best], "best-" + a.Name);
        var result = new ShrinkResult(o, arms, rows, truth, sampleKeys, origins.ToDictionary(kv => kv.Key, kv => string.Join("+", kv.Value)), trained);
        var md = ShrinkReport.Markdown(result);
        ShrinkReport.Write(result, md);
        log.WriteLine();
        log.Write(md);
        return result;
    }

    private static ulong ExtraSeed(ShrinkExperimentOptions o, int arm) => SplitMix64.Derive(o.Seed, 0x56354E53UL, (ulong)arm).State; // "V5NS"

    /// <summary>An arm's result on disk (arm-NAME.json), with what it depends on: a later call with other settings runs the arm again.</summary>
    public sealed record ArmFile(string Settings, ShrinkArm Arm);

    public static string ArmSettings(ShrinkExperimentOptions o, Dataset data) => string.Join(";", "format=1", $"data={data.Name}", $"images={data.Count}",
        $"epochs={o.Epochs}", $"first_stage={o.FirstStage}", $"subnets={o.Subnets}", $"population={o.Population}", $"generations={o.Generations}",
        $"architectures={o.Architectures}", $"new_survivors={o.NewSurvivors}", $"seed={o.Seed}", $"batch={o.Batch}");

    /// <summary>The arm of <paramref name="path"/> if it exists and was written under <paramref name="settings"/>; null otherwise (then it is recomputed and overwritten).</summary>
    private static ShrinkArm? LoadArm(string path, string settings)
    {
        if (!File.Exists(path)) return null;
        ArmFile? file;
        try { file = JsonSerializer.Deserialize<ArmFile>(File.ReadAllText(path)); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not an arm file of `nas experiment shrink` ({e.Message}); delete it to run the arm again"); }
        return file is not null && file.Settings == settings ? file.Arm : null;
    }

    /// <summary>Trains every genome of <paramref name="order"/> not in <paramref name="done"/> alone, appending each row as it finishes; returns how many.</summary>
    private static int TrainTruth(ShrinkExperimentOptions o, SearchConfig truthConfig, Dataset truthData, string gtPath, IReadOnlyList<string> order,
        Dictionary<(int Index, int Replica), GroundTruthRow> done, TextWriter log)
    {
        int trained = 0;
        for (int i = 0; i < order.Count; i++)
        {
            if (done.ContainsKey((i, 0))) continue;
            var sw = Stopwatch.StartNew();
            var genes = Genes(order[i]);
            using var s = OneShotSession.Create(truthConfig, truthData);
            RankTraining.Train(s, genes);
            double acc = 1 - Scoring.Error(s.Supernet, s.World.Resource<EvalData>(), genes);
            var row = new GroundTruthRow(i, order[i], 0, o.Seed, acc, sw.Elapsed.TotalSeconds);
            GroundTruthFile.Append(gtPath, row);
            done[(i, 0)] = row;
            trained++;
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ground truth {i + 1}/{order.Count}: {order[i]} accuracy {acc:P2} ({row.Seconds:F0} s)"));
            log.Flush();
        }
        return trained;
    }

    /// <summary>Refuses a ground-truth file written with other settings, naming the setting and both values.</summary>
    private static void CheckSettings(string path, IReadOnlyList<(string Key, string Value)> settings)
    {
        var (found, _) = GroundTruthFile.Read(path);
        foreach (var (k, v) in settings)
            if (!found.TryGetValue(k, out var old) || old != v)
                throw new InvalidDataException($"{path}: was written with {k}={old ?? "(none)"}, this run has {k}={v}; resume with the same settings or choose another --out");
    }

    private static ActiveOptions FullOptions(OneShotNetwork spec) => ((BsNasSpace)OneShotSupernet.ChoiceSpace(spec, null)).Active;

    /// <summary>What the ground truth depends on; a resumed ground-truth file must carry the same values.</summary>
    public static List<(string Key, string Value)> Settings(ShrinkExperimentOptions o, Dataset data, SearchConfig c)
    {
        static string S(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        return
        [
            ("format", "1"), ("experiment", "shrink"), ("seed", o.Seed.ToString(CultureInfo.InvariantCulture)), ("data", data.Name),
            ("images", data.Count.ToString(CultureInfo.InvariantCulture)), ("epochs", o.GroundTruthEpochs.ToString(CultureInfo.InvariantCulture)),
            ("recipe", c.Method), ("batch", c.Batch.ToString(CultureInfo.InvariantCulture)), ("lr", S(c.Lr)), ("train_portion", S(c.TrainPortion)),
        ];
    }

    /// <summary>
    /// One arm against the truth. Survivors: the sample's genomes inside the arm's active space, plus its new survivors (none:
    /// the whole sample). τ_b of the arm's supernet accuracy against the truth over them, and of the no-shrinking supernet over the
    /// same genomes (the control). Per layer, the option with the highest mean true accuracy over every trained genome that used
    /// it (Shrinking.OptionMeans on the truth): does it survive? Chance: the share of that layer's options that survive, averaged.
    /// </summary>
    public static ShrinkArmRow Row(ShrinkExperimentOptions o, ShrinkArm arm, ShrinkArm none, IReadOnlyList<int[]> sample, IReadOnlyList<int[]> extra,
        IReadOnlyDictionary<string, double> truth)
    {
        var fromSample = sample.Where(g => Survives(g, arm.Active)).ToList();
        var survivors = fromSample.Concat(extra).Select(Key).Distinct().ToList();
        var t = survivors.Select(k => truth[k]).ToArray();
        var own = survivors.Select(k => arm.SupernetAccuracy[k]).ToArray();
        var control = survivors.Select(k => none.SupernetAccuracy[k]).ToArray();
        double tau = survivors.Count >= 3 ? RankCorrelation.KendallTauB(own, t) : double.NaN;
        var (low, high) = survivors.Count >= 3 ? RankCorrelation.Bootstrap(own, t, RankCorrelation.KendallTauB, new Rng(o.Seed), o.Resamples) : (double.NaN, double.NaN);
        double controlTau = survivors.Count >= 3 ? RankCorrelation.KendallTauB(control, t) : double.NaN;

        var means = Shrinking.OptionMeans(truth.Select(kv => (Genes(kv.Key), kv.Value)));
        var full = none.Active;
        int layers = full.Ops.Length, opHit = 0, widthHit = 0;
        double chanceOp = 0, chanceWidth = 0;
        for (int l = 0; l < layers; l++)
        {
            opHit += arm.Active.Ops[l].Contains(BestOf(means, l, OptionKind.Op)) ? 1 : 0;
            widthHit += arm.Active.Widths[l].Contains(BestOf(means, l, OptionKind.Width)) ? 1 : 0;
            chanceOp += (double)arm.Active.Ops[l].Length / full.Ops[l].Length / layers;
            chanceWidth += (double)arm.Active.Widths[l].Length / full.Widths[l].Length / layers;
        }
        var bestKey = Key(arm.Best);
        double bestAcc = truth[bestKey];
        double percentile = sample.Count(g => truth[Key(g)] < bestAcc) / (double)sample.Count;
        return new ShrinkArmRow(arm.Name, arm.SpaceSize, survivors.Count, fromSample.Count, tau, low, high, controlTau, opHit, widthHit, chanceOp, chanceWidth,
            bestKey, bestAcc, percentile, arm.Seconds);
    }

    /// <summary>The option of the kind in layer <paramref name="l"/> with the highest mean (ties: the lowest value).</summary>
    public static int BestOf(IReadOnlyDictionary<OptionKey, double> means, int l, OptionKind kind) =>
        means.Where(kv => kv.Key.Layer == l && kv.Key.Kind == kind).OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key.Value).First().Key.Value;
}
