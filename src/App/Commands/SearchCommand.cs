// `nas search`: resolve the configuration, load the data, create the run folder, step to the end with progress, print the result.
using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Nas.App.Config;
using Nas.App.Runs;
using Nas.Components;
using Nas.Systems.Data;
using Nas.Systems.Methods;
using Nas.Systems.OneShot;
using Nas.Systems.Search;

namespace Nas.App.Commands;

public static class SearchCommand
{
    public static Command Create()
    {
        var options = new SearchOptions();
        var world = new WorldOptions();
        var command = new Command("search", "run an architecture search and write its run folder");
        options.AddTo(command);
        world.AddTo(command);
        command.SetAction(r => Run(options, world, r));
        return command;
    }

    private static int Run(SearchOptions options, WorldOptions worldOptions, ParseResult r)
    {
        SearchConfig config;
        WorldSpec world;
        try
        {
            config = options.Resolve(r);
            world = worldOptions.Resolve(r, Environment.GetEnvironmentVariable);
        }
        catch (Exception e) when (e is ConfigException or ArgumentException or NotSupportedException)
        {
            Console.Error.WriteLine($"nas search: {e.Message}");
            return ExitCodes.BadInput;
        }
        // Data parallelism (docs/distributed.md): the launcher of local ranks, or one rank of a world.
        if (world.IsLauncher)
        {
            var outPath = options.OutFolder(r, config);
            var args = Launcher.ArgsWithout(r, WorldOptions.NprocFlag);
            if (r.GetValue(options.Out) is null) args.AddRange(["--out", Path.GetFullPath(outPath)]); // one folder for all ranks
            // --threads is per rank: unless given, the ranks share the cores instead of each taking them all.
            if (r.GetValue(options.Threads) is null) args.AddRange(["--threads", $"{Math.Max(1, Environment.ProcessorCount / world.Nproc)}"]);
            return Launcher.Run(args, world, "nas search");
        }
        if (world.IsRank) return RankRun.Search(config, options.OutFolder(r, config), r.GetValue(options.MoveAside), world, "nas search");
        RunFolder folder;
        try { folder = RunFolder.CreateNew(options.OutFolder(r, config), "--out", r.GetValue(options.MoveAside)); }
        catch (RunFolderException e)
        {
            Console.Error.WriteLine($"nas search: {e.Message}");
            return e.ExitCode;
        }
        using (folder)
        {
            var (run, code) = Start(config, folder, "nas search");
            if (run is null) return code;
            using (run) return Drive(run, "nas search");
        }
    }

    /// <summary>
    /// Loads the data set and builds the session; on bad input (or a failed write) prints one line, abandons the folder (removing
    /// it when this process created it) and returns null with the exit code.
    /// </summary>
    internal static (SearchRun? Run, int Code) Start(SearchConfig config, RunFolder folder, string who)
    {
        try
        {
            Nas.Torch.Torch.Threads = config.Threads;
            var train = DatasetSource.Parse(config.Dataset).LoadTrain(config.Subset > 0 ? config.Subset : null);
            var session = Sessions.Create(config, train);
            try
            {
                folder.WriteConfig(config);
                Console.Error.WriteLine($"nas: {config.Method} on {train} ({train.Count} images), {Builds(config)}, batch {config.Batch}, {config.Epochs} epochs; run folder {folder.Path}");
                return (new SearchRun(session, folder), ExitCodes.Ok);
            }
            catch
            {
                session.Dispose();
                throw;
            }
        }
        catch (Exception e) when (e is DatasetException or ArgumentException or NotSupportedException or RunIOException)
        {
            Console.Error.WriteLine($"{who}: {e.Message}");
            folder.Abandon();
            return (null, e is RunIOException ? ExitCodes.IoError : ExitCodes.BadInput);
        }
        catch
        {
            folder.Abandon();
            throw;
        }
    }

    /// <summary>What the search space of <paramref name="c"/> really builds, for the run header.</summary>
    public static string Builds(SearchConfig c) => c switch
    {
        _ when OneShotMethod.IsOneShot(c.Method) => c.OneShotSpace switch
        {
            Nas.Components.OneShotSpaceKind.Nb201 => $"NB-201 supernet of 3 stages x {c.CellsPerStage} cells, C={c.Channels}",
            Nas.Components.OneShotSpaceKind.Darts => $"DARTS cell supernet of {c.Layers} cells, {c.Nodes} nodes, C={c.Channels}",
            _ => $"mobile supernet (Tiny28 layers{(c.Spring ? ", spring widths" : "")})",
        },
        { Space: SearchSpace.Broad } => $"broad space of {c.ConvBlocks} convolution blocks + {c.EnhancementCells} enhancement cell(s), C={c.Channels}",
        _ => $"{c.Layers} cells, C={c.Channels}",
    };

    /// <summary>
    /// Steps to the end, snapshotting every config.SnapshotEvery steps and at the end. Ctrl+C or SIGTERM finishes the
    /// current step, writes a snapshot and returns 0. Each snapshot prints "snapshot step N: PATH" on stdout.
    /// </summary>
    internal static int Drive(SearchRun run, string who)
    {
        var stop = false;
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop = true; };
        Console.CancelKeyPress += onCancel;
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop = true; });
        try
        {
            var every = run.Session.Config.SnapshotEvery;
            using (var progress = new Progress(run.Session.Config.Method, run.TotalSteps))
            {
                progress.Report(run.Session.Clock.Step, ["starting"]);
                while (!stop && run.Step())
                {
                    progress.Report(run.Session.Clock.Step, run.SummaryFields());
                    if (every > 0 && run.Session.Clock.Step % every == 0) Snapshot(run);
                }
            }
            if (run.LastSnapshotStep != run.Session.Clock.Step) Snapshot(run);
            var (text, json) = run.Session.Result();
            run.Folder.WriteResult(text, json);
            Console.WriteLine(text);
            if (run.Session is OneShotSession oneShot && OneShotSession.CostLine(oneShot.World, oneShot.Config) is { } costs) Console.WriteLine(costs);
            Console.WriteLine($"run folder: {run.Folder.Path}");
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Disk full, permission, read-only: the step that failed to log or snapshot is the last; earlier snapshots are intact.
            var path = e is RunIOException io ? io.FilePath : run.Folder.Path;
            var kept = run.LastSnapshotStep >= 0 ? $"the snapshot of step {run.LastSnapshotStep} and earlier ones are intact" : "no snapshot had been written yet";
            Console.Error.WriteLine($"{who}: stopped at step {run.Session.Clock.Step}: {(e is RunIOException ? e.Message : $"{path}: {e.Message}")}; " +
                $"{kept} (`nas resume {run.Folder.Path}` once fixed)");
            return ExitCodes.IoError;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static void Snapshot(SearchRun run)
    {
        var path = run.Snapshot();
        Console.WriteLine($"snapshot step {run.Session.Clock.Step}: {path}");
        HoldIfAsked(run.Session.Clock.Step);
    }

    /// <summary>
    /// Test hook: when NAS_HOLD_AFTER_SNAPSHOT names this step, the process stops here (after the snapshot and its line) and waits
    /// to be killed, so a crash test can kill it at a known step instead of racing the remaining steps.
    /// </summary>
    private static void HoldIfAsked(long step)
    {
        // The value was checked at start (InputChecks.EnvironmentProblem).
        if (Environment.GetEnvironmentVariable(InputChecks.HoldVariable) is not { } hold || long.Parse(hold, CultureInfo.InvariantCulture) != step) return;
        Console.Out.Flush();
        Thread.Sleep(Timeout.Infinite);
    }
}

/// <summary>Picks the session type for a method.</summary>
public static class Sessions
{
    public static ISearchSession Create(SearchConfig config, Dataset train) => config.Method switch
    {
        "darts" or "pc-darts" or "bnas-d" or "bnas-v2-clr" or "bnas-v2-pc" or "dropnas" => SearchSession.Create(config, train),
        _ when OneShotMethod.IsOneShot(config.Method) => OneShotSession.Create(config, train),
        _ => throw new NotSupportedException($"method '{config.Method}' is not built yet"),
    };
}
