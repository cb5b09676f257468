// `nas info`: parameters and multiply-accumulates of a method's search network, or with --genotype of the evaluation network `nas train` builds, for a given input, from the analytic counters; with --schedule, the method's step as systems.
using System.CommandLine;
using Nas.App.Config;
using Nas.Components;
using Nas.Systems.Methods;
using Nas.Systems.Search;
using Nas.Systems.Spaces.Broad;
using Nas.Systems.Spaces.Darts;
using Nas.Systems.Spaces.Eval;
using Nas.Systems.Train;

namespace Nas.App.Commands;

public static class InfoCommand
{
    public static Command Create()
    {
        var method = new Option<string>("--method") { Description = "method preset", DefaultValueFactory = _ => "darts" };
        var layers = new Option<int?>("--layers") { Description = "cells (stacked space); with --genotype of a broad one, deep cells D" };
        var channels = new Option<int?>("--channels") { Description = "initial channels C" };
        var input = new Option<string>("--input") { Description = "input shape CxHxW", DefaultValueFactory = _ => "3x32x32" };
        var classes = new Option<int>("--classes") { Description = "classes of the classifier", DefaultValueFactory = _ => 10 };
        var config = new Option<FileInfo?>("--config") { Description = "YAML file of snake_case keys applied on top of the preset" };
        var schedule = new Option<bool>("--schedule") { Description = "print the method's schedule: phases, systems in order, what each reads and writes" };
        var nproc = new Option<int>("--nproc") { Description = "with --schedule: the schedule of one rank of N (data parallelism adds the all-reduce systems)", DefaultValueFactory = _ => 1 };
        var genotype = new Option<FileInfo?>("--genotype") { Description = "genotype.txt or genotype.json: the evaluation network `nas train` would build for it" };
        var space = new Option<string?>("--space") { Description = "with --genotype: stacked | broad (a search's genotype.json records it; a DARTS literal needs it)" };
        var enhancement = new Option<int?>("--enhancement") { Description = "with --genotype of a broad one: enhancement cells E (default 2)" };
        var command = new Command("info", "parameters and MACs of a method's search network or of a genotype's evaluation network, or a method's schedule")
            { method, layers, channels, input, classes, config, schedule, nproc, genotype, space, enhancement };
        command.SetAction(r =>
        {
            try
            {
                if (r.GetValue(genotype) is { } genotypeFile)
                {
                    foreach (var option in new Option[] { method, config, schedule, nproc })
                        if (r.GetResult(option) is { Implicit: false })
                            throw new ConfigException($"{option.Name} describes a method's search; --genotype describes the evaluation network of a genotype: give one or the other");
                    return EvalInfo(genotypeFile, r.GetValue(space), r.GetValue(layers), r.GetValue(channels), r.GetValue(enhancement), r.GetValue(input)!, r.GetValue(classes));
                }
                foreach (var option in new Option[] { space, enhancement })
                    if (r.GetResult(option) is { Implicit: false })
                        throw new ConfigException($"{option.Name} describes a genotype's evaluation network: it needs --genotype FILE");
                var c = Presets.For(r.GetValue(method)!);
                if (r.GetValue(config) is { } file) c = ConfigFile.Load(file.FullName, c);
                if (r.GetValue(schedule))
                {
                    var problems = Presets.Problems(c);
                    if (problems.Count > 0) throw new ConfigException(string.Join("; ", problems));
                    Console.WriteLine($"schedule of {c.Method} (phases in order; systems in order within a phase)");
                    Console.Write(ScheduleText.Format(Schedules.For(c, Math.Max(1, r.GetValue(nproc)))));
                    return 0;
                }
                c = c with { Layers = r.GetValue(layers) ?? c.Layers, Channels = r.GetValue(channels) ?? c.Channels };
                var (ch, h, w) = ParseInput(r.GetValue(input)!);
                if (h != w) throw new ConfigException($"--input {r.GetValue(input)}: images must be square");
                var ops = SearchSession.OpsFor(c);
                var (cost, shape) = c.Space == SearchSpace.Broad
                    ? (BroadCounting.SearchNetwork(new BroadSearchLayout(c.Channels, c.ConvBlocks, c.EnhancementCells, ch, h, r.GetValue(classes)), ops, c.PartialChannels),
                        $"{c.ConvBlocks} convolution blocks + {c.EnhancementCells} enhancement cells")
                    : (Counting.SearchNetwork(Validated(new StackedLayout(c.Layers, c.Channels, ch, h, r.GetValue(classes), Nodes: c.Nodes)), ops, c.PartialChannels),
                        $"{c.Layers} cells");
                Console.WriteLine($"method      {c.Method} ({c.Space.ToString().ToLowerInvariant()} space, {shape}, C={c.Channels}{(c.PartialChannels > 1 ? $", partial channels K={c.PartialChannels}" : "")})");
                Console.WriteLine($"input       {ch}x{h}x{w}, {r.GetValue(classes)} classes");
                Console.WriteLine($"parameters  {cost.Params:N0} (conv weights + affine BN + classifier; alpha/beta and BN running statistics excluded)");
                Console.WriteLine($"MACs        {cost.Macs:N0} per image, forward (convolutions + classifier)");
                return 0;
            }
            catch (Exception e) when (e is ConfigException or ArgumentException or NotSupportedException or FormatException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"nas info: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    /// <summary>The evaluation network `nas train` builds for the genotype, with its defaults for the sizes not given (TrainConfig.For).</summary>
    private static int EvalInfo(FileInfo file, string? spaceFlag, int? layers, int? channels, int? enhancement, string input, int classes)
    {
        var (genotype, space) = GenotypeFile.Load(file, GenotypeFile.ParseSpace(spaceFlag));
        if (space == SearchSpace.Stacked && enhancement is { } e)
            throw new ConfigException($"--enhancement {e}: only the broad space's network has enhancement cells; this genotype is for the stacked network");
        var (ch, h, w) = ParseInput(input);
        if (h != w) throw new ConfigException($"--input {input}: images must be square");
        var defaults = TrainConfig.For(space);
        var spec = new EvalNetworkSpec(space, layers ?? defaults.Layers, channels ?? defaults.Channels, enhancement ?? defaults.EnhancementCells, ch, h, classes);
        var problems = (defaults with { Layers = spec.Layers, Channels = spec.Channels, EnhancementCells = spec.EnhancementCells }).Problems();
        if (problems.Count > 0) throw new ConfigException(string.Join("; ", problems));
        var cost = spec.Cost(genotype);
        var head = spec.AuxiliaryHead(genotype) is { } aux
            ? $"; auxiliary head after cell {aux.Cell} in training: {aux.Parameters:N0} more parameters, not counted"
            : space == SearchSpace.Broad ? ", no auxiliary head" : "; no auxiliary head (the map after cell 2L/3 is below 2x2)";
        Console.WriteLine($"genotype    {file.Name} ({GenotypeFile.Name(space)} space: " + (space == SearchSpace.Broad
            ? "deep cells take its normal list, enhancement cells its reduce list)"
            : "normal cells take its normal list, reduction cells its reduce list)"));
        Console.WriteLine($"network     {(space == SearchSpace.Broad ? "BCNN evaluation network" : "stacked evaluation network")}: {spec.Describe()}{head}");
        Console.WriteLine($"input       {ch}x{h}x{w}, {classes} classes");
        Console.WriteLine($"parameters  {cost.Params:N0} (conv weights + affine BN + classifier; BN running statistics excluded)");
        Console.WriteLine($"MACs        {cost.Macs:N0} per image, forward (convolutions + classifier)");
        return 0;
    }

    private static StackedLayout Validated(StackedLayout l)
    {
        l.Validate();
        return l;
    }

    public static (int C, int H, int W) ParseInput(string text)
    {
        var parts = text.Split('x');
        if (parts.Length != 3 || !parts.All(p => int.TryParse(p, out var v) && v > 0))
            throw new ConfigException($"--input '{text}': expected CxHxW with positive integers, e.g. 3x32x32");
        return (int.Parse(parts[0]), int.Parse(parts[1]), int.Parse(parts[2]));
    }
}
