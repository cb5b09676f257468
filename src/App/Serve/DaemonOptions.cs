// Options of the hosted daemon and their validation (run before anything binds or steps).
using System.Net;
using Microsoft.AspNetCore.Http;

namespace Nas.App.Serve;

/// <summary>Options of <c>nas serve</c>. Validation messages name the option, its flag and its value
/// (never the token's value).</summary>
public sealed record DaemonOptions
{
    public const string TokenVariable = "NAS_TOKEN";
    public const int MinTokenLength = 16;

    /// <summary>Kestrel addresses, ';'-separated, http only (put TLS in a reverse proxy).
    /// Port 0 picks a free port (not with "localhost").</summary>
    public string Urls { get; init; } = "http://127.0.0.1:9464";

    /// <summary>Bearer token for the control endpoints and /status. Required when any address is not
    /// loopback; when set, it is required on loopback too. Falls back to $NAS_TOKEN.</summary>
    public string? Token { get; init; }

    /// <summary>Snapshot whenever the global step is a multiple of this; 0 turns it off.</summary>
    public long SnapshotEverySteps { get; init; }

    /// <summary>Snapshot when this many minutes passed since the last snapshot and steps were done; 0 turns it off.</summary>
    public double SnapshotEveryMinutes { get; init; }

    /// <summary>On stop (SIGTERM, SIGINT, POST /stop) or when the run finishes, snapshot if steps were done since the last one.</summary>
    public bool SnapshotOnStop { get; init; } = true;

    /// <summary>Start with the run paused; POST /resume starts stepping.</summary>
    public bool StartPaused { get; init; }

    /// <summary>How long shutdown waits for the current step and the final snapshot.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>This options with <see cref="Token"/> taken from <see cref="TokenVariable"/> when unset.</summary>
    public DaemonOptions WithTokenFrom(Func<string, string?> environment) =>
        string.IsNullOrEmpty(Token) ? this with { Token = environment(TokenVariable) is { Length: > 0 } t ? t : null } : this;

    /// <summary>Every problem with these options, one message each; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        var addresses = ParseUrls(errors);
        if (Token is not null)
        {
            if (Token.Length < MinTokenLength)
                errors.Add($"Token (--token or {TokenVariable}) is {Token.Length} characters long; use at least {MinTokenLength}.");
            if (Token.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
                errors.Add($"Token (--token or {TokenVariable}) contains whitespace or control characters.");
        }
        else if (addresses.FirstOrDefault(a => !IsLoopback(a.Host)) is { } exposed)
        {
            errors.Add($"Urls (--urls) = '{exposed}': binds a non-loopback address but no token is set; " +
                $"pass --token or set {TokenVariable}, or bind 127.0.0.1.");
        }
        if (SnapshotEverySteps < 0)
            errors.Add($"SnapshotEverySteps (--snapshot-every) = {SnapshotEverySteps}: must be 0 (off) or positive.");
        if (!double.IsFinite(SnapshotEveryMinutes) || SnapshotEveryMinutes < 0)
            errors.Add($"SnapshotEveryMinutes (--snapshot-every-minutes) = {SnapshotEveryMinutes}: must be 0 (off) or a positive number.");
        if (ShutdownTimeout <= TimeSpan.Zero)
            errors.Add($"ShutdownTimeout = {ShutdownTimeout}: must be positive.");
        return errors;
    }

    /// <summary>Whether every address is loopback (127.0.0.0/8, ::1, localhost).</summary>
    public bool BindsOnlyLoopback => ParseUrls([]).All(a => IsLoopback(a.Host));

    private List<BindingAddress> ParseUrls(List<string> errors)
    {
        var addresses = new List<BindingAddress>();
        var parts = Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
            errors.Add($"Urls (--urls) = '{Urls}': give at least one address such as http://127.0.0.1:9464.");
        foreach (var part in parts)
        {
            BindingAddress address;
            try { address = BindingAddress.Parse(part); }
            catch (FormatException) { errors.Add($"Urls (--urls) = '{part}': not an address such as http://127.0.0.1:9464."); continue; }
            if (address.IsUnixPipe || address.IsNamedPipe || address.Scheme != "http" || string.IsNullOrEmpty(address.Host))
                errors.Add($"Urls (--urls) = '{part}': only http://HOST:PORT is served (put TLS in a reverse proxy).");
            else if (address.Port is < 0 or > 65535)
                errors.Add($"Urls (--urls) = '{part}': port {address.Port} is outside 0..65535.");
            else if (address.Port == 0 && address.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
                errors.Add($"Urls (--urls) = '{part}': port 0 needs an IP address (use 127.0.0.1), Kestrel cannot pick a port for localhost.");
            else
                addresses.Add(address);
        }
        return addresses;
    }

    internal static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}
