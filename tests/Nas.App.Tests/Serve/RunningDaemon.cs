// One daemon per test on 127.0.0.1, port 0, with a fake loop; disposing stops it and deletes its folder.
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nas.App.Metrics;
using Nas.App.Serve;

namespace Nas.App.Tests.Serve;

internal sealed class RunningDaemon : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private FakeRunLoop? _loop;

    private RunningDaemon(string folder, DaemonHost host, HttpClient http)
    {
        Folder = folder;
        Host = host;
        Http = http;
    }

    public string Folder { get; }
    public DaemonHost Host { get; }
    public HttpClient Http { get; }
    public FakeRunLoop Loop => _loop ?? throw new InvalidOperationException("the loop is not created yet");

    public static async Task<RunningDaemon> StartAsync(DaemonOptions? options = null, long maxSteps = long.MaxValue,
        Action<long>? onStep = null, TimeProvider? time = null, Action<ILoggingBuilder>? logging = null)
    {
        var folder = Directory.CreateTempSubdirectory("nas-serve-test-").FullName;
        RunningDaemon? daemon = null;
        var host = DaemonHost.Create(
            (options ?? new DaemonOptions()) with { Urls = "http://127.0.0.1:0" },
            sp => daemon!._loop = new FakeRunLoop(folder, sp.GetRequiredService<NasMetrics>(), maxSteps) { OnStep = onStep },
            logging ?? (_ => { }),
            time);
        var http = new HttpClient { Timeout = Patience };
        daemon = new RunningDaemon(folder, host, http);
        await host.StartAsync();
        http.BaseAddress = host.Addresses.Single();
        return daemon;
    }

    public async Task<JsonElement> StatusAsync(string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/status");
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    public async Task<string> MetricsAsync() => await Http.GetStringAsync("/metrics");

    /// <summary>The value of an unlabelled sample in an exposition text.</summary>
    public static double Sample(string exposition, string name) =>
        double.Parse(exposition.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal))[(name.Length + 1)..],
            System.Globalization.CultureInfo.InvariantCulture);

    public async Task<long> StepAsync() => (await StatusAsync()).GetProperty("step").GetInt64();

    public async Task<HttpResponseMessage> PostAsync(string path, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await Http.SendAsync(request);
    }

    /// <summary>Polls <paramref name="condition"/> every 10 ms until it holds; fails after <see cref="Patience"/>.</summary>
    public static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for: {what}");
            await Task.Delay(10);
        }
    }

    public static Task Eventually(Func<bool> condition, string what) => Eventually(() => Task.FromResult(condition()), what);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.StopAsync();
        await Host.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }
}
