// `nas resume RUN_DIR [--steps S]`: continue a run from its newest valid snapshot, reloading the data set its config names.
using System.CommandLine;
using Nas.App.Runs;
using Nas.Systems.Data;
using Nas.Systems.Search;
using Nas.World.Snapshots;

namespace Nas.App.Commands;

public static class ResumeCommand
{
    public static Command Create()
    {
        var folder = new Argument<DirectoryInfo>("RUN_DIR") { Description = "the run folder (its snapshots/ holds the snapshots)" };
        var steps = new Option<long?>("--steps") { Description = "stop after this many steps in total (default: the saved configuration's)" };
        var every = new Option<long?>("--snapshot-every") { Description = "write a snapshot every S steps (default: the saved configuration's)" };
        var command = new Command("resume", "continue a run from its newest valid snapshot") { folder, steps, every };
        command.SetAction(r =>
        {
            var dir = r.GetValue(folder)!;
            if (!dir.Exists)
            {
                Console.Error.WriteLine($"nas resume: {dir.FullName}: no such run folder");
                return 2;
            }
            using var run = Open(new RunFolder(dir.FullName), r.GetValue(steps), r.GetValue(every), "nas resume");
            return run is null ? 2 : SearchCommand.Drive(run);
        });
        return command;
    }

    /// <summary>True when the run folder holds at least one snapshot file (valid or not).</summary>
    internal static bool HasSnapshots(RunFolder folder) =>
        Directory.Exists(folder.Snapshots) && new SnapshotStore(folder.Snapshots, keep: int.MaxValue).List().Count > 0;

    /// <summary>
    /// The run resumed from the newest valid snapshot of <paramref name="folder"/>; damaged newer ones are reported by name
    /// on stderr. Null (reason printed) when there is no valid snapshot or the data set cannot be loaded.
    /// </summary>
    internal static SearchRun? Open(RunFolder folder, long? steps, long? snapshotEvery, string who)
    {
        var store = new SnapshotStore(folder.Snapshots, keep: int.MaxValue);
        var loaded = SearchSnapshot.LoadNewestValid(store, out var skipped);
        foreach (var e in skipped)
            Console.Error.WriteLine($"{who}: skipping damaged snapshot: {e.Message}");
        if (loaded is null)
        {
            Console.Error.WriteLine($"{who}: no valid snapshot in {store.Folder}");
            return null;
        }
        ISearchSession session;
        try
        {
            session = SearchSnapshot.Resume(loaded.Body, config =>
            {
                Nas.Torch.Torch.Threads = config.Threads;
                return DatasetSource.Parse(config.Dataset).LoadTrain(config.Subset > 0 ? config.Subset : null);
            }, config => config with { Steps = steps ?? config.Steps, SnapshotEvery = snapshotEvery ?? config.SnapshotEvery });
        }
        catch (Exception e) when (e is DatasetException or ArgumentException or NotSupportedException or InvalidOperationException)
        {
            Console.Error.WriteLine($"{who}: {loaded.Path}: {e.Message}");
            return null;
        }
        Console.Error.WriteLine($"{who}: resumed {session.Config.Method} from {loaded.Path} at step {loaded.Header.Step}");
        var run = new SearchRun(session, folder);
        run.ResumedFrom(loaded.Header.Step);
        folder.WriteConfig(session.Config);
        return run;
    }
}
