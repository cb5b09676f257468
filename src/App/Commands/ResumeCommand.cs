// `nas resume RUN_DIR [--steps S]`: continue a run from its newest valid snapshot, reloading the data set its config names.
using System.CommandLine;
using Nas.App.Config;
using Nas.App.Runs;
using Nas.Components;
using Nas.Systems.Data;
using Nas.Systems.Methods;
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
        var worldOptions = new WorldOptions();
        worldOptions.AddTo(command);
        command.SetAction(r =>
        {
            const string who = "nas resume";
            if ((FlagProblem(r.GetValue(steps), r.GetValue(every)) ?? InputChecks.EnvironmentProblem(Environment.GetEnvironmentVariable)) is { } problem)
            {
                Console.Error.WriteLine($"{who}: {problem}");
                return ExitCodes.BadInput;
            }
            WorldSpec world;
            try { world = worldOptions.Resolve(r, Environment.GetEnvironmentVariable); }
            catch (ConfigException e)
            {
                Console.Error.WriteLine($"{who}: {e.Message}");
                return ExitCodes.BadInput;
            }
            var path = r.GetValue(folder)!.FullName;
            if (world.IsLauncher) return Launcher.Run(Launcher.ArgsWithout(r, WorldOptions.NprocFlag), world, who);
            if (world.IsRank) return RankRun.Resume(path, r.GetValue(steps), r.GetValue(every), world, who);
            if (Directory.Exists(path) && !HasSnapshots(path)) // refused before the lock, so nothing is written
            {
                Console.Error.WriteLine($"{who}: no snapshot in {Path.Combine(path, "snapshots")}: nothing to resume");
                return ExitCodes.NoSnapshot;
            }
            RunFolder run;
            try { run = RunFolder.OpenExisting(path); }
            catch (RunFolderException e)
            {
                Console.Error.WriteLine($"{who}: {e.Message}");
                return e.ExitCode;
            }
            using (run)
            {
                var (resumed, code) = Open(run, r.GetValue(steps), r.GetValue(every), who);
                if (resumed is null) return code;
                using (resumed) return SearchCommand.Drive(resumed, who);
            }
        });
        return command;
    }

    /// <summary>Null when the resume flags are acceptable (--steps positive, --snapshot-every not negative).</summary>
    internal static string? FlagProblem(long? steps, long? snapshotEvery) =>
        steps is < 1 ? $"--steps {steps}: must be at least 1 (the total step count to reach)"
        : snapshotEvery is < 0 ? $"--snapshot-every {snapshotEvery}: must be 0 (only at the end) or positive"
        : null;

    /// <summary>True when the run folder holds at least one snapshot file (valid or not).</summary>
    internal static bool HasSnapshots(string folder) =>
        Directory.Exists(Path.Combine(folder, "snapshots")) && new SnapshotStore(Path.Combine(folder, "snapshots"), keep: int.MaxValue).List().Count > 0;

    /// <summary>
    /// The run resumed from the newest valid snapshot of <paramref name="folder"/>; damaged newer ones are reported by name
    /// on stderr. Null with the exit code (reason printed) when there is no valid snapshot (<see cref="ExitCodes.NoSnapshot"/>),
    /// the data set cannot be loaded (<see cref="ExitCodes.BadInput"/>) or the folder cannot be read or written (<see cref="ExitCodes.IoError"/>).
    /// </summary>
    internal static (SearchRun? Run, int Code) Open(RunFolder folder, long? steps, long? snapshotEvery, string who)
    {
        if (!Directory.Exists(folder.Snapshots))
        {
            Console.Error.WriteLine($"{who}: no valid snapshot in {folder.Snapshots} (the folder does not exist)");
            return (null, ExitCodes.NoSnapshot);
        }
        var store = new SnapshotStore(folder.Snapshots, keep: int.MaxValue);
        var loaded = SearchSnapshot.LoadNewestValid(store, out var skipped);
        foreach (var e in skipped)
            Console.Error.WriteLine($"{who}: skipping damaged snapshot: {e.Message}");
        if (loaded is null)
        {
            Console.Error.WriteLine($"{who}: no valid snapshot in {store.Folder}");
            return (null, ExitCodes.NoSnapshot);
        }
        if (loaded.Body.TryResource<DataParallelRecord>(out var made) && made.WorldSize > 1)
        {
            SearchSnapshot.DisposeWorld(loaded.Body);
            Console.Error.WriteLine($"{who}: {loaded.Path} was made by a data-parallel run of {made.WorldSize} ranks: resume it with --nproc {made.WorldSize} (or a world of {made.WorldSize})");
            return (null, ExitCodes.BadInput);
        }
        ISearchSession session;
        try
        {
            session = SearchSnapshot.Resume(loaded.Body, config =>
            {
                Nas.Torch.Torch.Threads = Math.Min(config.Threads, InputChecks.MaxThreads);
                return DatasetSource.Parse(config.Dataset).LoadTrain(config.Subset > 0 ? config.Subset : null);
            }, config => config with { Steps = steps ?? config.Steps, SnapshotEvery = snapshotEvery ?? config.SnapshotEvery });
        }
        catch (Exception e) when (e is DatasetException or ArgumentException or NotSupportedException or InvalidOperationException)
        {
            Console.Error.WriteLine($"{who}: {loaded.Path}: {e.Message}");
            return (null, ExitCodes.BadInput);
        }
        try
        {
            Console.Error.WriteLine($"{who}: resumed {session.Config.Method} from {loaded.Path} at step {loaded.Header.Step}");
            var run = new SearchRun(session, folder);
            run.ResumedFrom(loaded.Header.Step);
            folder.WriteConfig(session.Config);
            return (run, ExitCodes.Ok);
        }
        catch (RunIOException e)
        {
            session.Dispose();
            Console.Error.WriteLine($"{who}: {e.Message}");
            return (null, ExitCodes.IoError);
        }
    }
}
