// `nas info`: parameters and multiply-accumulates of a method's search network for a given input, from the analytic counters; with --schedule, the method's step as systems.
using System.CommandLine;
using Nas.App.Config;
using Nas.Components;
using Nas.Systems.Methods;
using Nas.Systems.Search;
using Nas.Systems.Spaces.Broad;
using Nas.Systems.Spaces.Darts;

namespace Nas.App.Commands;

public static class InfoCommand
{
    public static Command Create()
    {
        var method = new Option<string>("--method") { Description = "method preset", DefaultValueFactory = _ => "darts" };
        var layers = new Option<int?>("--layers") { Description = "cells (stacked space)" };
        var channels = new Option<int?>("--channels") { Description = "initial channels C" };
        var input = new Option<string>("--input") { Description = "input shape CxHxW", DefaultValueFactory = _ => "3x32x32" };
        var classes = new Option<int>("--classes") { Description = "classes of the classifier", DefaultValueFactory = _ => 10 };
        var config = new Option<FileInfo?>("--config") { Description = "YAML file of snake_case keys applied on top of the preset" };
        var schedule = new Option<bool>("--schedule") { Description = "print the method's schedule: phases, systems in order, what each reads and writes" };
        var nproc = new Option<int>("--nproc") { Description = "with --schedule: the schedule of one rank of N (data parallelism adds the all-reduce systems)", DefaultValueFactory = _ => 1 };
        var command = new Command("info", "parameters and MACs of a method's search network, or its schedule") { method, layers, channels, input, classes, config, schedule, nproc };
        command.SetAction(r =>
        {
            try
            {
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
            catch (Exception e) when (e is ConfigException or ArgumentException or NotSupportedException)
            {
                Console.Error.WriteLine($"nas info: {e.Message}");
                return 2;
            }
        });
        return command;
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
