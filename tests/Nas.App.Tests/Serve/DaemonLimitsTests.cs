// The daemon under bursts and oversized requests: concurrent snapshot requests for one step coalesce; request bodies are bounded (413).
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Nas.App.Serve;

namespace Nas.App.Tests.Serve;

public sealed class DaemonLimitsTests
{
    [Fact]
    public async Task FiftyConcurrentSnapshotRequestsForOneStepWriteOneFileAndAllNameIt()
    {
        // Paused, the step cannot move between requests, so every request asks for the same step.
        await using var daemon = await RunningDaemon.StartAsync(new DaemonOptions { StartPaused = true });
        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => daemon.PostAsync("/snapshot")));
        var paths = new HashSet<string>();
        foreach (var response in responses)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            paths.Add(doc.RootElement.GetProperty("path").GetString()!);
        }
        Assert.Single(paths);
        Assert.Single(daemon.Loop.Snapshots);
    }

    [Fact]
    public async Task ASnapshotRequestAfterNewStepsWritesAgain()
    {
        await using var daemon = await RunningDaemon.StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await daemon.PostAsync("/snapshot")).StatusCode);
        var first = daemon.Loop.Snapshots.Count;
        var step = await daemon.StepAsync();
        await RunningDaemon.Eventually(async () => await daemon.StepAsync() > step + 1, "more steps");
        Assert.Equal(HttpStatusCode.OK, (await daemon.PostAsync("/snapshot")).StatusCode);
        Assert.True(daemon.Loop.Snapshots.Count > first, "a request after new steps must write a new snapshot");
    }

    [Fact]
    public async Task ABodyDeclaredOverTheLimitIsAnswered413WithoutReadingIt()
    {
        await using var daemon = await RunningDaemon.StartAsync(new DaemonOptions { StartPaused = true });
        var head = $"POST /pause HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {40 * 1024 * 1024}\r\n\r\n";
        var status = await RawAsync(daemon, Encoding.ASCII.GetBytes(head + new string('x', 1024)));
        Assert.StartsWith("HTTP/1.1 413", status);
    }

    [Fact]
    public async Task AChunkedBodyOverTheLimitIsAnswered413()
    {
        await using var daemon = await RunningDaemon.StartAsync(new DaemonOptions { StartPaused = true });
        var request = new StringBuilder("POST /pause HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n");
        var chunk = new string('x', 16 * 1024);
        for (var i = 0; i < 6; i++) request.Append($"{chunk.Length:x}\r\n{chunk}\r\n");
        request.Append("0\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 413", await RawAsync(daemon, Encoding.ASCII.GetBytes(request.ToString())));
    }

    [Fact]
    public async Task ASmallBodyIsAcceptedAndIgnored()
    {
        await using var daemon = await RunningDaemon.StartAsync(new DaemonOptions { StartPaused = true });
        using var content = new StringContent("{\"why\":\"test\"}");
        using var response = await daemon.Http.PostAsync("/resume", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Sends raw bytes and returns the response's status line (read before the whole body is sent, as a client should).</summary>
    private static async Task<string> RawAsync(RunningDaemon daemon, byte[] request)
    {
        var address = daemon.Http.BaseAddress!;
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port);
        var stream = tcp.GetStream();
        try { await stream.WriteAsync(request); }
        catch (IOException) { } // the server may close after answering; its answer is still readable
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var read = reader.ReadLineAsync();
        Assert.True(read.Wait(RunningDaemon.Patience), "no response");
        return read.Result ?? "";
    }
}
