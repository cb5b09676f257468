// The bias experiment's files: bias.md (tables and a sentence per seed), bias.csv (the top cells), bn-table.csv (every γ table: each cell's indicator is a sum of its entries).
using System.Globalization;
using Nas.Systems.OneShot.NasBench201;

namespace Nas.App.Experiments;

public static class BiasReport
{
    public const string MarkdownFile = "bias.md", CsvFile = "bias.csv", TableFile = "bn-table.csv";
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private const string NoNoneRow = "cells without a none edge";

    public static void Write(BiasResult run, string markdown)
    {
        Directory.CreateDirectory(run.Options.OutDir);
        File.WriteAllText(Path.Combine(run.Options.OutDir, MarkdownFile), markdown);
        File.WriteAllLines(Path.Combine(run.Options.OutDir, CsvFile), CsvLines(run));
        File.WriteAllLines(Path.Combine(run.Options.OutDir, TableFile), TableLines(run));
    }

    /// <summary>One row per top cell of each seed and supernet, best first: the indicator, the stand-alone network's MACs and params, its conv edges.</summary>
    public static IEnumerable<string> CsvLines(BiasResult run)
    {
        yield return "seed,supernet,rank,cell,indicator,macs,params,conv_edges";
        foreach (var s in run.Seeds)
            foreach (var net in new[] { s.Biased, s.Unbiased })
                for (int r = 0; r < net.Top.Length; r++)
                {
                    int i = net.Top[r];
                    var g = run.Space.Cells[i];
                    yield return string.Join(",", s.Seed.ToString(Inv), net.Name, (r + 1).ToString(Inv), Nb201Cell.Format(g), net.Indicator[i].ToString("R", Inv),
                        run.Space.Macs[i].ToString("R", Inv), run.Space.Params[i].ToString("R", Inv), BiasStatistics.ConvEdges(g).ToString(Inv));
                }
    }

    /// <summary>Every entry of every γ table: mean |γ| of op on edge (0 for ops without a BN), the numbers each indicator sums.</summary>
    public static IEnumerable<string> TableLines(BiasResult run)
    {
        yield return "seed,supernet,edge,from,to,op,mean_abs_gamma";
        foreach (var s in run.Seeds)
            foreach (var net in new[] { s.Biased, s.Unbiased })
                for (int e = 0; e < net.Table.Length; e++)
                    for (int op = 0; op < net.Table[e].Length; op++)
                        yield return string.Join(",", s.Seed.ToString(Inv), net.Name, e.ToString(Inv), Nb201Cell.Edges[e].From.ToString(Inv),
                            Nb201Cell.Edges[e].To.ToString(Inv), Nb201Cell.OpNames[op], net.Table[e][op].ToString("R", Inv));
    }

    public static string Markdown(BiasResult run)
    {
        var o = run.Options;
        var w = new StringWriter(Inv);
        w.WriteLine("# V3: BNNAS++'s bias claim (`nas experiment bias`)");
        w.WriteLine();
        w.WriteLine($"All {run.Space.Cells.Count:N0} NB-201 cells, scored by the BN-NAS indicator (sum over the 6 edges of the chosen op's mean |γ|) on two BN-only supernets: " +
            $"**{BiasExperiment.BiasedName}** (`{BnNasBiasedScore.Method}` preset: a BN only on the conv ops, NB-201 as defined) and **{BiasExperiment.UnbiasedName}** " +
            $"(`{BnnasPlusPlusScores.Method}` preset: a BN on every non-none op, BNNAS++ §3.2). NB-201 skeleton C = {o.Channels}, 1 cell per stage, {run.Data} " +
            $"({run.Images} images, 80 % trained on), {o.SupernetEpochs} epochs, batch {o.Batch}, seeds {string.Join(", ", run.Seeds.Select(s => s.Seed))}; top {o.Top}. " +
            "MACs and params are the stand-alone network's (NB-201's counting). A tie at the last top place goes to the smaller enumeration index.");
        w.WriteLine();
        w.WriteLine($"The claim holds for a seed when the biased top-{o.Top} is at least {BiasStatistics.NearAllConv:P0} conv edges, its median MACs sits at or above " +
            $"the space's {BiasStatistics.HighMacsPercentile:F0}th percentile, and the unbiased top-{o.Top}'s conv share is lower than the biased one's.");
        foreach (var s in run.Seeds)
        {
            w.WriteLine();
            w.WriteLine($"## Seed {s.Seed}");
            w.WriteLine();
            ProfileTable(w, [("whole space", run.Baseline), (NoNoneRow, run.NoNone), ($"{BiasExperiment.BiasedName} top-{o.Top}", s.Biased.Profile),
                ($"{BiasExperiment.UnbiasedName} top-{o.Top}", s.Unbiased.Profile)]);
            w.WriteLine();
            w.WriteLine($"Top-{o.Top} overlap: {s.Overlap} of {o.Top}. Kendall τ_b of the two indicators over all {run.Space.Cells.Count:N0} cells: {s.Tau:F3}.");
            w.WriteLine();
            w.WriteLine(Structure(run, s));
            w.WriteLine();
            w.WriteLine(Sentence(s, o.Top, run.Baseline));
        }

        w.WriteLine();
        w.WriteLine($"## Mean over {run.Seeds.Count} seed{(run.Seeds.Count == 1 ? "" : "s")}");
        w.WriteLine();
        ProfileTable(w, [("whole space", run.Baseline), (NoNoneRow, run.NoNone), ($"{BiasExperiment.BiasedName} top-{o.Top}", Mean(run.Seeds.Select(s => s.Biased.Profile).ToList())),
            ($"{BiasExperiment.UnbiasedName} top-{o.Top}", Mean(run.Seeds.Select(s => s.Unbiased.Profile).ToList()))]);
        w.WriteLine();
        w.WriteLine($"Top-{o.Top} overlap: mean {run.Seeds.Average(s => s.Overlap):F1} of {o.Top} (per seed {string.Join(", ", run.Seeds.Select(s => s.Overlap))}). " +
            $"Kendall τ_b between the indicators: mean {run.Seeds.Average(s => s.Tau):F3} (per seed {string.Join(", ", run.Seeds.Select(s => s.Tau.ToString("F3", Inv)))}).");
        w.WriteLine($"The claim held in {run.Seeds.Count(s => s.Held)} of {run.Seeds.Count} seeds.");

        w.WriteLine();
        w.WriteLine("## Mean |γ| per op (mean over the 6 edges of the γ table; 0 where the op has no BN; γ starts at 1)");
        w.WriteLine();
        w.WriteLine("| seed | supernet | " + string.Join(" | ", Nb201Cell.OpNames) + " | smallest entry with a BN | largest |");
        w.WriteLine("|---|---|" + string.Concat(Nb201Cell.OpNames.Select(_ => "---|")) + "---|---|");
        foreach (var s in run.Seeds)
            foreach (var net in new[] { s.Biased, s.Unbiased })
            {
                var withBn = net.Table.SelectMany(row => row.Where(v => v != 0)).ToList();
                w.WriteLine($"| {s.Seed} | {net.Name} | " + string.Join(" | ", Enumerable.Range(0, Nb201Cell.OpCount).Select(op => net.Table.Average(row => row[op]).ToString("F4", Inv))) +
                    $" | {withBn.Min():F4} | {withBn.Max():F4} |");
            }

        w.WriteLine();
        w.WriteLine("## Supernet training");
        w.WriteLine();
        foreach (var s in run.Seeds)
            foreach (var note in s.Notes) w.WriteLine($"- seed {s.Seed}: {note}");
        w.WriteLine($"- wall time per seed (both supernets and the scoring): {string.Join(", ", run.Seeds.Select(s => $"{s.Seconds:F0} s"))}");
        return w.ToString();
    }

    private static void ProfileTable(TextWriter w, IEnumerable<(string Name, CellSetProfile P)> rows)
    {
        w.WriteLine("| set | cells | unique cells (NB-201 rule) | conv share of the 6 edges | conv share of non-none edges | " + string.Join(" | ", Nb201Cell.OpNames) +
            " | mean MACs | median MACs | median's MACs percentile in the space | mean params | median params |");
        w.WriteLine("|---|---|---|---|---|" + string.Concat(Nb201Cell.OpNames.Select(_ => "---|")) + "---|---|---|---|---|");
        foreach (var (name, p) in rows)
            w.WriteLine($"| {name} | {p.Cells:N0} | {p.Classes:N0} | {p.ConvShare:P1} | {p.ConvShareOfNonNone:P1} | " + string.Join(" | ", p.OpShare.Select(v => v.ToString("P1", Inv))) +
                $" | {p.MeanMacs:N0} | {p.MedianMacs:N0} | {p.MacsPercentile:F1} | {p.MeanParams:N0} | {p.MedianParams:N0} |");
    }

    /// <summary>The field-by-field mean of per-seed profiles (the counts too: a mean number of distinct classes).</summary>
    private static CellSetProfile Mean(IReadOnlyList<CellSetProfile> ps) => new(
        ps[0].Cells, (int)Math.Round(ps.Average(p => p.Classes)), ps.Average(p => p.ConvShare), ps.Average(p => p.ConvShareOfNonNone),
        Enumerable.Range(0, ps[0].OpShare.Length).Select(op => ps.Average(p => p.OpShare[op])).ToArray(),
        ps.Average(p => p.MeanMacs), ps.Average(p => p.MedianMacs), ps.Average(p => p.MacsPercentile), ps.Average(p => p.MeanParams), ps.Average(p => p.MedianParams));

    /// <summary>
    /// How far each ranking follows where the BNs are: of the biased indicator's best 64 (as many as there are all-conv
    /// cells), how many are all conv; of the unbiased one's best 4,096 (as many as there are cells without none), how many have no none.
    /// </summary>
    public static string Structure(BiasResult run, BiasSeed s)
    {
        var cells = run.Space.Cells;
        bool AllConv(int i) => cells[i].All(BiasStatistics.IsConv);
        bool NoNone(int i) => !cells[i].Contains((int)Nb201Op.None);
        int allConv = Enumerable.Range(0, cells.Count).Count(AllConv), noNone = Enumerable.Range(0, cells.Count).Count(NoNone);
        return $"Of the biased indicator's best {allConv} cells, {BiasStatistics.CountInTop(s.Biased.Indicator, allConv, AllConv)} are all conv (there are {allConv}); " +
            $"of the unbiased indicator's best {noNone:N0}, {BiasStatistics.CountInTop(s.Unbiased.Indicator, noNone, NoNone):N0} have no none edge (there are {noNone:N0}).";
    }

    /// <summary>The plain sentence of one seed: held or not, which part failed, and the numbers it rests on.</summary>
    public static string Sentence(BiasSeed s, int top, CellSetProfile space)
    {
        var (b, u) = (s.Biased.Profile, s.Unbiased.Profile);
        var failed = new List<string>();
        if (!s.Claim.BiasedAllConv) failed.Add($"the biased top-{top} is not nearly all conv ({b.ConvShare:P1} < {BiasStatistics.NearAllConv:P0})");
        if (!s.Claim.BiasedHighMacs) failed.Add($"its median MACs is not high (percentile {b.MacsPercentile:F1} < {BiasStatistics.HighMacsPercentile:F0})");
        if (!s.Claim.UnbiasedFalls) failed.Add($"the unbiased top-{top}'s conv share did not fall ({u.ConvShare:P1} against {b.ConvShare:P1})");
        var verdict = s.Held ? "the claim held" : "the claim did not hold: " + string.Join("; ", failed);
        return string.Create(Inv, $"Seed {s.Seed}: {verdict}. Biased top-{top}: {b.ConvShare:P1} conv edges (the space: {space.ConvShare:P1}), median MACs {b.MedianMacs:N0} " +
            $"(percentile {b.MacsPercentile:F1}); unbiased top-{top}: {u.ConvShare:P1} conv edges, {(u.ConvShare > space.ConvShare ? "still above" : "at or below")} the space's, " +
            $"median MACs {u.MedianMacs:N0} (percentile {u.MacsPercentile:F1}), {(u.MedianMacs < b.MedianMacs ? "cheaper than" : u.MedianMacs > b.MedianMacs ? "costlier than" : "as costly as")} the biased top-{top}.");
    }
}
