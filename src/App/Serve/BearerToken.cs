// Checks `Authorization: Bearer <token>` in constant time.
using System.Security.Cryptography;
using System.Text;

namespace Nas.App.Serve;

/// <summary>The daemon's token, kept only as its SHA-256. Comparing hashes with
/// <see cref="CryptographicOperations.FixedTimeEquals"/> takes the same time whatever the given
/// token's length or content, so timing reveals nothing about the real one.</summary>
internal sealed class BearerToken(string? token)
{
    private readonly byte[]? _hash = token is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public bool Required => _hash is not null;

    public bool Accepts(string? authorization)
    {
        if (_hash is null) return true;
        const string scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return false;
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(authorization[scheme.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(given, _hash);
    }
}
