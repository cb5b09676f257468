// `nas report` in a real browser with every network request refused: the static page of a finished DARTS run shows the numbers
// of its steps.jsonl; a one-shot (SPOS) run shows its evolution live and, stopped, in its report.
using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;

namespace Nas.Page.Tests;

[Collection("browser")]
public sealed class ReportPageTests(Browser browser) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nas-report-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Opens a report file with the network cut off; <paramref name="requests"/> gets every URL the page asked for.</summary>
    private async Task<IPage> OpenOffline(string html, List<string> errors, List<string> requests)
    {
        var page = await browser.PageAsync(errors, new() { Offline = true, ViewportSize = new() { Width = 1280, Height = 900 } });
        await page.RouteAsync("**/*", async route =>
        {
            lock (requests) requests.Add(route.Request.Url);
            if (route.Request.Url.StartsWith("file:", StringComparison.Ordinal)) await route.ContinueAsync();
            else await route.AbortAsync();
        });
        await page.GotoAsync(new Uri(html).AbsoluteUri);
        return page;
    }

    private static JsonElement LastLine(string path) => JsonDocument.Parse(File.ReadLines(path).Last()).RootElement;

    [Fact]
    public async Task TheReportOfAFinishedDartsRunOpensOfflineAndShowsTheNumbersOfStepsJsonl()
    {
        var run = Path.Combine(_dir, "run");
        NasProcess.Run(["search", .. LivePageTests.Darts(run)[..^4], "--epochs", "3", "--out", run]);
        var html = Path.Combine(_dir, "report.html");
        Assert.Equal(html, NasProcess.Run("report", run, "--out", html).Trim());

        var errors = new List<string>();
        var requests = new List<string>();
        var page = await OpenOffline(html, errors, requests);
        var last = LastLine(Path.Combine(run, "steps.jsonl"));
        var inv = CultureInfo.InvariantCulture;
        Assert.Equal(last.GetProperty("step").GetInt64().ToString(inv), await page.InnerTextAsync("#step"));
        Assert.Equal(last.GetProperty("train_loss").GetDouble().ToString("F4", inv), await page.InnerTextAsync("#train-loss"));
        Assert.Equal(last.GetProperty("val_loss").GetDouble().ToString("F4", inv), await page.InnerTextAsync("#val-loss"));
        Assert.Equal("finished", await page.InnerTextAsync("#state"));
        Assert.Equal(14 * 8, await page.Locator("svg.heatmap[data-cell=normal] rect.w").CountAsync());
        Assert.Equal(File.ReadAllText(Path.Combine(run, "genotype.txt")).Trim(), await page.InnerTextAsync("#genotype-text"));
        Assert.Equal(2, await page.Locator("#cells svg").CountAsync());
        Assert.Equal(3, int.Parse(await page.EvaluateAsync<string>("document.getElementById('arch-epoch').max"), inv)); // 3 epochs and now
        await page.HoverAsync("#chart-loss circle >> nth=0"); // hover values: the first train loss point
        Assert.True(await page.IsVisibleAsync("#tooltip"));
        var first = JsonDocument.Parse(File.ReadLines(Path.Combine(run, "steps.jsonl")).First()).RootElement;
        var tip = await page.InnerTextAsync("#tooltip");
        Assert.StartsWith("train @ step 1: ", tip);
        var expected = first.GetProperty("train_loss").GetDouble();
        Assert.True(Math.Abs(double.Parse(tip["train @ step 1: ".Length..], inv) - expected) <= 1e-4 * expected, $"{tip} vs {expected}"); // 5 significant digits
        await page.EvalOnSelectorAsync("#arch-epoch", "s => { s.value = 0; s.dispatchEvent(new Event('input')); }"); // back to epoch 1
        Assert.Equal("end of epoch 1", await page.InnerTextAsync("#arch-epoch-label"));
        Assert.Equal(14 * 8, await page.Locator("svg.heatmap[data-cell=reduction] rect.w").CountAsync());
        Assert.All(requests, r => Assert.StartsWith("file:", r));
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task AOneShotRunShowsItsEvolutionLiveAndInTheReportOfTheStoppedRun()
    {
        var config = Path.Combine(_dir, "spos.yaml");
        File.WriteAllText(config, "epochs: 1\ntrain_portion: 0.5\npopulation: 4\ngenerations: 100000\nrecalibration_batches: 1\neval_batches: 1\n");
        var run = Path.Combine(_dir, "spos");
        var (serve, url) = NasProcess.Serve("--method", "spos", "--dataset", "synthetic:1x8x8:64", "--layers", "3", "--channels", "4",
            "--batch", "8", "--threads", "1", "--seed", "5", "--config", config, "--out", run);
        using (serve)
        {
            var errors = new List<string>();
            var page = await browser.PageAsync(errors);
            await page.GotoAsync(url);
            await page.WaitForFunctionAsync("() => document.getElementById('phase').textContent.startsWith('evolution, generation')", null, new() { Timeout = 60_000 });
            await page.WaitForSelectorAsync("#chart-fitness circle, #chart-fitness path");
            Assert.Equal(4, await page.Locator("#chart-flops circle").CountAsync()); // one dot per member of the population
            Assert.True(await page.IsHiddenAsync("#architecture"), "a one-shot run has no architecture weights to show");
            Assert.True(errors.Count == 0, string.Join("\n", errors)); // checked before the daemon exits: a poll may then fail
            await page.ClickAsync("button[data-action=stop]");
            Assert.Equal(0, serve.WaitForExit());
        }
        var html = Path.Combine(_dir, "spos.html");
        NasProcess.Run("report", run, "--out", html);
        var reportErrors = new List<string>();
        var report = await OpenOffline(html, reportErrors, []);
        Assert.Equal("stopped", await report.InnerTextAsync("#state"));
        Assert.StartsWith("evolution, generation", await report.InnerTextAsync("#phase"));
        Assert.Equal(4, await report.Locator("#chart-flops circle").CountAsync());
        Assert.True(reportErrors.Count == 0, string.Join("\n", reportErrors));
    }
}
