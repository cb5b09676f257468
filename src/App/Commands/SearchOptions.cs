// The flags shared by `search` and `serve` (DESIGN.md), and how they land on a SearchConfig: preset, then --config, then flags.
using System.CommandLine;
using Nas.App.Config;
using Nas.Systems.Methods;

namespace Nas.App.Commands;

public sealed class SearchOptions
{
    public readonly Option<string> Method = new("--method") { Description = "method preset: " + string.Join(", ", SearchConfig.Methods), DefaultValueFactory = _ => "darts" };
    public readonly Option<FileInfo?> Config = new("--config") { Description = "YAML file of snake_case keys applied on top of the preset" };
    public readonly Option<string?> Dataset = new("--dataset") { Description = "fashion-mnist[:DIR] | cifar10:DIR | synthetic" };
    public readonly Option<int?> Subset = new("--subset") { Description = "use only the first N training images" };
    public readonly Option<int?> Layers = new("--layers") { Description = "cells in the supernet" };
    public readonly Option<int?> Channels = new("--channels") { Description = "initial channels C" };
    public readonly Option<int?> Batch = new("--batch") { Description = "batch size" };
    public readonly Option<int?> Epochs = new("--epochs") { Description = "epochs (the lr schedule spans them)" };
    public readonly Option<long?> Steps = new("--steps") { Description = "stop after this many steps in total" };
    public readonly Option<ulong?> Seed = new("--seed") { Description = "seed of every random choice" };
    public readonly Option<int?> Threads = new("--threads") { Description = "libtorch intra-op threads (default: cores)" };
    public readonly Option<string?> Device = new("--device") { Description = "cpu, cuda or cuda:N" };
    public readonly Option<long?> SnapshotEvery = new("--snapshot-every") { Description = "write a snapshot every S steps (0 = only at the end)" };
    public readonly Option<DirectoryInfo?> Out = new("--out") { Description = "run folder (default runs/METHOD-TIME)" };

    public IEnumerable<Option> All => [Method, Config, Dataset, Subset, Layers, Channels, Batch, Epochs, Steps, Seed, Threads, Device, SnapshotEvery, Out];

    public void AddTo(Command command)
    {
        foreach (var o in All) command.Options.Add(o);
    }

    public SearchConfig Resolve(ParseResult r)
    {
        var config = Presets.For(r.GetValue(Method)!);
        if (r.GetValue(Config) is { } file) config = ConfigFile.Load(file.FullName, config);
        if (r.GetResult(Method) is { Implicit: false } && config.Method != r.GetValue(Method))
            throw new ConfigException($"--method {r.GetValue(Method)} disagrees with method '{config.Method}' in {r.GetValue(Config)?.Name}");
        config = config with
        {
            Dataset = r.GetValue(Dataset) ?? config.Dataset,
            Subset = r.GetValue(Subset) ?? config.Subset,
            Layers = r.GetValue(Layers) ?? config.Layers,
            Channels = r.GetValue(Channels) ?? config.Channels,
            Batch = r.GetValue(Batch) ?? config.Batch,
            Epochs = r.GetValue(Epochs) ?? config.Epochs,
            Steps = r.GetValue(Steps) ?? config.Steps,
            Seed = r.GetValue(Seed) ?? config.Seed,
            Threads = r.GetValue(Threads) ?? config.Threads,
            Device = r.GetValue(Device) ?? config.Device,
            SnapshotEvery = r.GetValue(SnapshotEvery) ?? config.SnapshotEvery,
        };
        var problems = Presets.Problems(config);
        if (problems.Count > 0) throw new ConfigException("the configuration cannot run:\n  " + string.Join("\n  ", problems));
        return config;
    }

    public string OutFolder(ParseResult r, SearchConfig config) =>
        r.GetValue(Out)?.FullName ?? Path.Combine("runs", $"{config.Method}-{DateTime.UtcNow:yyyyMMdd-HHmmss}");
}
