// The daemon's HTTP surface: metrics, health, status and control.
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Nas.App.Metrics;

namespace Nas.App.Serve;

/// <summary>GET /metrics and /healthz are open; GET /status and the POST control endpoints need
/// the bearer token whenever one is configured (always when bound beyond loopback).</summary>
internal static class DaemonEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
    };

    /// <summary>No endpoint reads a body; larger ones are answered 413 instead of a dropped connection.</summary>
    public const long MaxBodyBytes = 64 * 1024;

    /// <summary>Answers 413 to a request body over <see cref="MaxBodyBytes"/>: at once when Content-Length says so, else (chunked)
    /// once reading it passes the limit; a smaller body is read and dropped, so the connection stays usable.</summary>
    public static void LimitBodies(IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.Request.ContentLength > MaxBodyBytes)
        {
            http.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await http.Response.WriteAsync($"request body over {MaxBodyBytes} bytes\n");
            return;
        }
        if (http.Request.ContentLength is null && http.Request.Headers.TransferEncoding.Count > 0)
        {
            try { await http.Request.Body.CopyToAsync(Stream.Null, http.RequestAborted); }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                http.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                await http.Response.WriteAsync($"request body over {MaxBodyBytes} bytes\n");
                return;
            }
        }
        await next(http);
    });

    public static void Map(IEndpointRouteBuilder app, BearerToken token, ILogger logger)
    {
        app.MapGet("/metrics", async (NasMetrics metrics, CancellationToken cancel) =>
            Results.Text(await metrics.ExpositionAsync(cancel), NasMetrics.ContentType));

        app.MapGet("/healthz", (RunControl control) => control.View.Phase == RunPhase.Failed
            ? Results.Text($"failed: {control.View.Error}\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Text($"ok {RunControl.Name(control.View.Phase)}\n", "text/plain; charset=utf-8"));

        var guarded = app.MapGroup("").AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (token.Accepts(http.Request.Headers.Authorization)) return await next(context);
            DaemonLog.Unauthorized(logger, http.Request.Method, http.Request.Path, http.Connection.RemoteIpAddress?.ToString() ?? "?");
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Unauthorized();
        });

        guarded.MapGet("/status", (RunControl control) => Results.Json(Describe(control.View), Json));
        guarded.MapPost("/pause", (RunControl control, HttpContext http) => Send(control, CommandKind.Pause, http));
        guarded.MapPost("/resume", (RunControl control, HttpContext http) => Send(control, CommandKind.Resume, http));
        guarded.MapPost("/stop", (RunControl control, HttpContext http) => Send(control, CommandKind.Stop, http));
        guarded.MapPost("/snapshot", (RunControl control, HttpContext http) => Send(control, CommandKind.Snapshot, http));
    }

    /// <summary>Waits for the step thread's answer (it comes between steps). Stop answers 202: the
    /// run ends after its current step and final snapshot. A run that has ended answers 409.</summary>
    private static async Task<IResult> Send(RunControl control, CommandKind kind, HttpContext http)
    {
        var reply = await control.SendAsync(kind).WaitAsync(http.RequestAborted);
        if (!reply.Ok)
        {
            var code = reply.View.Ended ? StatusCodes.Status409Conflict : StatusCodes.Status500InternalServerError;
            return Results.Json(new { error = reply.Error, state = RunControl.Name(reply.View.Phase) }, Json, statusCode: code);
        }
        if (kind == CommandKind.Snapshot) return Results.Json(Describe(reply.Snapshot!), Json);
        return Results.Json(Describe(reply.View), Json,
            statusCode: kind == CommandKind.Stop ? StatusCodes.Status202Accepted : StatusCodes.Status200OK);
    }

    /// <summary>The /status document; field names are snake_case like steps.jsonl.</summary>
    public static object Describe(RunView view)
    {
        var status = view.Status;
        return new
        {
            State = RunControl.Name(view.Phase),
            Method = status?.Method,
            Step = status?.Step,
            Epoch = status?.Epoch,
            TotalSteps = status?.TotalSteps,
            StepsThisProcess = view.StepsThisProcess,
            TrainLoss = status?.TrainLoss,
            ValLoss = status?.ValLoss,
            TrainAccuracy = status?.TrainAccuracy,
            ValAccuracy = status?.ValAccuracy,
            Genotype = status?.Genotype,
            LastSnapshot = view.LastSnapshot is { } s ? Describe(s)
                : status?.LastSnapshotPath is { } path ? new { Path = path, WrittenAt = status.LastSnapshotTime } : null,
            view.Error,
        };
    }

    private static object Describe(SnapshotRecord s) =>
        new { s.Path, s.Step, s.WrittenAt, s.Bytes, s.Seconds, s.Reason };
}
