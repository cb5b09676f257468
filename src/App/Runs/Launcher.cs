// `--nproc N`: the parent of N local ranks. It starts them with torchrun's variables, forwards SIGTERM/SIGINT, and reports which rank failed first.
using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Nas.App.Commands;

namespace Nas.App.Runs;

public static partial class Launcher
{
    /// <summary>
    /// Runs <paramref name="args"/> (this command's own arguments, without --nproc) as ranks 0..n-1 of one world on this
    /// machine (a c10d file store in the temp folder, Gloo on 127.0.0.1) and waits for them. When a rank fails, the others must fail too within the collective timeout (they do: a
    /// dead peer breaks their next collective); any still alive after timeout + 15 s are killed. Returns 0 when every rank
    /// exited 0, else the first failed rank's exit code when it is one of nas's own (2-5), else 1.
    /// </summary>
    public static int Run(IReadOnlyList<string> args, WorldSpec spec, string who)
    {
        // The ranks meet through a file store (no network server; see WorldSpec.StoreFile) and Gloo on 127.0.0.1.
        var storeFile = Path.Combine(Path.GetTempPath(), $"nas-store-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var ranks = new Process[spec.Nproc];
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; Forward(ranks, 15); });
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; Forward(ranks, 2); });
        try
        {
            for (var r = 0; r < spec.Nproc; r++)
            {
                ranks[r] = Process.Start(StartInfo(args, spec, r, storeFile))!;
                Console.Error.WriteLine($"{who}: rank {r} of {spec.Nproc}: pid {ranks[r].Id}");
            }
            return Watch(ranks, spec, who);
        }
        finally
        {
            foreach (var p in ranks)
            {
                if (p is null) continue;
                if (!p.HasExited) p.Kill();
                p.Dispose();
            }
            File.Delete(storeFile); // the last rank's store usually removed it already
        }
    }

    private static int Watch(Process[] ranks, WorldSpec spec, string who)
    {
        int? first = null;
        var deadline = DateTime.MaxValue;
        while (ranks.Any(p => !p.HasExited))
        {
            if (first is null)
                foreach (var (p, r) in ranks.Select((p, r) => (p, r)))
                    if (p.HasExited && p.ExitCode != 0)
                    {
                        first = r;
                        deadline = DateTime.UtcNow + spec.Timeout + TimeSpan.FromSeconds(15);
                        Console.Error.WriteLine($"{who}: rank {r} {Describe(p.ExitCode)}; waiting for the other ranks to stop");
                        break;
                    }
            if (DateTime.UtcNow > deadline)
            {
                foreach (var (p, r) in ranks.Select((p, r) => (p, r)).Where(x => !x.p.HasExited))
                {
                    Console.Error.WriteLine($"{who}: rank {r} had not stopped {spec.Timeout.TotalSeconds:0.#} s after rank {first} failed: killed");
                    p.Kill();
                }
                break;
            }
            Thread.Sleep(50);
        }
        foreach (var p in ranks) p.WaitForExit();
        first ??= ranks.Select((p, r) => (p, r)).Where(x => x.p.ExitCode != 0).Select(x => (int?)x.r).FirstOrDefault();
        if (first is not { } f) return 0;
        var others = ranks.Select((p, r) => (p, r)).Where(x => x.r != f && x.p.ExitCode != 0).Select(x => $"rank {x.r} {Describe(x.p.ExitCode)}").ToList();
        Console.Error.WriteLine($"{who}: the run failed: rank {f} {Describe(ranks[f].ExitCode)} first" +
            (others.Count > 0 ? $"; then {string.Join(", ", others)}" : ""));
        var code = ranks[f].ExitCode;
        return code is >= 2 and <= 5 ? code : ExitCodes.Failed;
    }

    private static string Describe(int code) => code > 128 && code < 160 ? $"was killed by signal {code - 128}" : $"exited with code {code}";

    private static ProcessStartInfo StartInfo(IReadOnlyList<string> args, WorldSpec spec, int rank, string storeFile)
    {
        // The same program: `dotnet nas.dll ARGS` when run through the dotnet host, else the apphost itself.
        var host = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(host) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") start.ArgumentList.Add(typeof(Launcher).Assembly.Location);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["WORLD_SIZE"] = $"{spec.Nproc}";
        start.Environment["RANK"] = $"{rank}";
        start.Environment["LOCAL_RANK"] = $"{rank}";
        start.Environment[WorldSpec.StoreFileVariable] = storeFile;
        start.Environment.Remove("MASTER_ADDR");
        start.Environment.Remove("MASTER_PORT");
        return start;
    }

    /// <summary>The command line of this invocation without --nproc N, and with <paramref name="extra"/> appended.</summary>
    public static List<string> ArgsWithout(ParseResult r, string flag, params string[] extra)
    {
        var tokens = r.Tokens.Select(t => t.Value).ToList();
        var args = new List<string>();
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i] == flag) { i++; continue; }
            if (tokens[i].StartsWith(flag + "=", StringComparison.Ordinal)) continue;
            args.Add(tokens[i]);
        }
        args.AddRange(extra);
        return args;
    }

    private static void Forward(Process[] ranks, int signal)
    {
        foreach (var p in ranks)
            if (p is not null && !p.HasExited) Kill(p.Id, signal);
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
