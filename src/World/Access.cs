// What a system declares it reads and writes, and the checked mode that holds it to that declaration.
using System.Runtime.CompilerServices;

namespace Nas.World;

/// <summary>
/// The component and resource types a system reads and writes, and whether it creates or destroys entities.
/// Write implies read. What counts as what: <see cref="World.Get{T}"/>, <see cref="World.Set{T}"/>, Add, Remove,
/// <see cref="World.Resource{T}"/> and a query's <c>ref</c> callbacks are writes; <see cref="World.Read{T}"/>, Has,
/// TryGet, TryResource, <see cref="World.ReadResource{T}"/>, a query's ForEachReadOnly (<c>in</c>) callbacks and entity enumeration are reads.
/// </summary>
public sealed class Access
{
    private readonly HashSet<Type> _reads = new();
    private readonly HashSet<Type> _writes = new();

    public static Access None => new();

    public bool CreatesEntities { get; private set; }
    public bool DestroysEntities { get; private set; }
    public IReadOnlyCollection<Type> Reads => _reads;
    public IReadOnlyCollection<Type> Writes => _writes;

    public Access Read<T>() { _reads.Add(typeof(T)); return this; }
    public Access Write<T>() { _writes.Add(typeof(T)); return this; }
    public Access Creates() { CreatesEntities = true; return this; }
    public Access Destroys() { DestroysEntities = true; return this; }

    public bool CanRead(Type type) => _reads.Contains(type) || _writes.Contains(type);
    public bool CanWrite(Type type) => _writes.Contains(type);

    public override string ToString() =>
        $"reads [{string.Join(", ", _reads.Select(t => t.Name))}] writes [{string.Join(", ", _writes.Select(t => t.Name))}]" +
        (CreatesEntities ? " creates" : "") + (DestroysEntities ? " destroys" : "");
}

/// <summary>A system touched a type (or created/destroyed entities) outside its <see cref="Access"/> declaration.</summary>
public sealed class UndeclaredAccessException(string system, string what, Type? type)
    : InvalidOperationException($"system '{system}' {what} without declaring it in its Access")
{
    public string System { get; } = system;
    public Type? Type { get; } = type;
}

public sealed partial class World
{
    private Access? _active;
    private string _activeName = "";

    /// <summary>
    /// Checked mode: while a system runs (through <see cref="RunSystem"/> or a <see cref="Schedule"/>), every world
    /// access is validated against the system's <see cref="Access"/>. Off by default; tests turn it on. Off, it costs
    /// one null test per access.
    /// </summary>
    public bool CheckAccesses { get; set; }

    /// <summary>Runs one system (checked when <see cref="CheckAccesses"/> is on), then applies its command buffer.</summary>
    public void RunSystem(ISystem system, in SystemContext context)
    {
        if (CheckAccesses) { _active = system.Access; _activeName = system.Name; }
        context.Commands.BindSystem(CheckAccesses ? system : null);
        try { system.Run(this, context); }
        catch { context.Commands.Clear(); throw; }
        finally { _active = null; context.Commands.BindSystem(null); }
        context.Commands.Playback(this);
    }

    /// <summary>Runs one system once at step 0 with a fresh command buffer; for tests and tools.</summary>
    public void RunSystem(ISystem system, long step = 0) =>
        RunSystem(system, new SystemContext(step, "", new CommandBuffer()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CheckAccess(Type type, bool write)
    {
        if (_active is not null) Validate(_active, _activeName, type, write);
    }

    internal static void Validate(Access access, string system, Type type, bool write)
    {
        if (write ? access.CanWrite(type) : access.CanRead(type)) return;
        throw new UndeclaredAccessException(system, $"{(write ? "wrote" : "read")} {type.Name}", type);
    }

    private void CheckEntityAccess(bool create)
    {
        if (_active is null || (create ? _active.CreatesEntities : _active.DestroysEntities)) return;
        throw new UndeclaredAccessException(_activeName, create ? "created an entity" : "destroyed an entity", null);
    }
}
