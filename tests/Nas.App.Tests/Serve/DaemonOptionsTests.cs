// Validation of the daemon's options: each message names the option and its value.
using Microsoft.Extensions.Options;
using Nas.App.Serve;

namespace Nas.App.Tests.Serve;

public sealed class DaemonOptionsTests
{
    private static IRunLoop NoRun(IServiceProvider _) => throw new InvalidOperationException("must not be created");

    [Fact]
    public void ANonLoopbackAddressWithoutATokenIsRefusedAtStartNamingTheOption()
    {
        var options = new DaemonOptions { Urls = "http://0.0.0.0:9464" };
        var e = Assert.Throws<OptionsValidationException>(() => DaemonHost.Create(options, NoRun, _ => { }));
        var failure = Assert.Single(e.Failures);
        Assert.Contains("Urls (--urls) = 'http://0.0.0.0:9464'", failure);
        Assert.Contains("NAS_TOKEN", failure);
    }

    [Theory]
    [InlineData("http://127.0.0.1:9464")]
    [InlineData("http://127.0.0.2:0")]
    [InlineData("http://[::1]:9464")]
    [InlineData("http://localhost:9464")]
    public void LoopbackAddressesNeedNoToken(string urls)
    {
        Assert.Empty(new DaemonOptions { Urls = urls }.Validate());
        Assert.True(new DaemonOptions { Urls = urls }.BindsOnlyLoopback);
    }

    [Theory]
    [InlineData("http://0.0.0.0:9464")]
    [InlineData("http://*:9464")]
    [InlineData("http://+:9464")]
    [InlineData("http://[::]:9464")]
    [InlineData("http://192.168.1.5:9464")]
    [InlineData("http://127.0.0.1:9464;http://10.0.0.1:9464")]
    public void AnyNonLoopbackAddressNeedsAToken(string urls)
    {
        Assert.NotEmpty(new DaemonOptions { Urls = urls }.Validate());
        Assert.Empty(new DaemonOptions { Urls = urls, Token = "0123456789abcdef" }.Validate());
    }

    [Theory]
    [InlineData("https://127.0.0.1:9464", "only http")]
    [InlineData("http://localhost:0", "port 0")]
    [InlineData("not a url", "not a url")]
    [InlineData(" ; ", "at least one address")]
    public void BadAddressesAreNamedWithTheirValue(string urls, string expected)
    {
        var failure = Assert.Single(new DaemonOptions { Urls = urls }.Validate());
        Assert.StartsWith("Urls (--urls) = '", failure);
        Assert.Contains(expected, failure);
    }

    [Fact]
    public void NegativeSnapshotIntervalsAreNamedWithTheirValue()
    {
        var failures = new DaemonOptions { SnapshotEverySteps = -1, SnapshotEveryMinutes = double.NaN }.Validate();
        Assert.Contains("SnapshotEverySteps (--snapshot-every) = -1: must be 0 (off) or positive.", failures);
        Assert.Contains(failures, f => f.StartsWith("SnapshotEveryMinutes (--snapshot-every-minutes) = NaN", StringComparison.Ordinal));
    }

    [Fact]
    public void AShortTokenIsRefusedWithoutPrintingIt()
    {
        var failure = Assert.Single(new DaemonOptions { Token = "hunter2" }.Validate());
        Assert.Contains("7 characters", failure);
        Assert.DoesNotContain("hunter2", failure);
    }

    [Fact]
    public void TheTokenFallsBackToTheEnvironmentVariable()
    {
        string? Env(string name) => name == "NAS_TOKEN" ? "from-environment-0123" : null;
        Assert.Equal("from-environment-0123", new DaemonOptions().WithTokenFrom(Env).Token);
        Assert.Equal("from-the-option-01234", new DaemonOptions { Token = "from-the-option-01234" }.WithTokenFrom(Env).Token);
        Assert.Null(new DaemonOptions().WithTokenFrom(_ => "").Token);
    }
}
