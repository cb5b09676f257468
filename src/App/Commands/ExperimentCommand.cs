// `nas experiment collapse | rank | proxies | found | bn-speedup | bias | shrink`: the experiments whose measured tables live in docs/results.md.
using System.CommandLine;
using Nas.App.Experiments;

namespace Nas.App.Commands;

public static class ExperimentCommand
{
    public static Command Create()
    {
        var command = new Command("experiment", "run an experiment and write its tables (see docs/results.md)");
        command.Subcommands.Add(Collapse());
        command.Subcommands.Add(Rank());
        command.Subcommands.Add(ProxiesCommand.Create());
        command.Subcommands.Add(FoundExperimentCommand.Create());
        command.Subcommands.Add(BnSpeedupCommand.Create());
        command.Subcommands.Add(BiasCommand.Create());
        command.Subcommands.Add(ShrinkCommand.Create());
        return command;
    }

    /// <summary>
    /// Runs one experiment: bad input (a flag, a file, the data set) is one line on stderr, "nas experiment NAME: message",
    /// and exit code 2; anything else is a bug and propagates.
    /// </summary>
    public static int Guarded(string name, Action run)
    {
        try
        {
            run();
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or Nas.Systems.Data.DatasetException)
        {
            Console.Error.WriteLine($"nas experiment {name}: {e.Message}");
            return ExitCodes.BadInput;
        }
    }

    private static Command Collapse()
    {
        var d = new CollapseOptions();
        var outDir = new Option<string>("--out") { Description = "folder for collapse.csv, collapse.md, collapse.svg", DefaultValueFactory = _ => d.OutDir };
        var seeds = new Option<int>("--seeds") { Description = "seeds per variant (at least 3 for the docs)", DefaultValueFactory = _ => d.Seeds };
        var epochs = new Option<int>("--epochs") { DefaultValueFactory = _ => d.Epochs };
        var images = new Option<int>("--images") { Description = "synthetic training images", DefaultValueFactory = _ => d.Images };
        var layers = new Option<int>("--layers") { DefaultValueFactory = _ => d.Layers };
        var channels = new Option<int>("--channels") { DefaultValueFactory = _ => d.Channels };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => d.Batch };
        var size = new Option<int>("--size") { Description = "image side", DefaultValueFactory = _ => d.Size };
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => d.Threads };
        var archLrScale = new Option<double>("--arch-lr-scale") { Description = "multiplies each preset's architecture lr (a toy makes few architecture steps)", DefaultValueFactory = _ => d.ArchLrScale };
        var c = new Command("collapse", "plain DARTS, DARTS+CLR and DropNAS on the toy of methods.md §7: skip share, parameter-free ops, accuracy")
            { outDir, seeds, epochs, images, layers, channels, batch, size, threads, archLrScale };
        c.SetAction(r =>
        {
            var o = d with
            {
                OutDir = r.GetValue(outDir)!, Seeds = r.GetValue(seeds), Epochs = r.GetValue(epochs), Images = r.GetValue(images),
                Layers = r.GetValue(layers), Channels = r.GetValue(channels), Batch = r.GetValue(batch), Size = r.GetValue(size), Threads = r.GetValue(threads),
                ArchLrScale = r.GetValue(archLrScale),
            };
            if (o.Seeds < 1 || o.Epochs < 1 || o.Images < o.Batch) { Console.Error.WriteLine("nas experiment collapse: seeds and epochs must be positive and images at least one batch"); return 2; }
            if (!(o.ArchLrScale > 0) || !double.IsFinite(o.ArchLrScale)) { Console.Error.WriteLine($"nas experiment collapse: --arch-lr-scale must be a positive number, got {o.ArchLrScale}"); return 2; }
            CollapseExperiment.Run(o, Console.Out);
            return 0;
        });
        return c;
    }

    private static Command Rank()
    {
        var d = new RankExperimentOptions();
        var archs = new Option<int>("--architectures") { Description = "distinct NAS-Bench-201 cells (isomorphism classes) trained alone as ground truth", DefaultValueFactory = _ => d.Architectures };
        var subset = new Option<int>("--subset") { Description = "Fashion-MNIST training images (80 % train, 20 % held out for accuracy); 0 for all", DefaultValueFactory = _ => d.Subset };
        var channels = new Option<int>("--channels") { Description = "skeleton width C (1 cell per stage)", DefaultValueFactory = _ => d.Channels };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => d.Batch };
        var epochs = new Option<int>("--epochs") { Description = "ground-truth training epochs", DefaultValueFactory = _ => d.GroundTruthEpochs };
        var seed = new Option<ulong>("--seed") { Description = "samples the cells, seeds the ground-truth training (the second seed is seed+1) and the bootstrap", DefaultValueFactory = _ => d.Seed };
        var supernetEpochs = new Option<int>("--supernet-epochs") { Description = "epochs of each supernet (SPOS, BN-NAS, BNNAS++)", DefaultValueFactory = _ => d.SupernetEpochs };
        var stability = new Option<int>("--stability-cells") { Description = "cells also trained with a second seed (0 for none)", DefaultValueFactory = _ => d.StabilityCells };
        var scores = new Option<string>("--scores") { Description = $"comma-separated scores: {string.Join(", ", RankScores.All.Select(s => s.Key))}, or all", DefaultValueFactory = _ => d.Scores };
        var resamples = new Option<int>("--resamples") { Description = "bootstrap resamples", DefaultValueFactory = _ => d.Resamples };
        var outDir = new Option<string>("--out") { Description = "folder for ground-truth.csv (resumed if present), rank.csv, summary.md, scatter-*.svg", DefaultValueFactory = _ => d.OutDir };
        var c = new Command("rank", "rank correlation of every score (supernets, BN indicators, BNNAS++ facets, params, FLOPs) with NB-201 cells trained alone; resumable")
            { archs, subset, channels, batch, epochs, seed, supernetEpochs, stability, scores, resamples, outDir };
        c.SetAction(r =>
        {
            var o = d with { Architectures = r.GetValue(archs), Subset = r.GetValue(subset), Channels = r.GetValue(channels), Batch = r.GetValue(batch),
                GroundTruthEpochs = r.GetValue(epochs), Seed = r.GetValue(seed), SupernetEpochs = r.GetValue(supernetEpochs), StabilityCells = r.GetValue(stability),
                Scores = r.GetValue(scores)!, Resamples = r.GetValue(resamples), OutDir = r.GetValue(outDir)! };
            if (o.Channels < 1 || o.Batch < 1 || o.Resamples < 1 || o.Subset < 0)
            {
                Console.Error.WriteLine($"nas experiment rank: --channels, --batch and --resamples must be positive and --subset not negative, got {o.Channels}, {o.Batch}, {o.Resamples} and {o.Subset}");
                return 2;
            }
            return Guarded("rank", () => RankExperiment.Run(o, Console.Out));
        });
        return c;
    }
}
