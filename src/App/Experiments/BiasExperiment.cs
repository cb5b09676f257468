// Issue 16 item 4, V3 (methods.md part 2 §7): BNNAS++'s bias claim. The BN-NAS indicator's top cells of all NB-201 on the biased and the unbiased BN-only supernet.
using Nas.App.Config;
using System.Diagnostics;
using Nas.Components;
using Nas.Systems.Data;
using Nas.Systems.OneShot;
using Nas.Systems.OneShot.Indicators;
using Nas.Systems.OneShot.NasBench201;

namespace Nas.App.Experiments;

/// <summary>
/// Sizes of the experiment. The supernets are the rank experiment's (RankTraining: NB-201 skeleton, C = <see cref="Channels"/>,
/// one cell per stage, <see cref="Subset"/> Fashion-MNIST images, 80 % of them trained on) with the rank experiment's defaults;
/// seed i of <see cref="Seeds"/> trains both supernets with seed <see cref="Seed"/> + i. <see cref="Top"/>: the size of each top set.
/// </summary>
public sealed record BiasExperimentOptions(
    int Subset = 8000, int Channels = 8, int Batch = 64, int SupernetEpochs = 6, int Seeds = 3, ulong Seed = 1, int Top = 20,
    Dataset? Data = null, string OutDir = "runs/bias");

/// <summary>
/// One supernet of one seed: its γ table (edges × ops, Scoring.BnTable), the indicator of every cell (canonical
/// enumeration order), the top cells (indices, best first) and their profile.
/// </summary>
public sealed record BiasSupernet(string Name, string Method, double[][] Table, double[] Indicator, int[] Top, CellSetProfile Profile);

/// <summary>One seed: both supernets, the overlap of their top sets, Kendall τ_b of the two indicators over the whole space, the claim's three parts.</summary>
public sealed record BiasSeed(ulong Seed, BiasSupernet Biased, BiasSupernet Unbiased, int Overlap, double Tau,
    (bool BiasedAllConv, bool BiasedHighMacs, bool UnbiasedFalls) Claim, IReadOnlyList<string> Notes, double Seconds)
{
    public bool Held => Claim.BiasedAllConv && Claim.BiasedHighMacs && Claim.UnbiasedFalls;
}

/// <summary>
/// The run. <see cref="Baseline"/>: the whole space. <see cref="NoNone"/>: the 4,096 cells without a none edge, the set an
/// indicator that gives every non-none op the same score would rank first (the unbiased supernet's γ start at 1).
/// </summary>
public sealed record BiasResult(BiasExperimentOptions Options, string Data, int Images, Nb201SpaceCosts Space, CellSetProfile Baseline, CellSetProfile NoNone,
    IReadOnlyList<BiasSeed> Seeds);

public static class BiasExperiment
{
    public const string BiasedName = "biased", UnbiasedName = "unbiased";

    /// <summary>Refuses options that cannot run, naming the flag and the value.</summary>
    public static void Validate(BiasExperimentOptions o)
    {
        InputChecks.AtLeast("--seeds", o.Seeds, 1);
        InputChecks.AtLeast("--supernet-epochs", o.SupernetEpochs, 1);
        InputChecks.AtLeast("--channels", o.Channels, 1);
        InputChecks.AtLeast("--batch", o.Batch, 1);
        if (o.Subset < 0) throw new ArgumentException($"--subset must be 0 (all images) or positive, got {o.Subset}");
        if (o.Top < 1 || o.Top > Nb201Cell.Count) throw new ArgumentException($"--top must be in 1..{Nb201Cell.Count} (the NB-201 cells), got {o.Top}");
        if (o.Seed > ulong.MaxValue - (ulong)o.Seeds) throw new ArgumentException($"--seed {o.Seed} + --seeds {o.Seeds} overflows");
        if (string.IsNullOrWhiteSpace(o.OutDir)) throw new ArgumentException("--out must name a folder");
    }

    public static BiasResult Run(BiasExperimentOptions o, TextWriter output)
    {
        Validate(o);
        var data = o.Data ?? FashionMnist.LoadTrain();
        if (o.Subset > 0 && o.Subset < data.Count) data = data.Take(o.Subset);
        var rank = new RankExperimentOptions(Subset: 0, Channels: o.Channels, Batch: o.Batch, SupernetEpochs: o.SupernetEpochs, Seed: o.Seed, Data: data, OutDir: o.OutDir);
        var space = new Nb201SpaceCosts(new Nb201Layout(o.Channels, 1, data.Channels, data.Height, data.Classes));
        var baseline = BiasStatistics.Profile(space, space.All);
        var noNone = BiasStatistics.Profile(space, space.All.Where(i => !space.Cells[i].Contains((int)Nb201Op.None)).ToArray());
        output.WriteLine($"# bias experiment (V3): all {space.Cells.Count} NB-201 cells scored by the BN-NAS indicator on a biased ({BnNasBiasedScore.Method}) and an unbiased " +
            $"({BnnasPlusPlusScores.Method}) BN-only supernet; C={o.Channels}, 1 cell/stage, {data.Name} ({data.Count} images), {o.SupernetEpochs} epochs, batch {o.Batch}, " +
            $"seeds {o.Seed}..{o.Seed + (ulong)o.Seeds - 1}, top {o.Top}, out {o.OutDir}");

        var seeds = new List<BiasSeed>();
        for (int i = 0; i < o.Seeds; i++)
        {
            ulong seed = o.Seed + (ulong)i;
            var sw = Stopwatch.StartNew();
            output.WriteLine($"seed {seed} ({i + 1}/{o.Seeds})");
            using var context = new RankScoreContext(space.Cells, data, rank with { Seed = seed }, output);
            var biased = Supernet(context, space, BiasedName, BnNasBiasedScore.Method, BnNasBiasedScore.Label, o.Top);
            var unbiased = Supernet(context, space, UnbiasedName, BnnasPlusPlusScores.Method, BnnasPlusPlusScores.Label, o.Top);
            double tau = RankCorrelation.KendallTauB(biased.Indicator, unbiased.Indicator);
            var result = new BiasSeed(seed, biased, unbiased, BiasStatistics.Overlap(biased.Top, unbiased.Top), tau,
                BiasStatistics.Claim(biased.Profile, unbiased.Profile), context.Notes.ToList(), sw.Elapsed.TotalSeconds);
            seeds.Add(result);
            output.WriteLine($"seed {seed} done in {result.Seconds:F0} s: top-{o.Top} conv share biased {biased.Profile.ConvShare:P1}, unbiased {unbiased.Profile.ConvShare:P1} " +
                $"(space {baseline.ConvShare:P1}); overlap {result.Overlap}/{o.Top}; Kendall τ_b {tau:F3}; claim {(result.Held ? "held" : "did not hold")}");
        }

        var run = new BiasResult(o, data.Name, data.Count, space, baseline, noNone, seeds);
        var report = BiasReport.Markdown(run);
        output.WriteLine();
        output.Write(report);
        BiasReport.Write(run, report);
        return run;
    }

    /// <summary>Trains one BN-only supernet (RankTraining, the rank experiment's recipe) and scores every cell of the space with its γ table.</summary>
    private static BiasSupernet Supernet(RankScoreContext context, Nb201SpaceCosts space, string name, string method, string label, int top)
    {
        var table = RankTraining.BnTable(context, method, label);
        var indicator = space.Cells.Select(g => BnIndicator.Score(table, g)).ToArray();
        var best = BiasStatistics.Top(indicator, top);
        return new BiasSupernet(name, method, table, indicator, best, BiasStatistics.Profile(space, best));
    }
}
