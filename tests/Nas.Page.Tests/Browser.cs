// One headless Debian Chromium for the page tests, driven by Playwright (its own browser download is not reachable here).
using Microsoft.Playwright;

namespace Nas.Page.Tests;

public sealed class Browser : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Instance => _browser ?? throw new InvalidOperationException("the browser is not started");

    public async Task InitializeAsync()
    {
        if (!File.Exists(Chromium))
            throw new InvalidOperationException($"{Chromium} is missing: the page tests need Debian's chromium (scripts/setup.sh installs it)");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            // Chromium refuses to run as root with its sandbox on; the tests run as root in CI.
            Args = Environment.UserName == "root" ? ["--no-sandbox"] : [],
        });
    }

    /// <summary>A new page whose console errors and uncaught exceptions are collected into <paramref name="errors"/>.</summary>
    public async Task<IPage> PageAsync(List<string> errors, BrowserNewContextOptions? options = null)
    {
        var context = await Instance.NewContextAsync(options ?? new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        page.Console += (_, m) => { if (m.Type == "error") lock (errors) errors.Add($"console: {m.Text}"); };
        page.PageError += (_, e) => { lock (errors) errors.Add($"page error: {e}"); };
        return page;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
    }
}

[CollectionDefinition("browser")]
public sealed class BrowserCollection : ICollectionFixture<Browser>;
