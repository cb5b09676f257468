// The shrink experiment's files: shrink.md (the table and what it says), shrink.csv (every genome: truth, supernet accuracies, where it survives), arms.csv (the surviving options).
using System.Globalization;
using System.Text;

namespace Nas.App.Experiments;

public static class ShrinkReport
{
    public const string MarkdownFile = "shrink.md", CsvFile = "shrink.csv", ArmsFile = "arms.csv";
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void Write(ShrinkResult run, string markdown)
    {
        Directory.CreateDirectory(run.Options.OutDir);
        File.WriteAllText(Path.Combine(run.Options.OutDir, MarkdownFile), markdown);
        File.WriteAllLines(Path.Combine(run.Options.OutDir, CsvFile), CsvLines(run));
        File.WriteAllLines(Path.Combine(run.Options.OutDir, ArmsFile), ArmLines(run));
    }

    /// <summary>
    /// One row per genome with a ground truth: its origins ('+'-joined: sample, new-ARM for a new survivor of ARM, best-ARM for ARM's evolution result), its true accuracy, and per
    /// arm whether it survives and that arm's supernet accuracy (empty where the arm did not score it).
    /// </summary>
    public static IEnumerable<string> CsvLines(ShrinkResult run)
    {
        yield return "genome,origin,truth," + string.Join(",", run.Arms.Select(a => $"survives_{a.Name},supernet_{a.Name}"));
        foreach (var (key, truth) in run.Truth)
        {
            var genes = ShrinkExperiment.Genes(key);
            var cells = run.Arms.Select(a => (ShrinkExperiment.Survives(genes, a.Active) ? "1" : "0") + "," +
                (a.SupernetAccuracy.TryGetValue(key, out var v) ? v.ToString("R", Inv) : ""));
            yield return string.Join(",", key, run.Origins[key], truth.ToString("R", Inv)) + "," + string.Join(",", cells);
        }
    }

    /// <summary>Each arm's surviving options per layer: ops (−1 = identity) and width indices.</summary>
    public static IEnumerable<string> ArmLines(ShrinkResult run)
    {
        yield return "arm,layer,ops,widths";
        foreach (var a in run.Arms)
            for (int l = 0; l < a.Active.Ops.Length; l++)
                yield return string.Join(",", a.Name, l.ToString(Inv), string.Join(" ", a.Active.Ops[l].Order()), string.Join(" ", a.Active.Widths[l].Order()));
    }

    public static string Markdown(ShrinkResult run)
    {
        var o = run.Options;
        var sb = new StringBuilder();
        sb.AppendLine("# V5: BS-NAS shrinking against stand-alone ground truth");
        sb.AppendLine();
        sb.AppendLine(string.Create(Inv, $"Arms: the bs-nas preset on {o.Subset} Fashion-MNIST images, {o.Epochs} epochs (first shrink stage {o.FirstStage}, then one-epoch stages, D = 7), " +
            $"{o.Subnets} subnets per ranking, evolution P = {o.Population}, T = {o.Generations}, seed {o.Seed}. Ground truth: each genome trained alone on its path " +
            $"for {o.GroundTruthEpochs} epochs on {o.GroundTruthSubset} images (held-out accuracy); {run.Sample.Count} genomes drawn from the full space, " +
            $"{o.NewSurvivors} more from each shrinking arm's surviving space; {run.Truth.Count} trainings in all ({run.TrainedThisRun} in this call)."));
        sb.AppendLine();
        sb.AppendLine("| arm | active space | survivors (from sample) | τ_b own supernet [95 %] | τ_b no-shrink supernet, same genomes | best op survives (chance) | best width survives (chance) | EA best: true acc. (percentile in sample) | arm time |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var r in run.Rows)
            sb.AppendLine(string.Create(Inv, $"| {r.Arm} | {r.SpaceSize:E2} | {r.Survivors} ({r.FromSample}) | {r.Tau:F3} [{r.Low:F2}, {r.High:F2}] | {r.ControlTau:F3} | " +
                $"{r.BestOpSurvived}/{LayerCount(run)} ({r.ChanceOp * LayerCount(run):F1}) | {r.BestWidthSurvived}/{LayerCount(run)} ({r.ChanceWidth * LayerCount(run):F1}) | " +
                $"{r.BestAccuracy:P2} ({r.BestPercentile:P0}) | {r.Seconds:F0} s |"));
        sb.AppendLine();
        var none = run.Rows.Single(r => r.Arm == ShrinkExperiment.None);
        foreach (var r in run.Rows.Where(r => r.Arm != ShrinkExperiment.None))
            sb.AppendLine(Verdict(r, none, LayerCount(run)));
        sb.AppendLine();
        sb.AppendLine("The best option of a layer is the one whose genomes have the highest mean true accuracy over all trained genomes (a few genomes per option: noisy). " +
            "Chance: how many layers' best option would survive if the survivors were picked at random in the same numbers.");
        return sb.ToString();
    }

    private static int LayerCount(ShrinkResult run) => run.Arms[0].Active.Ops.Length;

    /// <summary>
    /// The claim for one shrinking arm: τ among its survivors above the no-shrinking τ over the whole sample, and every layer's
    /// best op and width kept. Resolved only when the intervals of the two τ do not overlap.
    /// </summary>
    public static string Verdict(ShrinkArmRow r, ShrinkArmRow none, int layers)
    {
        if (double.IsNaN(r.Tau) || double.IsNaN(none.Tau))
            return $"- **{r.Arm}**: {r.Survivors} survivors (no-shrink sample {none.Survivors}): too few for a rank correlation; nothing is said about the claim.";
        bool raised = r.Tau > none.Tau;
        bool kept = r.BestOpSurvived == layers && r.BestWidthSurvived == layers;
        bool resolved = r.Low > none.High || r.High < none.Low;
        return string.Create(Inv, $"- **{r.Arm}**: τ_b among survivors {r.Tau:F3} vs no shrinking {none.Tau:F3} over the sample ({(raised ? "higher" : "not higher")}" +
            $"{(resolved ? "" : "; the intervals overlap, so the difference is not resolved")}); on the same survivors the no-shrink supernet has {r.ControlTau:F3}; " +
            $"the best op survived in {r.BestOpSurvived} of {layers} layers and the best width in {r.BestWidthSurvived} of {layers}. " +
            $"The claim {(raised && kept ? "held" : "did not hold")} at this scale.");
    }
}
