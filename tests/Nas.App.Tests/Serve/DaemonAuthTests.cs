// Bearer-token protection of /status and the control endpoints.
using System.Net;
using Nas.App.Serve;

namespace Nas.App.Tests.Serve;

public sealed class DaemonAuthTests
{
    private const string Token = "correct-horse-battery-staple";

    [Fact]
    public async Task ControlWithoutTheBearerTokenIsRefusedWith401()
    {
        await using var daemon = await RunningDaemon.StartAsync(new DaemonOptions { Token = Token });
        var response = await daemon.PostAsync("/pause");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(HttpStatusCode.Unauthorized, (await daemon.PostAsync("/stop", "wrong-token-wrong-token")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await daemon.Http.GetAsync("/status")).StatusCode);
        Assert.Equal(RunPhase.Running, daemon.Host.View.Phase);
    }

    [Fact]
    public async Task ControlWithTheRightBearerTokenIsServed()
    {
        await using var daemon = await RunningDaemon.StartAsync(new DaemonOptions { Token = Token });
        Assert.Equal(HttpStatusCode.OK, (await daemon.PostAsync("/pause", Token)).StatusCode);
        Assert.Equal("paused", (await daemon.StatusAsync(Token)).GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.OK, (await daemon.PostAsync("/resume", Token)).StatusCode);
    }

    [Fact]
    public async Task MetricsAndHealthStayOpenWhenATokenIsSet()
    {
        await using var daemon = await RunningDaemon.StartAsync(new DaemonOptions { Token = Token });
        Assert.Equal(HttpStatusCode.OK, (await daemon.Http.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await daemon.Http.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public void TheTokenCheckAcceptsOnlyTheExactTokenAfterTheBearerScheme()
    {
        var token = new BearerToken(Token);
        Assert.True(token.Accepts($"Bearer {Token}"));
        Assert.True(token.Accepts($"bearer {Token}"));
        Assert.False(token.Accepts(null));
        Assert.False(token.Accepts(Token));
        Assert.False(token.Accepts($"Basic {Token}"));
        Assert.False(token.Accepts($"Bearer {Token}x"));
        Assert.False(token.Accepts($"Bearer {Token[..^1]}"));
        Assert.False(token.Accepts("Bearer "));
    }

    [Fact]
    public void WithNoTokenEveryRequestIsAccepted()
    {
        Assert.True(new BearerToken(null).Accepts(null));
    }
}
