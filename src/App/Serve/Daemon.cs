// The entry point of `nas serve`: runs one search as a daemon until it ends or is told to stop.
using Microsoft.Extensions.Options;

namespace Nas.App.Serve;

public static class Daemon
{
    /// <summary>Runs the daemon: validates <paramref name="options"/> (token from $NAS_TOKEN when
    /// unset), binds, prints "listening on URL" per address, runs <paramref name="createRun"/>'s loop on
    /// one dedicated thread, and returns when the run finishes, POST /stop, SIGTERM/SIGINT or
    /// <paramref name="ct"/> ends it, after the current step and a final snapshot.</summary>
    /// <returns>0 on a clean end; 1 when the run or its final snapshot failed; 2 when the options are
    /// invalid or an address cannot be bound (nothing ran).</returns>
    public static async Task<int> RunAsync(DaemonOptions options, Func<IServiceProvider, IRunLoop> createRun,
        CancellationToken ct = default)
    {
        options = options.WithTokenFrom(Environment.GetEnvironmentVariable);
        DaemonHost host;
        try
        {
            host = DaemonHost.Create(options, createRun);
        }
        catch (OptionsValidationException e)
        {
            foreach (var failure in e.Failures)
                await Console.Error.WriteLineAsync($"nas serve: {failure}");
            return 2;
        }
        await using (host)
        {
            try
            {
                await host.StartAsync(ct);
            }
            catch (IOException e) // Kestrel reports an address in use or not available this way
            {
                await Console.Error.WriteLineAsync($"nas serve: cannot listen on {options.Urls}: {e.Message}");
                return 2;
            }
            foreach (var address in host.Addresses)
                Console.WriteLine($"nas serve: listening on {address}");
            await host.WaitForShutdownAsync(ct);
            return host.ExitCode;
        }
    }
}
