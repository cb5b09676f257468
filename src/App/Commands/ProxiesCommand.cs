// `nas experiment proxies`: the zero-cost proxies of sampled or given NB-201 cells (src/Systems/OneShot/Proxies, docs/proxies.md).
using System.CommandLine;
using Nas.App.Experiments;
using Nas.Systems.Data;

namespace Nas.App.Commands;

public static class ProxiesCommand
{
    public static Command Create()
    {
        var d = new ProxiesExperimentOptions();
        var cells = new Option<int>("--cells") { Description = "NB-201 cells sampled with the seed", DefaultValueFactory = _ => d.Cells };
        var cell = new Option<string?>("--cell") { Description = "score this one cell (NB-201 string) instead of sampling" };
        var channels = new Option<int>("--channels") { DefaultValueFactory = _ => d.Channels };
        var perStage = new Option<int>("--cells-per-stage") { DefaultValueFactory = _ => d.CellsPerStage };
        var batch = new Option<int>("--batch") { Description = "images of the minibatch NASWOT, snip and grad_norm read", DefaultValueFactory = _ => d.Batch };
        var seed = new Option<ulong>("--seed") { Description = "cell sampling; cell i's network is initialised from seed + i", DefaultValueFactory = _ => d.Seed };
        var synthetic = new Option<bool>("--synthetic") { Description = "synthetic 1x28x28 images instead of Fashion-MNIST" };
        var outCsv = new Option<string?>("--out") { Description = "CSV file: one row per cell, one column per proxy" };
        var c = new Command("proxies", "zero-cost proxies (naswot, synflow, snip, grad_norm, params, flops) of NAS-Bench-201 cells at initialisation")
            { cells, cell, channels, perStage, batch, seed, synthetic, outCsv };
        c.SetAction(r =>
        {
            var o = d with
            {
                Cells = r.GetValue(cells), Cell = r.GetValue(cell), Channels = r.GetValue(channels), CellsPerStage = r.GetValue(perStage),
                Batch = r.GetValue(batch), Seed = r.GetValue(seed), OutCsv = r.GetValue(outCsv),
                Data = r.GetValue(synthetic) ? Synthetic.LoadTrain(new SyntheticSpec(Channels: 1, Height: 28, Width: 28, Classes: 10, TrainCount: 512, TestCount: 1)) : null,
            };
            if (o.Channels < 1 || o.CellsPerStage < 1) { Console.Error.WriteLine($"nas experiment proxies: --channels and --cells-per-stage must be at least 1, got {o.Channels} and {o.CellsPerStage}"); return 2; }
            return ExperimentCommand.Guarded("proxies", () => ProxiesExperiment.Run(o, Console.Out));
        });
        return c;
    }
}
