// `nas experiment shrink`: V5, BS-NAS's shrinking claim (src/App/Experiments/ShrinkExperiment.cs, docs/results.md).
using System.CommandLine;
using Nas.App.Experiments;

namespace Nas.App.Commands;

public static class ShrinkCommand
{
    public static Command Create()
    {
        var d = new ShrinkExperimentOptions();
        var subset = new Option<int>("--subset") { Description = "Fashion-MNIST training images of the arms' supernets (80 % train); 0 for all", DefaultValueFactory = _ => d.Subset };
        var epochs = new Option<int>("--epochs") { Description = "epochs of each arm's supernet", DefaultValueFactory = _ => d.Epochs };
        var firstStage = new Option<int>("--first-stage") { Description = "epochs of the first shrink stage (then one-epoch stages)", DefaultValueFactory = _ => d.FirstStage };
        var subnets = new Option<int>("--subnets") { Description = "subnets scored per shrink ranking", DefaultValueFactory = _ => d.Subnets };
        var population = new Option<int>("--population") { Description = "evolution population of each arm", DefaultValueFactory = _ => d.Population };
        var generations = new Option<int>("--generations") { Description = "evolution generations of each arm", DefaultValueFactory = _ => d.Generations };
        var architectures = new Option<int>("--architectures") { Description = "genomes drawn from the full space for the ground truth", DefaultValueFactory = _ => d.Architectures };
        var newSurvivors = new Option<int>("--new-survivors") { Description = "more genomes drawn from each shrinking arm's surviving space", DefaultValueFactory = _ => d.NewSurvivors };
        var gtSubset = new Option<int>("--gt-subset") { Description = "Fashion-MNIST training images of each stand-alone training (80 % train); 0 for all", DefaultValueFactory = _ => d.GroundTruthSubset };
        var gtEpochs = new Option<int>("--gt-epochs") { Description = "epochs of each stand-alone training", DefaultValueFactory = _ => d.GroundTruthEpochs };
        var batch = new Option<int>("--batch") { Description = "batch of the arms and the stand-alone trainings (the preset's lr is kept)", DefaultValueFactory = _ => d.Batch };
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => d.Seed };
        var threads = new Option<int>("--threads") { Description = "libtorch threads", DefaultValueFactory = _ => d.Threads };
        var outDir = new Option<string>("--out") { Description = "folder for shrink.md, shrink.csv, arms.csv, ground-truth.csv (resumable)", DefaultValueFactory = _ => d.OutDir };
        var sampleOnly = new Option<bool>("--sample-only") { Description = "train only the full-space sample's ground truth (no arms), e.g. in a second process on the same --out beside a running experiment" };
        var c = new Command("shrink", "V5: BS-NAS arms without shrinking, with the accuracy and with the angle criterion, against stand-alone trained genomes")
            { subset, epochs, firstStage, subnets, population, generations, architectures, newSurvivors, gtSubset, gtEpochs, batch, seed, threads, outDir, sampleOnly };
        c.SetAction(r =>
        {
            var o = d with
            {
                Subset = r.GetValue(subset), Epochs = r.GetValue(epochs), FirstStage = r.GetValue(firstStage), Subnets = r.GetValue(subnets),
                Population = r.GetValue(population), Generations = r.GetValue(generations), Architectures = r.GetValue(architectures),
                NewSurvivors = r.GetValue(newSurvivors), GroundTruthSubset = r.GetValue(gtSubset), GroundTruthEpochs = r.GetValue(gtEpochs),
                Batch = r.GetValue(batch), Seed = r.GetValue(seed), Threads = r.GetValue(threads), OutDir = r.GetValue(outDir)!, SampleOnly = r.GetValue(sampleOnly),
            };
            return ExperimentCommand.Guarded("shrink", () => ShrinkExperiment.Run(o, Console.Out));
        });
        return c;
    }
}
