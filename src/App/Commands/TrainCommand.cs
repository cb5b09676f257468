// `nas train`: train a genotype's evaluation network from scratch (stacked §1.7 or the BCNN §4.3), log epochs to the run folder, print the test accuracy.
using System.Diagnostics;
using System.CommandLine;
using System.Text.Json;
using Nas.App.Config;
using Nas.App.Runs;
using Nas.Components;
using Nas.Systems.Data;
using Nas.Systems.Genotypes;
using Nas.Systems.Spaces.Eval;
using Nas.Systems.Train;

namespace Nas.App.Commands;

public static class TrainCommand
{
    private static readonly Option<FileInfo?> GenotypeOption = new("--genotype") { Description = "genotype.txt (DARTS literal, flat or nested) or genotype.json" };
    private static readonly Option<DirectoryInfo?> From = new("--from") { Description = "a finished search's run folder: train its genotype.json in the space it records (instead of --genotype)" };
    private static readonly Option<string?> Space = new("--space") { Description = "stacked | broad: the network the genotype is for (a search's genotype.json records it; a DARTS literal needs it)" };
    private static readonly Option<string> Dataset = new("--dataset") { Description = "fashion-mnist[:DIR] | cifar10:DIR | synthetic", DefaultValueFactory = _ => "fashion-mnist" };
    private static readonly Option<int?> Subset = new("--subset") { Description = "use only the first N training images" };
    private static readonly Option<int?> Layers = new("--layers") { Description = "cells (stacked, default 8) or deep cells D (broad, default 6)" };
    private static readonly Option<int?> Channels = new("--channels") { Description = "initial channels C (default 16)" };
    private static readonly Option<int?> Enhancement = new("--enhancement") { Description = "enhancement cells E (broad only, default 2)" };
    private static readonly Option<int> Epochs = new("--epochs") { Description = "epochs (the cosine schedule and drop-path ramp span them)", DefaultValueFactory = _ => 20 };
    private static readonly Option<int?> Batch = new("--batch") { Description = "batch size (stacked 96, broad 128)" };
    private static readonly Option<double> Lr = new("--lr") { Description = "initial learning rate (cosine to 0)", DefaultValueFactory = _ => 0.025 };
    private static readonly Option<double?> DropPathOption = new("--drop-path") { Description = "drop-path probability at the last epoch, linear ramp from 0 (stacked 0.2, broad 0.3)" };
    private static readonly Option<double?> AuxWeight = new("--auxiliary-weight") { Description = "weight of the auxiliary head's loss, 0 = no head (stacked 0.4; the BCNN has none)" };
    private static readonly Option<bool> Cutout = new("--cutout") { Description = "cutout after crop and flip (--cutout false: crop and flip only)", DefaultValueFactory = _ => true };
    private static readonly Option<ulong> Seed = new("--seed") { Description = "seed of initialisation, data order, augmentation and drop-path", DefaultValueFactory = _ => 0UL };
    private static readonly Option<int?> Threads = new("--threads") { Description = "libtorch intra-op threads (default: cores)" };
    private static readonly Option<string> KernelSet = new("--kernels")
    {
        Description = "the forward's kernel set: reference (plain libtorch, NCHW; checked against PyTorch) | fast (channels-last, native kernels; " +
            "tested equal to the reference up to float32 rounding)",
        DefaultValueFactory = _ => "reference",
    };
    private static readonly Option<DirectoryInfo?> Out = new("--out") { Description = "run folder (default runs/train-TIME)" };

    private static readonly JsonSerializerOptions JsonOut = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var command = new Command("train", "train a found genotype from scratch and report test accuracy");
        foreach (var o in new Option[] { GenotypeOption, From, Space, Dataset, Subset, Layers, Channels, Enhancement, Epochs, Batch, Lr, DropPathOption, AuxWeight, Cutout, Seed, Threads, KernelSet, Out })
            command.Options.Add(o);
        command.SetAction(Run);
        return command;
    }

    private static int Run(ParseResult r)
    {
        var kernels = r.GetValue(KernelSet) switch
        {
            "reference" => ForwardMode.Reference,
            "fast" => ForwardMode.Batched,
            _ => (ForwardMode?)null,
        };
        if (kernels is null) return Fail($"--kernels {r.GetValue(KernelSet)}: expected reference or fast");
        if (r.GetValue(Threads) is { } threads && (threads < 1 || threads > InputChecks.MaxThreads))
            return Fail($"--threads {threads}: must be in 1..{InputChecks.MaxThreads} on this machine");
        Genotype genotype;
        SearchSpace space;
        var (file, run) = (r.GetValue(GenotypeOption), r.GetValue(From));
        if (file is not null && run is not null)
            return Fail($"--genotype {file} and --from {run}: give one: --from trains the genotype.json of a search's run folder, --genotype any genotype file");
        if (file is null && run is null) return Fail("which genotype? give --genotype FILE or --from RUN_DIR (a finished search's run folder)");
        try
        {
            var asked = GenotypeFile.ParseSpace(r.GetValue(Space));
            (genotype, space) = run is not null ? GenotypeFile.LoadRun(run, asked) : GenotypeFile.Load(file!, asked);
        }
        catch (Exception e) when (e is FormatException or IOException or ArgumentException or UnauthorizedAccessException)
        {
            return Fail(e.Message);
        }
        if (space == SearchSpace.Stacked && r.GetValue(Enhancement) is { } e0)
            return Fail($"--enhancement {e0}: only the broad space's network has enhancement cells; this genotype is for the stacked network");
        var defaults = TrainConfig.For(space);
        var config = defaults with
        {
            Layers = r.GetValue(Layers) ?? defaults.Layers, Channels = r.GetValue(Channels) ?? defaults.Channels,
            EnhancementCells = r.GetValue(Enhancement) ?? defaults.EnhancementCells, Epochs = r.GetValue(Epochs), Batch = r.GetValue(Batch) ?? defaults.Batch,
            Lr = r.GetValue(Lr), DropPath = r.GetValue(DropPathOption) ?? defaults.DropPath, AuxiliaryWeight = r.GetValue(AuxWeight) ?? defaults.AuxiliaryWeight,
            Cutout = r.GetValue(Cutout), Seed = r.GetValue(Seed), Kernels = kernels.Value,
        };
        var problems = config.Problems();
        if (problems.Count > 0)
            return Fail("the configuration cannot run: " + string.Join("; ", problems));
        Dataset train, test;
        try
        {
            var source = DatasetSource.Parse(r.GetValue(Dataset)!);
            train = source.LoadTrain(r.GetValue(Subset));
            test = source.LoadTest();
            // The genotype against the network these images give (widths, the zero op, halvings of odd maps), before anything is written.
            new EvalNetworkSpec(space, config.Layers, config.Channels, config.EnhancementCells, train.Channels, train.Height, train.Classes).Check(genotype);
        }
        catch (Exception e) when (e is FormatException or IOException or DatasetException or ArgumentException or UnauthorizedAccessException)
        {
            return Fail(e.Message);
        }
        Nas.Torch.Torch.Threads = r.GetValue(Threads) ?? Environment.ProcessorCount;
        var folder = r.GetValue(Out)?.FullName ?? Path.Combine("runs", $"train-{DateTime.UtcNow:yyyyMMdd-HHmmss}");
        Directory.CreateDirectory(folder);

        Trainer trainer;
        try { trainer = new Trainer(config, genotype, train, test); }
        catch (ArgumentException e) { return Fail(e.Message); }
        using (trainer)
        {
            var net = trainer.Network;
            File.WriteAllText(Path.Combine(folder, "genotype.txt"), genotype.ToDartsString() + "\n");
            File.WriteAllText(Path.Combine(folder, "config.json"), JsonSerializer.Serialize(new
            {
                genotype = genotype.ToDartsString(), from = run?.FullName, space = GenotypeFile.Name(config.Space), dataset = r.GetValue(Dataset), train_images = train.Count,
                test_images = test.Count, layers = config.Layers, channels = config.Channels,
                enhancement_cells = config.Space == SearchSpace.Broad ? config.EnhancementCells : (int?)null, epochs = config.Epochs, batch = config.Batch, lr = config.Lr,
                momentum = config.Momentum, weight_decay = config.WeightDecay, grad_clip = config.GradClip,
                drop_path = config.DropPath, auxiliary_weight = config.AuxiliaryWeight, auxiliary_head = net.Auxiliary is not null,
                cutout = config.Cutout, seed = config.Seed, kernels = r.GetValue(KernelSet), threads = Nas.Torch.Torch.Threads, parameters = net.ParameterCount(),
            }, JsonOut) + "\n");
            Console.Error.WriteLine($"nas train: {train} -> {test.Count} test images; {GenotypeFile.Name(config.Space)} network, {trainer.Spec.Describe()}, " +
                $"{net.ParameterCount():N0} parameters (head {(net.Auxiliary is null ? "off" : "on")}), batch {config.Batch}, {config.Epochs} epochs, " +
                $"{Nas.Torch.Torch.Threads} threads; run folder {Path.GetFullPath(folder)}");

            var stop = false;
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop = true; };
            Console.CancelKeyPress += onCancel;
            var start = DateTime.UtcNow;
            EpochResult? last = null;
            try
            {
                using var epochs = new JsonLines(Path.Combine(folder, "epochs.jsonl"), append: false);
                using var progress = new Progress("train", (long)config.Epochs * trainer.StepsPerEpoch);
                for (var e = 0; e < config.Epochs && !stop; e++)
                {
                    var done = (long)e * trainer.StepsPerEpoch;
                    var clock = Stopwatch.StartNew();
                    var result = trainer.RunEpoch(e, (i, loss, acc) => progress.Report(done + i, [$"epoch {e + 1}/{config.Epochs}", $"loss {loss:F4}", $"acc {acc:P2}"]));
                    var seconds = clock.Elapsed.TotalSeconds;
                    epochs.Write(new EpochLine(result.Epoch, result.Lr, result.DropPath, result.TrainLoss, result.TrainAcc, result.TestLoss, result.TestAcc, seconds));
                    Console.Error.WriteLine($"epoch {e + 1}/{config.Epochs}: train loss {result.TrainLoss:F4} acc {result.TrainAcc:P2}, " +
                        $"test loss {result.TestLoss:F4} acc {result.TestAcc:P2}, {seconds:F0} s");
                    last = result;
                }
            }
            finally { Console.CancelKeyPress -= onCancel; }
            if (last is not { } final) return Fail("stopped before the first epoch finished");
            var wall = (DateTime.UtcNow - start).TotalSeconds;
            File.WriteAllText(Path.Combine(folder, "result.json"), JsonSerializer.Serialize(new
            {
                epochs = final.Epoch + 1, test_accuracy = final.TestAcc, test_loss = final.TestLoss, wall_seconds = wall,
            }) + "\n");
            Console.WriteLine($"test accuracy {final.TestAcc:P2} after {final.Epoch + 1} epochs ({wall / 60:F1} min)");
            return 0;
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"nas train: {message}");
        return 2;
    }
}

/// <summary>One line of the train run's epochs.jsonl: the epoch's figures and its wall time (measured here, not by the trainer).</summary>
internal readonly record struct EpochLine(int Epoch, double Lr, double DropPath, double TrainLoss, double TrainAcc, double TestLoss, double TestAcc, double Seconds);
