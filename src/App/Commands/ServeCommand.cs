// `nas serve`: the flags of search plus --urls, --token, --snapshot-every-minutes; runs the search under the daemon, resuming when the run folder has snapshots.
using System.CommandLine;
using Command = System.CommandLine.Command;
using Nas.App.Config;
using Nas.App.Runs;
using Nas.App.Serve;
using Nas.Systems.Methods;

namespace Nas.App.Commands;

public static class ServeCommand
{
    public static Command Create()
    {
        var search = new SearchOptions();
        var urls = new Option<string?>("--urls") { Description = "';'-separated http://HOST:PORT (default http://127.0.0.1:9464; port 0 picks a free port)" };
        var token = new Option<string?>("--token") { Description = $"bearer token for control and /status (or ${DaemonOptions.TokenVariable})" };
        var minutes = new Option<double?>("--snapshot-every-minutes") { Description = "also snapshot when this many minutes passed since the last one" };
        var command = new Command("serve", "run a search as a hosted daemon with HTTP metrics and control; a run folder with snapshots is resumed");
        search.AddTo(command);
        command.Options.Add(urls);
        command.Options.Add(token);
        command.Options.Add(minutes);
        command.SetAction(r =>
        {
            SearchConfig config;
            try { config = search.Resolve(r); }
            catch (Exception e) when (e is ConfigException or ArgumentException or NotSupportedException)
            {
                Console.Error.WriteLine($"nas serve: {e.Message}");
                return 2;
            }
            var folder = new RunFolder(search.OutFolder(r, config));
            var resume = ResumeCommand.HasSnapshots(folder);
            var steps = r.GetResult(search.Steps) is { Implicit: false } ? r.GetValue(search.Steps) : null;
            var options = new DaemonOptions
            {
                Urls = r.GetValue(urls) ?? new DaemonOptions().Urls,
                Token = r.GetValue(token),
                SnapshotEverySteps = config.SnapshotEvery,
                SnapshotEveryMinutes = r.GetValue(minutes) ?? 0,
            };
            return Daemon.RunAsync(options, _ => Create(config, folder, resume, steps)).GetAwaiter().GetResult();
        });
        return command;
    }

    /// <summary>On the daemon's step thread: resume from the newest valid snapshot when the folder has any, else start anew.</summary>
    private static IRunLoop Create(SearchConfig config, RunFolder folder, bool resume, long? steps)
    {
        var run = resume
            ? ResumeCommand.Open(folder, steps, config.SnapshotEvery, "nas serve")
            : SearchCommand.Start(config, folder);
        return run ?? throw new InvalidOperationException($"the run in {folder.Path} could not start (see the message above)");
    }
}
