// Runs the real `nas` app (nas.dll beside the tests) in a child process, reading its stdout line by line and keeping stderr.
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Nas.App.Tests.Snapshots;

internal sealed partial class NasProcess : IDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    public NasProcess(params string[] args) : this(new Dictionary<string, string>(), args) { }

    /// <summary>
    /// libtorch's kernel choice pinned to AVX2, for ATen (<c>ATEN_CPU_CAPABILITY</c>) and oneDNN (<c>ONEDNN_MAX_CPU_ISA</c>,
    /// <c>DNNL_MAX_CPU_ISA</c> its older name): the golden runs and the old-snapshot fixtures were recorded on an AVX2 machine,
    /// and on an AVX-512 one (Zen 4) libtorch picks other kernels whose float rounding differs (pc-darts, bnas-v2-pc and
    /// bnnas++ moved in their last bits). tests/golden/record.sh and ./test set the same; a variable already set wins.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> PinnedIsa = new Dictionary<string, string>
    {
        ["ATEN_CPU_CAPABILITY"] = "avx2", ["ONEDNN_MAX_CPU_ISA"] = "AVX2", ["DNNL_MAX_CPU_ISA"] = "AVX2",
    };

    /// <summary>Starts nas with <paramref name="environment"/> added to this process's environment (and <see cref="PinnedIsa"/> where unset).</summary>
    public NasProcess(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "nas.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in PinnedIsa)
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name))) start.Environment[name] = value;
        foreach (var (name, value) in environment) start.Environment[name] = value;
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        _process = Process.Start(start)!;
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    /// <summary>Reads stdout lines until one satisfies <paramref name="match"/>; fails when the process ends first.</summary>
    public string WaitForLine(Func<string, bool> match)
    {
        while (true)
        {
            var read = _process.StandardOutput.ReadLineAsync();
            if (!read.Wait(Patience)) throw new TimeoutException($"no matching line within {Patience}; stderr:\n{Stderr}");
            var line = read.Result ?? throw new InvalidOperationException($"nas ended (stdout closed) before the expected line; stderr:\n{Stderr}");
            if (match(line)) return line;
        }
    }

    /// <summary>Waits for the exit and returns the exit code (stdout drained).</summary>
    public int WaitForExit() => WaitForExit(Patience);

    /// <summary>Waits up to <paramref name="patience"/> for the exit and returns the exit code (stdout drained).</summary>
    public int WaitForExit(TimeSpan patience)
    {
        var rest = _process.StandardOutput.ReadToEndAsync();
        if (!_process.WaitForExit(patience)) throw new TimeoutException($"nas did not exit within {patience}; stderr:\n{Stderr}");
        rest.Wait(patience);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Kill() => _process.Kill(); // SIGKILL on Unix

    public void Terminate()
    {
        if (Kill(_process.Id, 15) != 0) throw new InvalidOperationException($"kill -TERM {_process.Id} failed");
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill();
        _process.Dispose();
    }
}
