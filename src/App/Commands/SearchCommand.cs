// `nas search`: resolve the configuration, load the data, create the run folder, step to the end with progress, print the result.
using System.CommandLine;
using System.Runtime.InteropServices;
using Nas.App.Config;
using Nas.App.Runs;
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
        var command = new Command("search", "run an architecture search and write its run folder");
        options.AddTo(command);
        command.SetAction(r => Run(options, r));
        return command;
    }

    private static int Run(SearchOptions options, ParseResult r)
    {
        SearchConfig config;
        try { config = options.Resolve(r); }
        catch (Exception e) when (e is ConfigException or ArgumentException or NotSupportedException)
        {
            Console.Error.WriteLine($"nas search: {e.Message}");
            return 2;
        }
        var folder = new RunFolder(options.OutFolder(r, config));
        using var run = Start(config, folder);
        if (run is null) return 2;
        return Drive(run);
    }

    /// <summary>Loads the data set and builds the session; null (with the reason printed) when the input is bad.</summary>
    internal static SearchRun? Start(SearchConfig config, RunFolder folder)
    {
        Nas.Torch.Torch.Threads = config.Threads;
        Dataset train;
        try { train = DatasetSource.Parse(config.Dataset).LoadTrain(config.Subset > 0 ? config.Subset : null); }
        catch (DatasetException e)
        {
            Console.Error.WriteLine($"nas: {e.Message}");
            return null;
        }
        ISearchSession session;
        try { session = Sessions.Create(config, train); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            Console.Error.WriteLine($"nas: {e.Message}");
            return null;
        }
        folder.WriteConfig(config);
        Console.Error.WriteLine($"nas: {config.Method} on {train} ({train.Count} images), {config.Layers} cells, C={config.Channels}, batch {config.Batch}, {config.Epochs} epochs; run folder {folder.Path}");
        return new SearchRun(session, folder);
    }

    /// <summary>
    /// Steps to the end, snapshotting every config.SnapshotEvery steps and at the end. Ctrl+C or SIGTERM finishes the
    /// current step, writes a snapshot and returns 0. Each snapshot prints "snapshot step N: PATH" on stdout.
    /// </summary>
    internal static int Drive(SearchRun run)
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
                progress.Report(run.Session.Clock.Step, "starting");
                while (!stop && run.Step())
                {
                    progress.Report(run.Session.Clock.Step, run.Summary());
                    if (every > 0 && run.Session.Clock.Step % every == 0) Snapshot(run);
                }
            }
            if (run.LastSnapshotStep != run.Session.Clock.Step) Snapshot(run);
            var (text, json) = run.Session.Result();
            run.Folder.WriteResult(text, json);
            Console.WriteLine(text);
            Console.WriteLine($"run folder: {run.Folder.Path}");
            return 0;
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
        if (Environment.GetEnvironmentVariable("NAS_HOLD_AFTER_SNAPSHOT") is not { } hold) return;
        if (!long.TryParse(hold, out var at)) throw new ArgumentException($"NAS_HOLD_AFTER_SNAPSHOT: '{hold}' is not a step number");
        if (at != step) return;
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
