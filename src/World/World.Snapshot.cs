// What snapshots need from the world: enumerate entities and components, and rebuild them with the same ids and order.
namespace Nas.World;

/// <summary>One component of one entity, boxed, with its stable type entry.</summary>
public readonly record struct ComponentValue(StableType Type, object Value);

/// <summary>
/// The entity allocator: the generation of every slot ever used, the free slots in the order Create will reuse them
/// (last is next), and the next creation sequence. Saving it lets a loaded world hand out the same ids as the original.
/// </summary>
public sealed record EntityAllocatorState(int[] Generations, int[] FreeStack, long NextSequence);

public sealed partial class World
{
    /// <summary>Every live entity, in creation (sequence) order.</summary>
    public IReadOnlyList<Entity> Entities()
    {
        var list = new List<(long Seq, int Index)>(_alive);
        for (var i = 0; i < _slots; i++)
            if (_sequences[i] >= 0) list.Add((_sequences[i], i));
        list.Sort((a, b) => a.Seq.CompareTo(b.Seq));
        return list.Select(x => new Entity(x.Index, _generations[x.Index])).ToList();
    }

    /// <summary>The component types some live entity has, in the order their pools were made.</summary>
    public IReadOnlyList<Type> ComponentTypes() => _poolList.Where(p => p.Count > 0).Select(p => p.Type).ToList();

    /// <summary>The entity's components, boxed, ordered by stable name (unnamed types last, by CLR full name).</summary>
    public IReadOnlyList<ComponentValue> ComponentsOf(Entity entity)
    {
        EnsureAlive(entity);
        var list = new List<ComponentValue>();
        foreach (var pool in _poolList)
            if (pool.Has(entity.Index)) list.Add(new ComponentValue(Types.Of(pool.Type), pool.GetBoxed(entity.Index)));
        list.Sort((a, b) => (a.Type.Name is null, b.Type.Name is null) switch
        {
            (false, true) => -1,
            (true, false) => 1,
            _ => string.CompareOrdinal(a.Type.Name ?? a.Type.Type.FullName, b.Type.Name ?? b.Type.Type.FullName),
        });
        return list;
    }

    /// <summary>Adds a component given boxed; its runtime type is the component type.</summary>
    public void AddBoxed(Entity entity, object component)
    {
        ArgumentNullException.ThrowIfNull(component);
        GuardStructural("AddBoxed", component.GetType());
        CheckAccess(component.GetType(), write: true);
        EnsureAlive(entity);
        var pool = PoolOf(component.GetType()) ?? CreatePool(component.GetType());
        if (pool.Has(entity.Index)) throw new InvalidOperationException($"{entity} already has a {component.GetType().Name}");
        pool.AddBoxed(entity.Index, _sequences[entity.Index], component);
    }

    /// <summary>
    /// Recreates an entity with exactly this handle (slot and generation) and sequence, then adds the components.
    /// Restore entities in sequence order (the order of <see cref="Entities"/>): each sequence must be at least
    /// <see cref="NextSequence"/>. Afterwards call <see cref="RestoreAllocator"/> so later creates reuse the same ids.
    /// </summary>
    public Entity Restore(Entity handle, long sequence, IEnumerable<object> components)
    {
        GuardStructural("Restore");
        if (handle.IsNull || handle.Index < 0) throw new ArgumentException($"cannot restore {handle}", nameof(handle));
        if (sequence < _nextSequence)
            throw new ArgumentException($"sequence {sequence} is below the next sequence {_nextSequence}; restore in sequence order", nameof(sequence));
        while (_slots <= handle.Index)
        {
            var i = GrowSlot();
            if (i != handle.Index) PushFree(i);
        }
        if (_sequences[handle.Index] >= 0) throw new InvalidOperationException($"slot {handle.Index} is already alive");
        var at = Array.IndexOf(_free, handle.Index, 0, _freeCount);
        if (at >= 0) { Array.Copy(_free, at + 1, _free, at, _freeCount - at - 1); _freeCount--; }
        _generations[handle.Index] = handle.Generation;
        _sequences[handle.Index] = sequence;
        _alive++;
        _nextSequence = sequence + 1;
        foreach (var c in components) AddBoxed(handle, c);
        return handle;
    }

    public EntityAllocatorState CaptureAllocator() =>
        new(_generations.AsSpan(0, _slots).ToArray(), _free.AsSpan(0, _freeCount).ToArray(), _nextSequence);

    /// <summary>Sets generations of free slots, the free stack and the next sequence; live slots must agree with the state.</summary>
    public void RestoreAllocator(EntityAllocatorState state)
    {
        if (state.NextSequence < _nextSequence)
            throw new ArgumentException($"next sequence {state.NextSequence} is below a live entity's sequence", nameof(state));
        while (_slots < state.Generations.Length) GrowSlot();
        for (var i = 0; i < _slots; i++)
        {
            if (i >= state.Generations.Length) throw new ArgumentException($"state has no generation for slot {i}", nameof(state));
            if (_sequences[i] >= 0 && _generations[i] != state.Generations[i])
                throw new ArgumentException($"slot {i} is alive with generation {_generations[i]} but the state says {state.Generations[i]}", nameof(state));
            _generations[i] = state.Generations[i];
        }
        foreach (var i in state.FreeStack)
            if (i < 0 || i >= _slots || _sequences[i] >= 0) throw new ArgumentException($"free slot {i} is out of range or alive", nameof(state));
        if (state.FreeStack.Length + _alive != _slots)
            throw new ArgumentException($"{_slots} slots but {_alive} alive and {state.FreeStack.Length} free", nameof(state));
        _free = state.FreeStack.Length > 0 ? state.FreeStack.ToArray() : new int[64];
        _freeCount = state.FreeStack.Length;
        _nextSequence = state.NextSequence;
    }

    private void PushFree(int index)
    {
        if (_freeCount == _free.Length) Array.Resize(ref _free, _free.Length * 2);
        _free[_freeCount++] = index;
    }

    private IPool CreatePool(Type type)
    {
        var method = typeof(World).GetMethod(nameof(Pool), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        return (IPool)method.MakeGenericMethod(type).Invoke(this, null)!;
    }
}
