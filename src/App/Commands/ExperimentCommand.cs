// `nas experiment collapse | rank`: the experiments whose measured tables live in docs/results.md.
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
        command.Subcommands.Add(FoundExperimentCommand.Create());
        return command;
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
        var archs = new Option<int>("--architectures") { Description = "NAS-Bench-201 architectures trained as ground truth", DefaultValueFactory = _ => d.Architectures };
        var subset = new Option<int>("--subset") { Description = "Fashion-MNIST training images", DefaultValueFactory = _ => d.Subset };
        var channels = new Option<int>("--channels") { DefaultValueFactory = _ => d.Channels };
        var epochs = new Option<int>("--epochs") { Description = "ground-truth training epochs", DefaultValueFactory = _ => d.GroundTruthEpochs };
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => d.Seed };
        var supernetEpochs = new Option<int>("--supernet-epochs") { Description = "epochs of each supernet (SPOS, BN-NAS, BNNAS++)", DefaultValueFactory = _ => d.SupernetEpochs };
        var outDir = new Option<string?>("--out") { Description = "folder for rank.csv (one row per cell: ground truth and every score)" };
        var c = new Command("rank", "rank correlation of SPOS accuracy, the BN-NAS indicator and BNNAS++ terms with trained NAS-Bench-201 architectures")
            { archs, subset, channels, epochs, seed, supernetEpochs, outDir };
        c.SetAction(r =>
        {
            var o = d with { Architectures = r.GetValue(archs), Subset = r.GetValue(subset), Channels = r.GetValue(channels), GroundTruthEpochs = r.GetValue(epochs), Seed = r.GetValue(seed),
                SupernetEpochs = r.GetValue(supernetEpochs), OutDir = r.GetValue(outDir) };
            if (o.Architectures < 3) { Console.Error.WriteLine("nas experiment rank: --architectures must be at least 3 for a rank correlation"); return 2; }
            if (o.GroundTruthEpochs < 1 || o.SupernetEpochs < 1) { Console.Error.WriteLine($"nas experiment rank: --epochs and --supernet-epochs must be at least 1, got {o.GroundTruthEpochs} and {o.SupernetEpochs}"); return 2; }
            RankExperiment.Run(o, Console.Out);
            return 0;
        });
        return c;
    }
}
