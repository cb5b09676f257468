// Builds and runs the daemon's host: Kestrel, the endpoints, the metrics and the step thread.
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nas.App.Metrics;

namespace Nas.App.Serve;

/// <summary>One daemon: create (validates options), start (binds, starts the step thread), then
/// wait for shutdown (SIGTERM/SIGINT, POST /stop, or the run finishing) or stop it. The run loop's
/// factory gets the host's services; <see cref="NasMetrics"/> is among them.</summary>
public sealed class DaemonHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly RunControl _control;
    private readonly ILogger _logger;

    private DaemonHost(WebApplication app, ILogger logger)
    {
        _app = app;
        _logger = logger;
        _control = app.Services.GetRequiredService<RunControl>();
    }

    /// <summary>Validates <paramref name="options"/> (throwing <see cref="OptionsValidationException"/>
    /// whose failures name each bad option and value) and builds the host without binding anything.</summary>
    /// <param name="logging">Replaces the default console logging setup when given.</param>
    /// <param name="time">The clock for step and snapshot timing; <see cref="TimeProvider.System"/> when null.</param>
    public static DaemonHost Create(DaemonOptions options, Func<IServiceProvider, IRunLoop> createRun,
        Action<ILoggingBuilder>? logging = null, TimeProvider? time = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
            throw new OptionsValidationException(nameof(DaemonOptions), typeof(DaemonOptions), errors);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls(options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = DaemonEndpoints.MaxBodyBytes;
        });
        if (logging is not null)
        {
            builder.Logging.ClearProviders();
            logging(builder.Logging);
        }
        else
        {
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        }
        var services = builder.Services;
        services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);
        services.Configure<ConsoleLifetimeOptions>(console => console.SuppressStatusMessages = true);
        services.AddSingleton(options);
        services.AddSingleton(new RunFactory(createRun));
        services.AddSingleton(new BearerToken(options.Token));
        services.AddSingleton<RunControl>();
        services.AddSingleton(_ => new NasMetrics());
        services.AddHostedService(sp => ActivatorUtilities.CreateInstance<RunLoopService>(sp, time ?? TimeProvider.System));

        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Nas.App.Serve.Daemon");
        DaemonEndpoints.LimitBodies(app);
        DaemonEndpoints.Map(app, app.Services.GetRequiredService<BearerToken>(), logger);
        Page.PageEndpoints.Map(app, app.Services.GetRequiredService<BearerToken>(), logger);
        return new DaemonHost(app, logger);
    }

    public IServiceProvider Services => _app.Services;

    public NasMetrics Metrics => _app.Services.GetRequiredService<NasMetrics>();

    /// <summary>The run as HTTP sees it.</summary>
    public RunView View => _control.View;

    /// <summary>The addresses Kestrel bound, with the real port when port 0 was asked for.</summary>
    public IReadOnlyList<Uri> Addresses =>
        _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
            .Select(a => new Uri(a)).ToList() ?? [];

    /// <summary>0 when the run finished or stopped cleanly with its final snapshot written;
    /// 1 when it failed, its final snapshot failed, or it had not ended when shutdown gave up.</summary>
    public int ExitCode => _control.View.Ended ? _control.View.ExitCode : 1;

    /// <summary>Binds the addresses and starts the step thread.</summary>
    public async Task StartAsync(CancellationToken ct = default)
    {
        await _app.StartAsync(ct);
        foreach (var address in Addresses)
            DaemonLog.Listening(_logger, address.ToString());
    }

    /// <summary>Completes when the host has shut down: after SIGTERM/SIGINT, POST /stop, the run
    /// finishing, or <paramref name="ct"/> (each of which lets the current step and the final snapshot finish).</summary>
    public Task WaitForShutdownAsync(CancellationToken ct = default) => _app.WaitForShutdownAsync(ct);

    /// <summary>Shuts down as SIGTERM does: the step thread finishes its step and the final snapshot.</summary>
    public Task StopAsync(CancellationToken ct = default) => _app.StopAsync(ct);

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
