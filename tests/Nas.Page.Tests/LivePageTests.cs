// The daemon's page in a real browser against a real `nas serve` on 127.0.0.1: it loads cleanly, follows the run, draws one
// heatmap cell per edge and op, pauses and resumes the run, refuses control without the token, and shows a one-shot search.
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Playwright;

namespace Nas.Page.Tests;

[Collection("browser")]
public sealed class LivePageTests(Browser browser) : IDisposable
{
    private const string Token = "page-test-token-0123456789";
    private readonly string _dir = Directory.CreateTempSubdirectory("nas-page-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A tiny DARTS search long enough to outlive the test (it is stopped by the test): 4 steps an epoch.</summary>
    internal static string[] Darts(string outDir) =>
        ["--method", "darts", "--dataset", "synthetic:1x8x8:64", "--layers", "3", "--channels", "4", "--batch", "8",
         "--threads", "1", "--seed", "5", "--epochs", "2000", "--out", outDir];

    private static async Task<long> Step(IPage page) => long.Parse(await page.InnerTextAsync("#step"));

    private static async Task PollsPassed(IPage page, int count)
    {
        var now = int.Parse(await page.EvaluateAsync<string>("document.body.dataset.polls || '0'"));
        await page.WaitForFunctionAsync($"() => (Number(document.body.dataset.polls) || 0) >= {now + count}", null, new() { Timeout = 30_000 });
    }

    private static async Task StepAbove(IPage page, long step) =>
        await page.WaitForFunctionAsync($"() => Number(document.getElementById('step').textContent) > {step}", null, new() { Timeout = 30_000 });

    [Fact]
    public async Task TheDartsPageFollowsTheRunAndItsPauseAndResumeButtonsControlIt()
    {
        var config = Path.Combine(_dir, "edges.yaml");
        File.WriteAllText(config, "edge_normalization: true\n"); // PC-DARTS's beta, so the heatmaps show their beta column
        var (serve, url) = NasProcess.Serve([.. Darts(Path.Combine(_dir, "run")), "--config", config]);
        using var _ = serve;
        var errors = new List<string>();
        var page = await browser.PageAsync(errors);
        await page.GotoAsync(url);

        await StepAbove(page, 0);
        var first = await Step(page);
        await StepAbove(page, first);
        Assert.Equal("running", await page.InnerTextAsync("#state"));
        Assert.Equal("darts", await page.InnerTextAsync("#method"));

        // One heatmap per cell type; one cell per edge (14 for 4 nodes) and op (8 DARTS ops).
        await page.WaitForSelectorAsync("svg.heatmap[data-cell=reduction]");
        Assert.Equal(14 * 8, await page.Locator("svg.heatmap[data-cell=normal] rect.w").CountAsync());
        Assert.Equal(14 * 8, await page.Locator("svg.heatmap[data-cell=reduction] rect.w").CountAsync());
        Assert.Equal(14, await page.Locator("svg.heatmap[data-cell=normal] rect.beta").CountAsync());
        Assert.StartsWith("Genotype(normal=[", await page.InnerTextAsync("#genotype-text"));
        await page.WaitForSelectorAsync("#cells svg"); // the Graphviz drawing of the current genotype
        Assert.True(await page.Locator("#chart-loss path").CountAsync() >= 1, "the loss chart has no line");

        await page.WaitForFunctionAsync("() => document.getElementById('arch-epoch').max >= 2", null, new() { Timeout = 60_000 }); // two epochs ended
        await page.ScreenshotAsync(new() { Path = Screenshot.Path(), FullPage = true });

        await page.ClickAsync("button[data-action=pause]");
        await page.WaitForFunctionAsync("() => document.getElementById('state').textContent === 'paused'", null, new() { Timeout = 30_000 });
        await PollsPassed(page, 1);
        var paused = await Step(page);
        await PollsPassed(page, 2);
        Assert.Equal(paused, await Step(page));
        Assert.Equal("paused", await page.InnerTextAsync("#state"));

        await page.ClickAsync("button[data-action=resume]");
        await StepAbove(page, paused);
        Assert.Equal("running", await page.InnerTextAsync("#state"));

        Assert.True(errors.Count == 0, string.Join("\n", errors)); // checked before the daemon exits: a poll may then fail
        await page.ClickAsync("button[data-action=stop]");
        Assert.Equal(0, serve.WaitForExit());
    }

    [Fact]
    public async Task WithATokenSetThePageRefusesControlUntilTheTokenIsGiven()
    {
        var (serve, url) = NasProcess.Serve([.. Darts(Path.Combine(_dir, "run")), "--token", Token]);
        using var _ = serve;
        var page = await browser.PageAsync([]);
        await page.GotoAsync(url);
        await page.WaitForSelectorAsync("#token-form:not([hidden])");

        await page.ClickAsync("button[data-action=pause]");
        await page.WaitForFunctionAsync("() => document.getElementById('message').textContent.startsWith('refused: pause')", null, new() { Timeout = 30_000 });
        Assert.Contains("bearer token (401)", await page.InnerTextAsync("#message"));
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        var status = JsonDocument.Parse(await http.GetStringAsync("status")).RootElement;
        Assert.Equal("running", status.GetProperty("state").GetString());

        await page.FillAsync("#token", Token);
        await page.ClickAsync("#token-form button");
        await StepAbove(page, 0);
        await page.ClickAsync("button[data-action=pause]");
        await page.WaitForFunctionAsync("() => document.getElementById('state').textContent === 'paused'", null, new() { Timeout = 30_000 });
        Assert.Equal("paused", JsonDocument.Parse(await http.GetStringAsync("status")).RootElement.GetProperty("state").GetString());
        Assert.Null(await page.EvaluateAsync<string?>("localStorage.getItem('nas-token')")); // kept for the tab's session only
        await page.ClickAsync("button[data-action=stop]");
        Assert.Equal(0, serve.WaitForExit());
    }
}

/// <summary>Where the page screenshot goes: docs/images/daemon-page.png when NAS_PAGE_SCREENSHOT_DOCS=1 (to refresh the docs), else artifacts/.</summary>
internal static class Screenshot
{
    public static string Path()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(System.IO.Path.Combine(root.FullName, "Nas.sln"))) root = root.Parent;
        var repo = root?.FullName ?? AppContext.BaseDirectory;
        var folder = Environment.GetEnvironmentVariable("NAS_PAGE_SCREENSHOT_DOCS") == "1"
            ? System.IO.Path.Combine(repo, "docs", "images") : System.IO.Path.Combine(repo, "artifacts");
        Directory.CreateDirectory(folder);
        return System.IO.Path.Combine(folder, "daemon-page.png");
    }
}
