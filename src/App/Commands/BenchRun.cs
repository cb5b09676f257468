// One benchmarked search session: its steps timed through the real schedule (systems wrapped in timers), peak memory, profile.
using Nas.Components;
using System.Diagnostics;
using Nas.Systems.Data;
using Nas.Systems.Methods;
using Nas.Systems.Search;
using Nas.Systems.Spaces.Darts;
using Nas.World;

namespace Nas.App.Commands;

internal sealed class BenchRun : IDisposable
{
    private readonly ISearchSession _session;
    private readonly Schedule? _schedule; // the session's schedule rebuilt with timed systems; null when the session hides it
    private readonly TimedSystem[] _systems;
    private readonly List<double> _steps = [];
    private readonly List<double> _feeds = [];
    private readonly List<double> _cpu = [];
    private readonly double[] _systemSeconds;
    private double _overheadSeconds;
    private bool _profileReset;

    public ForwardMode Mode { get; }
    public ForwardProfile? Profile { get; }
    public double PeakRssMb { get; private set; }

    private BenchRun(ISearchSession session, ForwardMode mode, bool profiling)
    {
        _session = session;
        Mode = mode;
        if (((session as SearchSession)?.Schedule ?? (session as OneShotSession)?.Schedule) is { } sessionSchedule)
        {
            var schedule = new Schedule(sessionSchedule.Phases);
            var systems = new List<TimedSystem>();
            foreach (var e in sessionSchedule.Entries)
            {
                var timed = new TimedSystem(e.System);
                systems.Add(timed);
                schedule.Add(timed, e.Phase, e.Every, e.Offset, e.When);
            }
            _schedule = schedule;
            _systems = systems.ToArray();
        }
        else
        {
            _systems = [];
        }
        _systemSeconds = new double[_systems.Length];
        if (profiling)
        {
            Profile = new ForwardProfile();
            session.World.SetResource(Profile);
        }
    }

    public static BenchRun Start(SearchConfig config, Dataset data, bool profiling) =>
        new(Sessions.Create(config, data), OneShotMethod.IsOneShot(config.Method) ? config.OneShotForward : config.Forward, profiling);

    /// <summary>One search step; a timed one records its time without batch feeding, and the step's peak RSS.</summary>
    public void Step(bool timed)
    {
        if (timed && !_profileReset) { Profile?.Reset(); _profileReset = true; }
        if (timed) ResetPeakRss();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var t = Stopwatch.GetTimestamp();
        if (_schedule is not null) _schedule.Run(_session.World, _session.Clock.Step);
        else _session.Step();
        var wall = Stopwatch.GetElapsedTime(t).TotalSeconds;
        if (!timed) return;
        _cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
        double feed = 0, inside = 0;
        for (var i = 0; i < _systems.Length; i++)
        {
            var sec = (double)_systems[i].LastTicks / Stopwatch.Frequency;
            _systemSeconds[i] += sec;
            inside += sec;
            if (_systems[i].Inner is FeedBatchesSystem or Nas.Systems.OneShot.Systems.FeedTrainBatchSystem) feed += sec;
        }
        if (_systems.Length > 0) _overheadSeconds += wall - inside;
        _steps.Add(wall - feed);
        _feeds.Add(feed);
        PeakRssMb = Math.Max(PeakRssMb, PeakRss());
    }

    public int Count => _steps.Count;
    public double Median => MedianOf(_steps);
    public double Min => _steps.Count == 0 ? double.NaN : _steps.Min();
    public double FeedMedian => MedianOf(_feeds);
    /// <summary>CPU seconds (user + system, all threads) per step: less sensitive than wall time to other jobs on the machine.</summary>
    public double CpuMedian => MedianOf(_cpu);
    public double MeanStep => _steps.Count == 0 ? double.NaN : _steps.Average();

    /// <summary>Seconds per timed step spent inside each system's Run (feeding included), and in the schedule around them.</summary>
    public IEnumerable<(string System, double Seconds)> SystemSeconds => _systems.Select((s, i) => (s.Name, _systemSeconds[i] / Math.Max(1, Count)));
    public double ScheduleOverheadSeconds => _overheadSeconds / Math.Max(1, Count);
    public bool SystemsTimed => _systems.Length > 0;

    private static double MedianOf(List<double> xs)
    {
        if (xs.Count == 0) return double.NaN;
        var sorted = xs.OrderBy(x => x).ToArray();
        var n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /// <summary>Writing 5 to clear_refs resets VmHWM to the current RSS (Linux 4.0+), so the next read is this step's peak.</summary>
    private static void ResetPeakRss()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* then the peak is the process's since start */ }
    }

    /// <summary>VmHWM from /proc/self/status, in MB (0 where there is no procfs).</summary>
    public static double PeakRss()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return double.Parse(line[6..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / 1024;
        }
        catch (IOException) { }
        return 0;
    }

    public void Dispose() => _session.Dispose();
}
