// `nas experiment proxies`: every zero-cost proxy of NB-201 cells (given, or sampled with a seed) on the rank experiment's network, with the time each takes.
using System.Diagnostics;
using System.Globalization;
using Nas.Components;
using Nas.Systems.Data;
using Nas.Systems.Methods;
using Nas.Systems.OneShot.NasBench201;
using Nas.Systems.OneShot.Proxies;
using Nas.Torch;
using Nas.World;

namespace Nas.App.Experiments;

/// <summary>
/// Sizes: the network is the rank experiment's ground-truth network (the spos preset's NB-201 supernet: non-affine BN,
/// <see cref="Channels"/>, <see cref="CellsPerStage"/>); cell i is scored with seed <see cref="Seed"/> + i, the seed its
/// ground truth is trained from there. <see cref="Cell"/> scores that one cell instead of sampling.
/// </summary>
public sealed record ProxiesExperimentOptions(
    int Cells = 10, string? Cell = null, int Channels = 4, int CellsPerStage = 1, int Batch = 64, ulong Seed = 1, Dataset? Data = null, string? OutCsv = null);

public static class ProxiesExperiment
{
    public static void Run(ProxiesExperimentOptions o, TextWriter output)
    {
        var data = o.Data ?? FashionMnist.LoadTrain();
        if (o.Batch < 2 || o.Batch > data.Count) throw new ArgumentException($"--batch must be in 2..{data.Count} (the images of {data.Name}), got {o.Batch}");
        var config = Presets.For("spos") with { OneShotSpace = OneShotSpaceKind.Nb201, Channels = o.Channels, CellsPerStage = o.CellsPerStage };
        var network = OneShotSession.NetworkOf(config, data);
        var genomes = o.Cell is { } text ? [Nb201Cell.Parse(text)] : Sample(o.Cells, o.Seed);

        using var scope = new TensorScope();
        var batch = new BatchStream(data, new IndexRange(0, o.Batch), o.Batch, 0, Augmentation.None, shuffle: false).Next(scope);
        output.WriteLine($"# zero-cost proxies: {genomes.Count} NB-201 cell(s), C={o.Channels}, {o.CellsPerStage} cell(s)/stage, {data.Name}: first {o.Batch} images, seed {o.Seed}");
        output.WriteLine("| cell | " + string.Join(" | ", ZeroCostProxies.All.Select(ZeroCostProxies.Name)) + " |");
        output.WriteLine("|---|" + string.Concat(ZeroCostProxies.All.Select(_ => "---|")));
        var rows = new List<(int[] Genome, double[] Scores)>();
        var seconds = new double[ZeroCostProxies.All.Count];
        for (int i = 0; i < genomes.Count; i++)
        {
            var scores = new double[ZeroCostProxies.All.Count];
            for (int k = 0; k < scores.Length; k++)
            {
                var sw = Stopwatch.StartNew();
                scores[k] = ZeroCostProxies.Score(ZeroCostProxies.All[k], genomes[i], network, batch.Images, batch.Labels, o.Seed + (ulong)i);
                seconds[k] += sw.Elapsed.TotalSeconds;
            }
            rows.Add((genomes[i], scores));
            output.WriteLine($"| {Nb201Cell.Format(genomes[i])} | " + string.Join(" | ", scores.Select(s => s.ToString("G6", CultureInfo.InvariantCulture))) + " |");
        }
        output.WriteLine();
        output.WriteLine("mean time per cell: " + string.Join(", ", ZeroCostProxies.All.Select((k, j) => $"{ZeroCostProxies.Name(k)} {seconds[j] / genomes.Count * 1000:F1} ms")));
        if (o.OutCsv is not null) WriteCsv(o.OutCsv, rows);
    }

    /// <summary>Distinct cells (one per isomorphism class) drawn with the seed: the rank experiment's sample.</summary>
    private static List<int[]> Sample(int count, ulong seed)
    {
        if (count < 1 || count > RankExperiment.Classes) throw new ArgumentException($"--cells must be in 1..{RankExperiment.Classes} (isomorphism classes), got {count}");
        return RankExperiment.SampleCells(count, seed);
    }

    private static void WriteCsv(string path, List<(int[] Genome, double[] Scores)> rows)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var lines = new List<string> { "cell," + string.Join(",", ZeroCostProxies.All.Select(ZeroCostProxies.Name)) };
        lines.AddRange(rows.Select(r => "\"" + Nb201Cell.Format(r.Genome) + "\"," + string.Join(",", r.Scores.Select(s => double.IsNegativeInfinity(s) ? "-inf" : s.ToString("R", CultureInfo.InvariantCulture)))));
        File.WriteAllLines(path, lines);
    }
}
