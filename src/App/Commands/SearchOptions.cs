// The flags shared by `search` and `serve` (DESIGN.md), and how they land on a SearchConfig: preset, then --config, then flags.
using System.CommandLine;
using Nas.App.Config;
using Nas.Components;
using Nas.Systems.Data;
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
    public readonly Option<string?> Device = new("--device") { Description = "cpu (the search runs on the CPU; cuda is refused until it is wired)" };
    public readonly Option<long?> SnapshotEvery = new("--snapshot-every") { Description = "write a snapshot every S steps (0 = only at the end)" };
    public readonly Option<int?> SnapshotKeep = new("--snapshot-keep") { Description = "valid snapshots kept in RUN_DIR/snapshots (default 3)" };
    public readonly Option<int?> WarmupEpochs = new("--warmup-epochs") { Description = "epochs with alpha frozen (PC-DARTS warm-up; the preset's is fitted to short runs)" };
    public readonly Option<double?> Lr = new("--lr") { Description = "weight learning rate (cosine schedule start)" };
    public readonly Option<double?> ArchLr = new("--arch-lr") { Description = "architecture (alpha) learning rate" };
    public readonly Option<double?> FlopsLimit = new("--flops-limit") { Description = "one-shot: the evolution admits only architectures of at most this many MACs (flops_limit; 0 = none)" };
    public readonly Option<double?> ParamsLimit = new("--params-limit") { Description = "one-shot: the evolution admits only architectures of at most this many parameters (params_limit; 0 = none)" };
    public readonly Option<DirectoryInfo?> Out = new("--out") { Description = "run folder (default runs/METHOD-TIME); one that holds a run is refused" };
    public readonly Option<bool> MoveAside = new("--move-aside") { Description = "when --out holds a run, rename it to OUT.old-TIME and start anew (never deletes it)" };

    public IEnumerable<Option> All => [Method, Config, Dataset, Subset, Layers, Channels, Batch, Epochs, Steps, Seed, Threads, Device, SnapshotEvery,
        SnapshotKeep, WarmupEpochs, Lr, ArchLr, FlopsLimit, ParamsLimit, Out, MoveAside];

    public void AddTo(Command command)
    {
        foreach (var o in All) command.Options.Add(o);
    }

    /// <summary>
    /// The effective configuration, or a <see cref="ConfigException"/> whose one-line message names every refused flag, key or
    /// value: preset and config-file checks, then what this machine can hold (memory, threads, device) and the environment.
    /// </summary>
    public SearchConfig Resolve(ParseResult r)
    {
        var config = Presets.For(r.GetValue(Method)!);
        if (r.GetValue(Config) is { } file) config = ConfigFile.Load(file.FullName, config);
        if (r.GetResult(Method) is { Implicit: false } && config.Method != r.GetValue(Method))
            throw new ConfigException($"--method {r.GetValue(Method)} disagrees with method '{config.Method}' in {r.GetValue(Config)?.Name}");
        var presetWarmup = config.WarmupEpochs == Presets.For(config.Method).WarmupEpochs && r.GetValue(WarmupEpochs) is null;
        var presetFlops = config.FlopsLimit == Presets.For(config.Method).FlopsLimit && r.GetValue(FlopsLimit) is null;
        var presetIdentity = config.IdentityChoice == Presets.For(config.Method).IdentityChoice;
        var presetLayers = config.Layers == Presets.For(config.Method).Layers && r.GetValue(Layers) is null;
        var presetChannels = config.Channels == Presets.For(config.Method).Channels && r.GetValue(Channels) is null;
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
            SnapshotKeep = r.GetValue(SnapshotKeep) ?? config.SnapshotKeep,
            WarmupEpochs = r.GetValue(WarmupEpochs) ?? config.WarmupEpochs,
            Lr = r.GetValue(Lr) ?? config.Lr,
            ArchLr = r.GetValue(ArchLr) ?? config.ArchLr,
            FlopsLimit = r.GetValue(FlopsLimit) ?? config.FlopsLimit,
            ParamsLimit = r.GetValue(ParamsLimit) ?? config.ParamsLimit,
        };
        if (presetWarmup && Presets.FitWarmupToEpochs(config) is var fitted && fitted != config)
        {
            Console.Error.WriteLine($"nas: warmup_epochs {config.WarmupEpochs} of the {config.Method} preset fitted to {config.Epochs} epoch(s): {fitted.WarmupEpochs} (--warmup-epochs N chooses)");
            config = fitted;
        }
        if (config.OneShotSpace == OneShotSpaceKind.Darts && OneShotMethod.IsOneShot(config.Method) && InputOf(config) is { } input)
        {
            (config, var notes) = Presets.FitToOneShotSpace(config, input.Channels, input.Size, input.Classes, presetFlops, presetIdentity,
                presetLayers, presetChannels);
            foreach (var note in notes) Console.Error.WriteLine($"nas: {note}");
        }
        var problems = Presets.Problems(config);
        if (problems.Count == 0) problems = InputChecks.Problems(config);
        if (InputChecks.EnvironmentProblem(Environment.GetEnvironmentVariable) is { } environment) problems.Add(environment);
        if (problems.Count > 0) throw new ConfigException("the configuration cannot run: " + string.Join("; ", problems));
        return config;
    }

    /// <summary>The dataset's input and classes without reading it, or null when it cannot be named (InputChecks then says why).</summary>
    private static (int Channels, int Size, int Classes)? InputOf(SearchConfig c)
    {
        try
        {
            var source = DatasetSource.Parse(c.Dataset);
            var shape = DatasetShape.Of(source);
            return (shape.Channels, shape.Height, source is SyntheticSource s ? s.Spec.Classes : 10); // CIFAR-10 and Fashion-MNIST: 10
        }
        catch (Exception e) when (e is DatasetException or ArgumentException) { return null; }
    }

    public string OutFolder(ParseResult r, SearchConfig config) =>
        r.GetValue(Out)?.FullName ?? Path.Combine("runs", $"{config.Method}-{DateTime.UtcNow:yyyyMMdd-HHmmss}");
}
