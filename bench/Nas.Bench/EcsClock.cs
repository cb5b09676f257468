// Wall and per-thread CPU time for the ECS benchmarks; CPU time stays honest on a machine shared with other jobs.
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Nas.Bench;

/// <summary>A stopwatch that also reads this thread's CPU time (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>).</summary>
internal static partial class EcsClock
{
    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec { public long Seconds; public long Nanoseconds; }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec value);

    private const int ThreadCpuClock = 3;

    public static double ThreadCpuNanoseconds()
    {
        if (!OperatingSystem.IsLinux() || ClockGetTime(ThreadCpuClock, out var t) != 0) return double.NaN;
        return t.Seconds * 1e9 + t.Nanoseconds;
    }

    /// <summary>Runs <paramref name="body"/> once and returns (wall ns, thread CPU ns).</summary>
    public static (double Wall, double Cpu) Time(Action body)
    {
        var cpu0 = ThreadCpuNanoseconds();
        var sw = Stopwatch.StartNew();
        body();
        var wall = sw.Elapsed.TotalNanoseconds;
        return (wall, ThreadCpuNanoseconds() - cpu0);
    }

    public static double Median(IEnumerable<double> xs) { var a = xs.Order().ToArray(); return a[a.Length / 2]; }
}
