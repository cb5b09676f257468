// `nas experiment bias`: V3, BNNAS++'s bias claim (src/App/Experiments/BiasExperiment.cs, docs/results.md).
using System.CommandLine;
using Nas.App.Experiments;

namespace Nas.App.Commands;

public static class BiasCommand
{
    public static Command Create()
    {
        var d = new BiasExperimentOptions();
        var subset = new Option<int>("--subset") { Description = "Fashion-MNIST training images (80 % train the supernets); 0 for all", DefaultValueFactory = _ => d.Subset };
        var channels = new Option<int>("--channels") { Description = "skeleton width C (1 cell per stage)", DefaultValueFactory = _ => d.Channels };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => d.Batch };
        var epochs = new Option<int>("--supernet-epochs") { Description = "epochs of each BN-only supernet", DefaultValueFactory = _ => d.SupernetEpochs };
        var seeds = new Option<int>("--seeds") { Description = "supernet seeds: seed i trains both supernets with --seed + i", DefaultValueFactory = _ => d.Seeds };
        var seed = new Option<ulong>("--seed") { Description = "the first supernet seed", DefaultValueFactory = _ => d.Seed };
        var top = new Option<int>("--top") { Description = "size of each top set", DefaultValueFactory = _ => d.Top };
        var outDir = new Option<string>("--out") { Description = "folder for bias.md, bias.csv, bn-table.csv", DefaultValueFactory = _ => d.OutDir };
        var c = new Command("bias", "V3: top NB-201 cells by the BN-NAS indicator on the biased (bn-nas) and unbiased (bnnas++) BN-only supernets: conv share and FLOPs")
            { subset, channels, batch, epochs, seeds, seed, top, outDir };
        c.SetAction(r =>
        {
            var o = d with
            {
                Subset = r.GetValue(subset), Channels = r.GetValue(channels), Batch = r.GetValue(batch), SupernetEpochs = r.GetValue(epochs),
                Seeds = r.GetValue(seeds), Seed = r.GetValue(seed), Top = r.GetValue(top), OutDir = r.GetValue(outDir)!,
            };
            return ExperimentCommand.Guarded("bias", () => BiasExperiment.Run(o, Console.Out));
        });
        return c;
    }
}
