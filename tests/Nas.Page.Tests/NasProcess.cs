// Runs the real `nas` app (nas.dll beside the tests) in a child process: stdout read line by line, stderr kept.
using System.Diagnostics;
using System.Text;

namespace Nas.Page.Tests;

internal sealed class NasProcess : IDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    public NasProcess(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["OMP_WAIT_POLICY"] = "passive";
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "nas.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        _process = Process.Start(start)!;
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        _process.BeginErrorReadLine();
    }

    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    /// <summary>Reads stdout lines until one satisfies <paramref name="match"/>; fails when the process ends first.</summary>
    public string WaitForLine(Func<string, bool> match)
    {
        while (true)
        {
            var read = _process.StandardOutput.ReadLineAsync();
            if (!read.Wait(Patience)) throw new TimeoutException($"no matching line within {Patience}; stderr:\n{Stderr}");
            var line = read.Result ?? throw new InvalidOperationException($"nas ended before the expected line; stderr:\n{Stderr}");
            if (match(line)) return line;
        }
    }

    /// <summary>Starts `nas serve` and returns its address once it listens.</summary>
    public static (NasProcess Process, string Url) Serve(params string[] args)
    {
        var process = new NasProcess(["serve", .. args, "--urls", "http://127.0.0.1:0"]);
        var line = process.WaitForLine(l => l.StartsWith("nas serve: listening on ", StringComparison.Ordinal));
        return (process, line["nas serve: listening on ".Length..].TrimEnd('/') + "/");
    }

    /// <summary>Waits for the exit and returns the exit code (stdout drained).</summary>
    public int WaitForExit()
    {
        var rest = _process.StandardOutput.ReadToEndAsync();
        if (!_process.WaitForExit(Patience)) throw new TimeoutException($"nas did not exit within {Patience}; stderr:\n{Stderr}");
        rest.Wait(Patience);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Runs nas to its end; returns stdout.</summary>
    public static string Run(params string[] args)
    {
        using var p = new NasProcess(args);
        var output = p._process.StandardOutput.ReadToEndAsync();
        if (!p._process.WaitForExit(Patience)) throw new TimeoutException($"nas {string.Join(' ', args)} did not exit within {Patience}");
        p._process.WaitForExit();
        Assert.True(p._process.ExitCode == 0, $"nas {string.Join(' ', args)} exited {p._process.ExitCode}; stderr:\n{p.Stderr}");
        return output.Result;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill();
        _process.Dispose();
    }
}
