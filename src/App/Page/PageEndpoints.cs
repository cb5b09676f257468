// The daemon's page: GET / (open: the page itself holds no data) and GET /page/data (the data, behind the bearer token like /status).
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Nas.App.Serve;

namespace Nas.App.Page;

internal static class PageEndpoints
{
    public static void Map(IEndpointRouteBuilder app, BearerToken token, ILogger logger)
    {
        var sources = new PageSources();
        app.MapGet("/", () => Results.Text(PageHtml.Live, "text/html; charset=utf-8"));
        app.MapGet("/page/data", (RunControl control, HttpContext http) =>
        {
            if (!token.Accepts(http.Request.Headers.Authorization))
            {
                DaemonLog.Unauthorized(logger, http.Request.Method, http.Request.Path, http.Connection.RemoteIpAddress?.ToString() ?? "?");
                http.Response.Headers.WWWAuthenticate = "Bearer";
                return Results.Unauthorized();
            }
            var query = http.Request.Query;
            var stepsAfter = long.TryParse(query["steps_after"], out var s) ? s : long.MinValue;
            var epochsAfter = int.TryParse(query["epochs_after"], out var e) ? e : 0;
            var view = control.View;
            var status = view.Status;
            var (steps, epochs) = sources.Logs(status?.Folder);
            var cells = sources.Cells(status?.Genotype);
            var body = PageDocument.Write("live", DateTimeOffset.UtcNow, DaemonEndpoints.Describe(view), status?.Detail,
                steps?.After(stepsAfter) ?? [], epochs?.From(epochsAfter) ?? [],
                cells.Key == query["cells"] ? null : cells, token.Required);
            return Results.Bytes(body, "application/json");
        });
    }

    /// <summary>The run folder's logs and the current genotype's pictures, kept between requests.</summary>
    private sealed class PageSources
    {
        private readonly object _gate = new();
        private (JsonLinesTail Steps, JsonLinesTail Epochs)? _logs;
        private CellPictures _cells = new("", null, null);

        public (JsonLinesTail? Steps, JsonLinesTail? Epochs) Logs(string? folder)
        {
            if (folder is null) return (null, null);
            lock (_gate)
            {
                if (_logs is not { } logs || logs.Steps.Path != System.IO.Path.Combine(folder, "steps.jsonl"))
                    _logs = logs = (new JsonLinesTail(System.IO.Path.Combine(folder, "steps.jsonl")),
                        new JsonLinesTail(System.IO.Path.Combine(folder, "epochs.jsonl"), "epoch"));
                return logs;
            }
        }

        /// <summary>Renders the pictures when the genotype changed, at most once per <see cref="RedrawEvery"/>: two Graphviz
        /// runs cost about 60 ms of CPU, and early in a search the genotype can change every step. The text is always current.</summary>
        public CellPictures Cells(string? genotype)
        {
            var key = PageDocument.KeyOf(genotype);
            lock (_gate)
            {
                if (_cells.Key == key || (_cells.Key.Length > 0 && Environment.TickCount64 - _drawnAt < RedrawEvery)) return _cells;
                var (normal, reduction) = CellSvg.Render(genotype);
                _drawnAt = Environment.TickCount64;
                return _cells = new CellPictures(key, normal, reduction);
            }
        }

        private const long RedrawEvery = 10_000; // ms
        private long _drawnAt;
    }
}
