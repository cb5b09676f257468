// `nas serve`: the flags of search plus --urls, --token, --snapshot-every-minutes; runs the search under the daemon, resuming when the run folder has snapshots.
using System.CommandLine;
using Command = System.CommandLine.Command;
using Nas.App.Config;
using Nas.App.Runs;
using Nas.App.Serve;
using Nas.Components;
using Nas.Systems.Methods;

namespace Nas.App.Commands;

public static class ServeCommand
{
    public static Command Create()
    {
        var search = new SearchOptions();
        var worldOptions = new WorldOptions();
        var urls = new Option<string?>("--urls") { Description = "';'-separated http://HOST:PORT (default http://127.0.0.1:9464; port 0 picks a free port)" };
        var token = new Option<string?>("--token") { Description = $"bearer token for control and /status (or ${DaemonOptions.TokenVariable})" };
        var minutes = new Option<double?>("--snapshot-every-minutes") { Description = "also snapshot when this many minutes passed since the last one" };
        var command = new Command("serve", "run a search as a hosted daemon with HTTP metrics and control; a run folder with snapshots is resumed");
        search.AddTo(command);
        command.Options.Add(urls);
        command.Options.Add(token);
        command.Options.Add(minutes);
        worldOptions.AddTo(command);
        command.SetAction(r =>
        {
            const string who = "nas serve";
            SearchConfig config;
            WorldSpec world;
            try
            {
                config = search.Resolve(r);
                world = worldOptions.Resolve(r, Environment.GetEnvironmentVariable);
            }
            catch (Exception e) when (e is ConfigException or ArgumentException or NotSupportedException)
            {
                Console.Error.WriteLine($"{who}: {e.Message}");
                return ExitCodes.BadInput;
            }
            var options = new DaemonOptions
            {
                Urls = r.GetValue(urls) ?? new DaemonOptions().Urls,
                Token = r.GetValue(token),
                SnapshotEverySteps = config.SnapshotEvery,
                SnapshotEveryMinutes = r.GetValue(minutes) ?? 0,
            }.WithTokenFrom(Environment.GetEnvironmentVariable);
            // Every option is checked before the run folder is touched: a refused start leaves nothing on disk.
            if (options.Validate() is { Count: > 0 } errors)
            {
                Console.Error.WriteLine($"{who}: {string.Join(" ", errors)}");
                return ExitCodes.BadInput;
            }
            var path = search.OutFolder(r, config);
            if (world.IsLauncher)
            {
                var args = Launcher.ArgsWithout(r, WorldOptions.NprocFlag);
                if (r.GetValue(search.Out) is null) args.AddRange(["--out", Path.GetFullPath(path)]);
                // --threads is per rank: unless given, the ranks share the cores instead of each taking them all.
                if (r.GetValue(search.Threads) is null) args.AddRange(["--threads", $"{Math.Max(1, Environment.ProcessorCount / world.Nproc)}"]);
                return Launcher.Run(args, world, who);
            }
            var resume = ResumeCommand.HasSnapshots(path);
            if (world.IsRank)
            {
                // Rank 0 serves the daemon over its run; the others follow what it announces (docs/distributed.md).
                var explicitSteps = r.GetResult(search.Steps) is { Implicit: false } ? r.GetValue(search.Steps) : null;
                RankRun.Driver drive = rank => rank.Spec.Rank == 0
                    ? Daemon.RunAsync(options, _ => new LeaderRun(rank)).GetAwaiter().GetResult()
                    : ParallelServe.Follow(rank);
                return resume
                    ? RankRun.Resume(path, explicitSteps, config.SnapshotEvery, world, who, drive)
                    : RankRun.Search(config, path, moveAside: true, world, who, drive);
            }
            RunFolder folder;
            // A daemon restarted on its folder resumes; one whose folder holds a run without any snapshot (killed before its first)
            // starts anew with the old files moved aside, never deleted, so a restart loop cannot lose them.
            try { folder = resume ? RunFolder.OpenExisting(path) : RunFolder.CreateNew(path, "--out", moveAside: true); }
            catch (RunFolderException e)
            {
                Console.Error.WriteLine($"{who}: {e.Message}");
                return e.ExitCode;
            }
            using (folder)
            {
                var steps = r.GetResult(search.Steps) is { Implicit: false } ? r.GetValue(search.Steps) : null;
                var startCode = ExitCodes.Ok;
                SearchRun? started = null;
                var created = false;
                var code = Daemon.RunAsync(options, _ =>
                {
                    created = true;
                    (started, startCode) = resume ? ResumeCommand.Open(folder, steps, config.SnapshotEvery, who) : SearchCommand.Start(config, folder, who);
                    return started ?? throw new InvalidOperationException($"the run in {folder.Path} could not start (see the message above)");
                }).GetAwaiter().GetResult();
                if (!created) folder.Abandon(); // the daemon never started its run (an address could not be bound)
                // A run that could not start exits with its reason's code (bad input, no snapshot, I/O), not the daemon's 1;
                // one that failed writing its folder (disk full) exits with the I/O code.
                if (startCode != ExitCodes.Ok) return startCode;
                if (code != ExitCodes.Ok && started?.IOFailure is { } io)
                {
                    Console.Error.WriteLine($"{who}: stopped: {io.Message}; earlier snapshots are intact (restart once there is room)");
                    return ExitCodes.IoError;
                }
                return code;
            }
        });
        return command;
    }
}
