// `nas experiment found`: the flags of the found-vs-random experiment (issue 16 item 3, docs/results.md).
using System.CommandLine;
using Nas.App.Experiments;
using Nas.App.Runs;

namespace Nas.App.Commands;

public static class FoundExperimentCommand
{
    public static Command Create()
    {
        var d = new FoundOptions();
        var outDir = new Option<string>("--out") { Description = "folder of found.csv, found.md and the searches' run folders (search-METHOD); an interrupted run continues from it", DefaultValueFactory = _ => d.OutDir };
        var methods = new Option<string>("--methods") { Description = "comma-separated differentiable methods", DefaultValueFactory = _ => string.Join(",", d.Methods) };
        var dataset = new Option<string>("--dataset") { Description = "fashion-mnist[:DIR] | cifar10:DIR | synthetic[:CxHxW[:N]]", DefaultValueFactory = _ => d.Dataset };
        var searchSubset = new Option<int>("--search-subset") { Description = "training images the search uses (half of them for α)", DefaultValueFactory = _ => d.SearchSubset };
        var searchEpochs = new Option<int>("--search-epochs") { DefaultValueFactory = _ => d.SearchEpochs };
        var searchLayers = new Option<int>("--search-layers") { Description = "cells of the stacked supernet (the broad one keeps its preset)", DefaultValueFactory = _ => d.SearchLayers };
        var searchChannels = new Option<int>("--search-channels") { DefaultValueFactory = _ => d.SearchChannels };
        var searchBatch = new Option<int>("--search-batch") { Description = "search batch; the preset's weight lr is scaled by batch / preset batch", DefaultValueFactory = _ => d.SearchBatch };
        var archLrScale = new Option<double>("--arch-lr-scale") { Description = "multiplies each preset's architecture lr (a short search makes few α steps)", DefaultValueFactory = _ => d.ArchLrScale };
        var trainSubset = new Option<int>("--train-subset") { Description = "training images of every training (0 = all)", DefaultValueFactory = _ => d.TrainSubset };
        var testSubset = new Option<int>("--test-subset") { Description = "test images the accuracy is measured on (0 = all)", DefaultValueFactory = _ => d.TestSubset };
        var trainEpochs = new Option<int>("--train-epochs") { DefaultValueFactory = _ => d.TrainEpochs };
        var trainLayers = new Option<int>("--train-layers") { Description = "cells (stacked) or deep cells (broad) of the evaluation network", DefaultValueFactory = _ => d.TrainLayers };
        var trainChannels = new Option<int>("--train-channels") { DefaultValueFactory = _ => d.TrainChannels };
        var trainBatch = new Option<int>("--train-batch") { DefaultValueFactory = _ => d.TrainBatch };
        var randoms = new Option<int>("--randoms") { Description = "random genotypes per method", DefaultValueFactory = _ => d.Randoms };
        var seeds = new Option<int>("--seeds") { Description = "training seeds per genotype", DefaultValueFactory = _ => d.Seeds };
        var seed = new Option<ulong>("--seed") { Description = "seed of the searches and of the random genotypes", DefaultValueFactory = _ => d.Seed };
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => d.Threads };
        var c = new Command("found", "search with each method, then train the found genotype and random genotypes of its space alike: does the search beat random?")
        {
            outDir, methods, dataset, searchSubset, searchEpochs, searchLayers, searchChannels, searchBatch, archLrScale, trainSubset, testSubset, trainEpochs,
            trainLayers, trainChannels, trainBatch, randoms, seeds, seed, threads,
        };
        c.SetAction(r =>
        {
            var o = d with
            {
                OutDir = r.GetValue(outDir)!, Methods = r.GetValue(methods)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
                Dataset = r.GetValue(dataset)!, SearchSubset = r.GetValue(searchSubset), SearchEpochs = r.GetValue(searchEpochs), SearchLayers = r.GetValue(searchLayers),
                SearchChannels = r.GetValue(searchChannels), SearchBatch = r.GetValue(searchBatch), ArchLrScale = r.GetValue(archLrScale), TrainSubset = r.GetValue(trainSubset), TestSubset = r.GetValue(testSubset),
                TrainEpochs = r.GetValue(trainEpochs), TrainLayers = r.GetValue(trainLayers), TrainChannels = r.GetValue(trainChannels), TrainBatch = r.GetValue(trainBatch),
                Randoms = r.GetValue(randoms), Seeds = r.GetValue(seeds), Seed = r.GetValue(seed), Threads = r.GetValue(threads),
            };
            try
            {
                var outcome = FoundExperiment.Run(o, Console.Out);
                if (outcome.Stopped) Console.Error.WriteLine($"nas experiment found: stopped; run the same command again to continue from {o.OutDir}");
                return ExitCodes.Ok;
            }
            catch (Exception e) when (e is ArgumentException or FormatException or Nas.Systems.Data.DatasetException)
            {
                Console.Error.WriteLine($"nas experiment found: {e.Message}");
                return ExitCodes.BadInput;
            }
            catch (RunFolderException e)
            {
                Console.Error.WriteLine($"nas experiment found: {e.Message}");
                return e.ExitCode;
            }
        });
        return c;
    }
}
