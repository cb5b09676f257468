// The daemon's page endpoints: GET / is the page (open: it holds no data), GET /page/data needs the token as /status does.
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Nas.App.Serve;
using Nas.App.Tests.Serve;

namespace Nas.App.Tests.Page;

public sealed class PageEndpointTests
{
    private const string Token = "correct-horse-battery-staple";

    [Fact]
    public async Task ThePageIsServedWithoutTheTokenButItsDataIsNot()
    {
        await using var daemon = await RunningDaemon.StartAsync(new DaemonOptions { Token = Token });
        var page = await daemon.Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("window.NAS_DATA = null;", html);
        Assert.DoesNotContain("/*JS*/", html); // the script was inlined
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", "")); // nothing loaded from the network

        Assert.Equal(HttpStatusCode.Unauthorized, (await daemon.Http.GetAsync("/page/data")).StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/page/data");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var data = await daemon.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, data.StatusCode);
        var doc = JsonDocument.Parse(await data.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("live", doc.GetProperty("mode").GetString());
        Assert.True(doc.GetProperty("token_required").GetBoolean());
        Assert.Equal("fake", doc.GetProperty("status").GetProperty("method").GetString());
    }

    [Fact]
    public async Task TheCellPicturesAreSentOnlyWhenThePageDoesNotHaveThemYet()
    {
        await using var daemon = await RunningDaemon.StartAsync();
        var first = JsonDocument.Parse(await daemon.Http.GetStringAsync("/page/data")).RootElement;
        var cells = first.GetProperty("cells");
        Assert.Equal(JsonValueKind.Object, cells.ValueKind);
        var key = cells.GetProperty("key").GetString();
        Assert.Equal(16, key!.Length);
        var again = JsonDocument.Parse(await daemon.Http.GetStringAsync($"/page/data?cells={key}")).RootElement;
        Assert.Equal(JsonValueKind.Null, again.GetProperty("cells").ValueKind);
    }
}
