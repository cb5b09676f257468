// Structural changes recorded during a system (or a query) and applied to the world later, in recording order.
namespace Nas.World;

/// <summary>An entity a <see cref="CommandBuffer"/> will create at playback; use it to add components to that entity.</summary>
public readonly record struct PendingEntity(int Ordinal);

/// <summary>
/// Records Create/Destroy/Add/Set/Remove and applies them in recording order at <see cref="Playback"/>. A
/// <see cref="Schedule"/> plays each system's buffer back right after that system, so the next system sees the changes.
/// Destroying an entity that is already dead at playback is a no-op (two systems may both decide to drop it);
/// any other command on a dead entity throws <see cref="StaleEntityException"/>. In checked mode, recording is
/// validated against the running system's <see cref="Access"/>.
/// </summary>
public sealed class CommandBuffer
{
    private abstract class Command
    {
        public abstract void Apply(World world, Entity[] created);
    }

    private sealed class CreateCommand(int ordinal) : Command
    {
        public override void Apply(World world, Entity[] created) => created[ordinal] = world.Create();
    }

    private sealed class DestroyCommand(Entity entity) : Command
    {
        public override void Apply(World world, Entity[] created)
        {
            if (world.IsAlive(entity)) world.Destroy(entity);
        }
    }

    private sealed class AddCommand<T>(Entity entity, int pending, T value, bool replace) : Command
    {
        public override void Apply(World world, Entity[] created)
        {
            var target = pending >= 0 ? created[pending] : entity;
            if (replace) world.Set(target, value); else world.Add(target, value);
        }
    }

    private sealed class RemoveCommand<T>(Entity entity) : Command
    {
        public override void Apply(World world, Entity[] created) => world.Remove<T>(entity);
    }

    private readonly List<Command> _commands = new();
    private int _pending;
    private ISystem? _system;

    public int Count => _commands.Count;

    public PendingEntity Create()
    {
        if (_system is { Access.CreatesEntities: false }) throw new UndeclaredAccessException(_system.Name, "created an entity", null);
        var p = new PendingEntity(_pending++);
        _commands.Add(new CreateCommand(p.Ordinal));
        return p;
    }

    public void Destroy(Entity entity)
    {
        if (_system is { Access.DestroysEntities: false }) throw new UndeclaredAccessException(_system.Name, "destroyed an entity", null);
        _commands.Add(new DestroyCommand(entity));
    }

    public void Add<T>(Entity entity, T value) { CheckWrite<T>(); _commands.Add(new AddCommand<T>(entity, -1, value, replace: false)); }

    public void Add<T>(PendingEntity entity, T value) { CheckWrite<T>(); _commands.Add(new AddCommand<T>(default, entity.Ordinal, value, replace: false)); }

    /// <summary>Adds the component, or replaces its value when present at playback.</summary>
    public void Set<T>(Entity entity, T value) { CheckWrite<T>(); _commands.Add(new AddCommand<T>(entity, -1, value, replace: true)); }

    public void Remove<T>(Entity entity) { CheckWrite<T>(); _commands.Add(new RemoveCommand<T>(entity)); }

    /// <summary>Applies every command in order, clears the buffer, and returns the entities created (by pending ordinal).</summary>
    public Entity[] Playback(World world)
    {
        if (_commands.Count == 0) return [];
        var created = _pending == 0 ? [] : new Entity[_pending];
        var commands = _commands.ToArray();
        Clear();
        foreach (var c in commands) c.Apply(world, created);
        return created;
    }

    public void Clear()
    {
        _commands.Clear();
        _pending = 0;
    }

    internal void BindSystem(ISystem? system) => _system = system;

    private void CheckWrite<T>()
    {
        if (_system is not null) World.Validate(_system.Access, _system.Name, typeof(T), write: true);
    }
}
