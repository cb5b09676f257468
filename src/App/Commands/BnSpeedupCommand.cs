// `nas experiment bn-speedup`: the flags of experiment V1, BN-only against full supernet training (issue 16 item 4, docs/results.md).
using System.CommandLine;
using Nas.App.Experiments;

namespace Nas.App.Commands;

public static class BnSpeedupCommand
{
    public static Command Create()
    {
        var d = new BnSpeedupOptions();
        var groundTruth = new Option<string>("--ground-truth") { Description = "ground-truth.csv of a `nas experiment rank` run: the cells and their stand-alone accuracies (required)", DefaultValueFactory = _ => d.GroundTruth };
        var subset = new Option<int>("--subset") { Description = "Fashion-MNIST training images, as the rank run used (its file records them); 0 for all", DefaultValueFactory = _ => d.Subset };
        var channels = new Option<int>("--channels") { Description = "skeleton width C, as the rank run used (its file records it)", DefaultValueFactory = _ => d.Channels };
        var batch = new Option<int>("--batch") { Description = "supernet batch, the same for both arms", DefaultValueFactory = _ => d.Batch };
        var seed = new Option<ulong>("--seed") { Description = "supernet seed (initial weights, batches, sampled paths), the same for both arms; and the bootstrap's", DefaultValueFactory = _ => d.Seed };
        var timingSteps = new Option<int>("--timing-steps") { Description = "timed steps of each arm", DefaultValueFactory = _ => d.TimingSteps };
        var timingBlock = new Option<int>("--timing-block") { Description = "steps per block; the blocks alternate the arms", DefaultValueFactory = _ => d.TimingBlock };
        var warmup = new Option<int>("--warmup-steps") { Description = "untimed steps of each arm before the timing", DefaultValueFactory = _ => d.WarmupSteps };
        var fullEpochs = new Option<int>("--full-epochs") { Description = "epochs of full training", DefaultValueFactory = _ => d.FullEpochs };
        var bnEpochs = new Option<int>("--bn-epochs") { Description = "epochs of BN-only training (a 1-epoch BN-only run is made as well)", DefaultValueFactory = _ => d.BnEpochs };
        var tolerance = new Option<double>("--tolerance") { Description = "the fixed quality: τ_b within this of full training's final τ_b", DefaultValueFactory = _ => d.Tolerance };
        var resamples = new Option<int>("--resamples") { Description = "bootstrap resamples of the cells", DefaultValueFactory = _ => d.Resamples };
        var outDir = new Option<string>("--out") { Description = "folder for speedup.csv, scores.csv, timing.csv, speedup.md", DefaultValueFactory = _ => d.OutDir };
        var c = new Command("bn-speedup", "experiment V1: BN-only against full supernet training, per step and in time to rank NB-201 cells as well (BN-NAS's >10x)")
            { groundTruth, subset, channels, batch, seed, timingSteps, timingBlock, warmup, fullEpochs, bnEpochs, tolerance, resamples, outDir };
        c.SetAction(r =>
        {
            var o = d with
            {
                GroundTruth = r.GetValue(groundTruth)!, Subset = r.GetValue(subset), Channels = r.GetValue(channels), Batch = r.GetValue(batch), Seed = r.GetValue(seed),
                TimingSteps = r.GetValue(timingSteps), TimingBlock = r.GetValue(timingBlock), WarmupSteps = r.GetValue(warmup), FullEpochs = r.GetValue(fullEpochs),
                BnEpochs = r.GetValue(bnEpochs), Tolerance = r.GetValue(tolerance), Resamples = r.GetValue(resamples), OutDir = r.GetValue(outDir)!,
            };
            return ExperimentCommand.Guarded("bn-speedup", () => BnSpeedupExperiment.Run(o, Console.Out));
        });
        return c;
    }
}
