// The skip-collapse experiment (methods.md §7 checks 1-3): plain DARTS, DARTS+CLR and DropNAS on the toy configuration, several seeds.
using System.Globalization;
using System.Text;
using Nas.Components;
using Nas.Systems.Data;
using Nas.Systems.Methods;
using Nas.Systems.Search;

namespace Nas.App.Experiments;

/// <summary>
/// Sizes of the toy (§7): a 5-cell stacked supernet (reductions at 1 and 3) on synthetic gratings (1×Size×Size, 10 classes) of
/// <see cref="Images"/> training images; <see cref="TestImages"/> held out for the final accuracy. The defaults (C = 4, 8×8, 256 images,
/// 12 epochs) fit the ~20-minute budget on 2 shared cores: C = 8 at 16×16 measured ~7 s per bilevel step there.
/// <see cref="ArchLrScale"/> multiplies every variant's architecture learning rate: a toy makes hundreds of architecture steps where
/// the paper makes ~10,000, so at the preset rate α hardly moves; scaling it compresses the search's α trajectory in time [I].
/// </summary>
public sealed record CollapseOptions(
    string OutDir = "runs/collapse", int Seeds = 3, int Epochs = 12, int Images = 256, int TestImages = 128,
    int Layers = 5, int Channels = 4, int Batch = 16, int Size = 8, int Threads = 2, double ArchLrScale = 1,
    IReadOnlyList<string>? Variants = null)
{
    public IReadOnlyList<string> Methods => Variants ?? CollapseExperiment.AllVariants;
}

/// <summary>One epoch of one run: the share of softmax mass on skip_connect over the normal cell's edges and the derived normal cell's parameter-free ops.</summary>
public sealed record CollapsePoint(string Variant, ulong Seed, int Epoch, double SkipShare, int ParameterFreeOps);

/// <summary>The end of one run: the supernet's accuracy on the held-out images (eval-mode BN) and the derived normal cell.</summary>
public sealed record CollapseFinal(string Variant, ulong Seed, double ValAccuracy, int ParameterFreeOps, double SkipShare, string Genotype, double Seconds);

public static class CollapseExperiment
{
    public static readonly IReadOnlyList<string> AllVariants = ["darts", "darts+clr", "dropnas"];

    /// <summary>The search config of a variant: the preset at toy size; DARTS+CLR is the DARTS preset with the confident lr (p = 2, §4.4).</summary>
    public static SearchConfig Config(string variant, CollapseOptions o, ulong seed)
    {
        var preset = variant switch
        {
            "darts" => Presets.For("darts"),
            "darts+clr" => Presets.For("darts") with { ConfidentLrPower = 2 },
            "dropnas" => Presets.For("dropnas"),
            _ => throw new ArgumentException($"unknown collapse variant '{variant}' (expected one of {string.Join(", ", AllVariants)})"),
        };
        return preset with
        {
            Layers = o.Layers, Channels = o.Channels, Batch = o.Batch, Epochs = o.Epochs, Seed = seed, Threads = o.Threads, Dataset = "synthetic",
            ArchLr = preset.ArchLr * o.ArchLrScale,
        };
    }

    /// <summary>Runs every variant for every seed, writes collapse.csv, collapse.md and collapse.svg into <see cref="CollapseOptions.OutDir"/>, and returns the finals.</summary>
    public static IReadOnlyList<CollapseFinal> Run(CollapseOptions o, TextWriter log)
    {
        Directory.CreateDirectory(o.OutDir);
        var spec = new SyntheticSpec(Channels: 1, Height: o.Size, Width: o.Size, Classes: 10, TrainCount: o.Images, TestCount: o.TestImages, Seed: 7);
        var train = Synthetic.LoadTrain(spec);
        var test = Synthetic.LoadTest(spec);
        Torch.Torch.Threads = o.Threads;
        var points = new List<CollapsePoint>();
        var finals = new List<CollapseFinal>();
        foreach (var variant in o.Methods)
            for (var s = 0; s < o.Seeds; s++)
            {
                var seed = (ulong)(s + 1);
                var config = Config(variant, o, seed);
                var problems = Presets.Problems(config);
                if (problems.Count > 0) throw new ArgumentException($"{variant}: {string.Join("; ", problems)}");
                var started = System.Diagnostics.Stopwatch.StartNew();
                using var session = SearchSession.Create(config, train);
                points.Add(Measure(session, variant, seed));
                while (!session.Finished)
                {
                    var epoch = session.Clock.Epoch;
                    session.Step();
                    if (session.Clock.Epoch != epoch) points.Add(Measure(session, variant, seed));
                }
                var (_, acc) = session.Evaluate(test, new IndexRange(0, test.Count), o.Batch);
                var last = points[^1];
                var final = new CollapseFinal(variant, seed, acc, last.ParameterFreeOps, last.SkipShare, session.Genotype().ToDartsString(), started.Elapsed.TotalSeconds);
                finals.Add(final);
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{variant} seed {seed}: skip share {final.SkipShare:F4}, parameter-free ops {final.ParameterFreeOps}/8, val acc {final.ValAccuracy:F3} ({final.Seconds:F0} s)"));
                log.Flush();
            }
        File.WriteAllText(Path.Combine(o.OutDir, "collapse.csv"), Csv(points, finals));
        var md = Markdown(o, points, finals);
        File.WriteAllText(Path.Combine(o.OutDir, "collapse.md"), md);
        File.WriteAllText(Path.Combine(o.OutDir, "collapse.svg"), CollapsePlot.Svg(points, o.Methods, o.Epochs));
        log.WriteLine(md);
        return finals;
    }

    /// <summary>Skip share = Σ_edges softmax(α_normal)[skip] / edges (raw softmax, no β); parameter-free ops of the derived normal cell.</summary>
    public static CollapsePoint Measure(SearchSession session, string variant, ulong seed)
    {
        var skip = session.Runtime.Ops.ToList().IndexOf(OpKind.SkipConnect);
        var probs = session.EdgeWeights(CellType.Normal, withBeta: false);
        var share = probs.Average(row => (double)row[skip]);
        var free = session.Genotype().Normal.Count(e => e.Op.IsParameterFree());
        return new CollapsePoint(variant, seed, session.Clock.Epoch, share, free);
    }

    public static string Csv(IReadOnlyList<CollapsePoint> points, IReadOnlyList<CollapseFinal> finals)
    {
        var sb = new StringBuilder("variant,seed,epoch,skip_share,parameter_free_normal,val_accuracy\n");
        foreach (var p in points)
        {
            var final = finals.FirstOrDefault(f => f.Variant == p.Variant && f.Seed == p.Seed);
            var isLast = final is not null && points.Last(q => q.Variant == p.Variant && q.Seed == p.Seed) == p;
            sb.Append(string.Create(CultureInfo.InvariantCulture,
                $"{p.Variant},{p.Seed},{p.Epoch},{p.SkipShare:F5},{p.ParameterFreeOps},{(isLast ? final!.ValAccuracy.ToString("F4", CultureInfo.InvariantCulture) : "")}\n"));
        }
        return sb.ToString();
    }

    public static string Markdown(CollapseOptions o, IReadOnlyList<CollapsePoint> points, IReadOnlyList<CollapseFinal> finals)
    {
        static string Ms(IEnumerable<double> xs)
        {
            var a = xs.ToArray();
            var mean = a.Average();
            var sd = a.Length > 1 ? Math.Sqrt(a.Sum(x => (x - mean) * (x - mean)) / (a.Length - 1)) : 0;
            return string.Create(CultureInfo.InvariantCulture, $"{mean:F3} ± {sd:F3}");
        }
        var sb = new StringBuilder();
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Toy: {o.Layers} cells, C = {o.Channels}, synthetic gratings 1×{o.Size}×{o.Size}, {o.Images} train / {o.TestImages} held-out images, batch {o.Batch}, {o.Epochs} epochs, seeds 1..{o.Seeds}, architecture lr × {o.ArchLrScale:G4} of each preset."));
        sb.AppendLine();
        sb.AppendLine("| variant | skip share, epoch 0 | skip share, last epoch | parameter-free ops in normal cell (of 8) | held-out accuracy (supernet) | seconds per run |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var v in o.Methods)
        {
            var f = finals.Where(x => x.Variant == v).ToList();
            if (f.Count == 0) continue;
            var first = points.Where(p => p.Variant == v && p.Epoch == 0).Select(p => p.SkipShare);
            sb.AppendLine($"| {v} | {Ms(first)} | {Ms(f.Select(x => x.SkipShare))} | {Ms(f.Select(x => (double)x.ParameterFreeOps))} | {Ms(f.Select(x => x.ValAccuracy))} | {Ms(f.Select(x => x.Seconds))} |");
        }
        sb.AppendLine();
        sb.AppendLine("Mean skip share per epoch:");
        sb.AppendLine();
        sb.AppendLine("| epoch | " + string.Join(" | ", o.Methods) + " |");
        sb.AppendLine("|---|" + string.Concat(o.Methods.Select(_ => "---|")));
        for (var e = 0; e <= o.Epochs; e++)
        {
            var cells = o.Methods.Select(v => points.Where(p => p.Variant == v && p.Epoch == e).Select(p => p.SkipShare).DefaultIfEmpty(double.NaN).Average());
            sb.AppendLine($"| {e} | " + string.Join(" | ", cells.Select(c => c.ToString("F4", CultureInfo.InvariantCulture))) + " |");
        }
        sb.AppendLine();
        sb.AppendLine("Derived normal cells:");
        sb.AppendLine();
        foreach (var f in finals) sb.AppendLine($"- {f.Variant} seed {f.Seed}: `{f.Genotype}`");
        return sb.ToString();
    }
}
