// Systems in ordered phases: phases first, then declaration order; a system may run only every N steps.
namespace Nas.World;

/// <summary>A system: one Run method over the world, and a declaration of what it reads and writes.</summary>
public interface ISystem
{
    string Name { get; }
    Access Access { get; }
    void Run(World world, in SystemContext ctx);
}

/// <summary>
/// A condition on the world that gates a scheduled system (e.g. "after the alpha warm-up"), with the text
/// <c>nas info --schedule</c> prints. It is evaluated by the schedule, outside any system's access checks.
/// </summary>
public sealed record Condition(string Text, Func<World, bool> Holds);

/// <summary>What a running system is given besides the world: the step, its phase, and the buffer for structural changes.</summary>
public readonly record struct SystemContext(long Step, string Phase, CommandBuffer Commands);

/// <summary>
/// An ordered list of phases, each holding systems in the order they were added. <see cref="Run"/> executes one step:
/// every system whose condition holds, phase by phase, and applies each system's command buffer right after it.
/// A system added with <c>every: N, offset: k</c> runs on the steps where <c>step % N == k</c>, and, added with
/// <c>when</c>, only where that condition holds.
/// </summary>
public sealed class Schedule
{
    /// <summary>The phases of one search step, in order; a default for schedules that need no others.</summary>
    public static readonly IReadOnlyList<string> DefaultPhases =
        ["Feed", "Sample", "Forward", "Backward", "Update", "Maintenance", "Report"];

    public sealed record Entry(ISystem System, string Phase, int Every, int Offset, Condition? When = null)
    {
        public bool RunsAt(long step) => step % Every == Offset;

        public bool RunsAt(World world, long step) => RunsAt(step) && (When is null || When.Holds(world));
    }

    private readonly string[] _phases;
    private readonly List<Entry>[] _entries;
    private readonly CommandBuffer _commands = new();

    public Schedule() : this(DefaultPhases) { }

    public Schedule(IEnumerable<string> phases)
    {
        _phases = phases.ToArray();
        if (_phases.Length == 0) throw new ArgumentException("a schedule needs at least one phase", nameof(phases));
        var dup = _phases.GroupBy(p => p, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new ArgumentException($"phase '{dup.Key}' is listed twice", nameof(phases));
        _entries = _phases.Select(_ => new List<Entry>()).ToArray();
    }

    public IReadOnlyList<string> Phases => _phases;

    /// <summary>Every entry in execution order (phase order, then declaration order).</summary>
    public IEnumerable<Entry> Entries => _entries.SelectMany(e => e);

    public Schedule Add(ISystem system, string phase, int every = 1, int offset = 0, Condition? when = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        var i = Array.IndexOf(_phases, phase);
        if (i < 0) throw new ArgumentException($"unknown phase '{phase}'; phases are {string.Join(", ", _phases)}", nameof(phase));
        if (every < 1) throw new ArgumentOutOfRangeException(nameof(every), every, "every must be at least 1");
        if (offset < 0 || offset >= every) throw new ArgumentOutOfRangeException(nameof(offset), offset, $"offset must be in [0, {every})");
        _entries[i].Add(new Entry(system, phase, every, offset, when));
        return this;
    }

    /// <summary>Runs one step.</summary>
    public void Run(World world, long step)
    {
        for (var p = 0; p < _phases.Length; p++)
            foreach (var entry in _entries[p])
                if (entry.RunsAt(world, step))
                    world.RunSystem(entry.System, new SystemContext(step, _phases[p], _commands));
    }
}
