// The data-parallel flags of `search`, `resume` and `serve` (docs/distributed.md): --nproc for local ranks, torchrun's conventions for many machines.
using System.CommandLine;
using System.Globalization;
using Nas.App.Config;

namespace Nas.App.Commands;

/// <summary>
/// Where this process stands in a data-parallel run. <see cref="Nproc"/> above 1: this process is the launcher of that many
/// local ranks. <see cref="WorldSize"/> above 1 (and Nproc 1): this process is rank <see cref="Rank"/>, meeting the others
/// through the store at <see cref="MasterAddr"/>:<see cref="MasterPort"/>. Both 1: an ordinary single-process run.
/// </summary>
public sealed record WorldSpec(int Nproc, int WorldSize, int Rank, string MasterAddr, int MasterPort, TimeSpan Timeout, int CheckEvery)
{
    /// <summary>
    /// Local ranks (the --nproc launcher's) meet through a c10d FileStore at this path instead of a TCPStore: libtorch
    /// 1.13's TCPStore server listens on every interface, and local ranks need no network server at all.
    /// </summary>
    public string? StoreFile { get; init; }

    public const string StoreFileVariable = "NAS_STORE_FILE";

    public bool IsLauncher => Nproc > 1;
    public bool IsRank => WorldSize > 1;
    public static readonly WorldSpec Single = new(1, 1, 0, "127.0.0.1", 0, TimeSpan.FromSeconds(120), 0);
}

public sealed class WorldOptions
{
    public const string NprocFlag = "--nproc";

    public readonly Option<int?> Nproc = new(NprocFlag) { Description = "start N local ranks of a data-parallel run (a parent that spawns, watches and reports them)" };
    public readonly Option<int?> WorldSize = new("--world-size") { Description = "ranks in the whole run, on all machines (or $WORLD_SIZE)" };
    public readonly Option<int?> Rank = new("--rank") { Description = "this process's rank, 0..world-size-1 (or $RANK); rank 0 writes the run folder" };
    public readonly Option<string?> Master = new("--master") { Description = "ADDR:PORT of rank 0's store (or $MASTER_ADDR and $MASTER_PORT)" };
    public readonly Option<double?> DistTimeout = new("--dist-timeout") { Description = "seconds a rank waits for the others before failing (default 120)" };
    public readonly Option<int?> CheckEvery = new("--check-every") { Description = "compare the ranks' weights and alpha every K steps (default 50; 0: only at the end)" };

    public IEnumerable<Option> All => [Nproc, WorldSize, Rank, Master, DistTimeout, CheckEvery];

    public void AddTo(Command command)
    {
        foreach (var o in All) command.Options.Add(o);
    }

    /// <summary>The flags and, where a flag is absent, torchrun's environment variables; a <see cref="ConfigException"/> names what is wrong.</summary>
    public WorldSpec Resolve(ParseResult r, Func<string, string?> env)
    {
        var nproc = r.GetValue(Nproc) ?? 1;
        if (nproc < 1) throw new ConfigException($"{NprocFlag} {nproc}: must be at least 1");
        var size = r.GetValue(WorldSize) ?? Int("WORLD_SIZE", env) ?? 1;
        var rank = r.GetValue(Rank) ?? Int("RANK", env) ?? 0;
        var timeout = r.GetValue(DistTimeout) ?? 120;
        if (!(timeout > 0)) throw new ConfigException($"--dist-timeout {timeout}: must be a positive number of seconds");
        var check = r.GetValue(CheckEvery) ?? 50;
        if (check < 0) throw new ConfigException($"--check-every {check}: must be 0 (only at the end) or positive");
        var (addr, port) = MasterOf(r.GetValue(Master), env);
        if (nproc > 1)
        {
            if (r.GetValue(WorldSize) is not null || r.GetValue(Rank) is not null || r.GetValue(Master) is not null)
                throw new ConfigException($"{NprocFlag} starts its own local ranks: leave out --world-size, --rank and --master");
            return new WorldSpec(nproc, nproc, 0, "127.0.0.1", 0, TimeSpan.FromSeconds(timeout), check);
        }
        if (size < 1) throw new ConfigException($"world size {size}: must be at least 1");
        if (rank < 0 || rank >= size) throw new ConfigException($"rank {rank}: must be in 0..{size - 1} for a world of {size}");
        var file = env(WorldSpec.StoreFileVariable);
        if (size > 1 && port == 0 && file is null) throw new ConfigException($"a world of {size} ranks needs rank 0's store: --master ADDR:PORT or $MASTER_ADDR and $MASTER_PORT");
        return new WorldSpec(1, size, rank, addr, port, TimeSpan.FromSeconds(timeout), check) { StoreFile = file };
    }

    private static (string Addr, int Port) MasterOf(string? flag, Func<string, string?> env)
    {
        string addr;
        string? portText;
        if (flag is not null)
        {
            var colon = flag.LastIndexOf(':');
            if (colon <= 0) throw new ConfigException($"--master {flag}: expected ADDR:PORT");
            (addr, portText) = (flag[..colon], flag[(colon + 1)..]);
        }
        else (addr, portText) = (env("MASTER_ADDR") ?? "127.0.0.1", env("MASTER_PORT"));
        if (portText is null) return (addr, 0);
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            throw new ConfigException($"master port '{portText}': must be 1..65535");
        return (addr, port);
    }

    private static int? Int(string name, Func<string, string?> env)
    {
        if (env(name) is not { } text) return null;
        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v
            : throw new ConfigException($"${name}='{text}': must be an integer");
    }
}
