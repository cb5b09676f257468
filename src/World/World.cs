// The world: entity slots, component pools, and the create/destroy/add/remove/get/has API.
using System.Runtime.CompilerServices;

namespace Nas.World;

/// <summary>
/// Entities, their components (one pool per type), resources and tensors. Not thread-safe.
/// Every entity gets a creation sequence number that only grows; queries iterate in that order, so destroying
/// entities and recycling their slots never reorders the survivors.
/// A <c>ref</c> returned by <see cref="Get{T}"/> stays valid until the next structural change (create, destroy,
/// add, remove) or the next query start on that component type.
/// </summary>
public sealed partial class World : IDisposable
{
    private int[] _generations = new int[64];
    private long[] _sequences = new long[64];   // per slot: creation sequence, or -1 when the slot is free
    private int _slots;                          // slots ever used
    private int[] _free = new int[64];           // stack of free slots
    private int _freeCount;
    private int _alive;
    private long _nextSequence;
    private readonly Dictionary<Type, IPool> _pools = new();
    private readonly List<IPool> _poolList = new();
    internal int Iterating;

    public World()
    {
        Tensors = new TensorStore(this);
    }

    /// <summary>Stable names for component and resource types (used by snapshots).</summary>
    public TypeRegistry Types { get; } = new();

    /// <summary>The persistent tensors this world owns, keyed by (owner entity, name).</summary>
    public TensorStore Tensors { get; }

    public int Count => _alive;

    /// <summary>The sequence number the next created entity gets.</summary>
    public long NextSequence => _nextSequence;

    public Entity Create()
    {
        GuardStructural("Create");
        CheckEntityAccess(create: true);
        return CreateWithSequence(_nextSequence++);
    }

    public Entity Create<T1>(in T1 c1)
    {
        var e = Create();
        Add(e, c1);
        return e;
    }

    public Entity Create<T1, T2>(in T1 c1, in T2 c2)
    {
        var e = Create();
        Add(e, c1);
        Add(e, c2);
        return e;
    }

    public Entity Create<T1, T2, T3>(in T1 c1, in T2 c2, in T3 c3)
    {
        var e = Create();
        Add(e, c1);
        Add(e, c2);
        Add(e, c3);
        return e;
    }

    private Entity CreateWithSequence(long sequence)
    {
        var index = _freeCount > 0 ? _free[--_freeCount] : GrowSlot();
        _sequences[index] = sequence;
        _alive++;
        return new Entity(index, _generations[index]);
    }

    /// <summary>Appends a never-used slot (generation 1, free but not on the free stack).</summary>
    private int GrowSlot()
    {
        if (_slots == _generations.Length)
        {
            Array.Resize(ref _generations, _slots * 2);
            Array.Resize(ref _sequences, _slots * 2);
        }
        var index = _slots++;
        _generations[index] = 1;
        _sequences[index] = -1;
        return index;
    }

    /// <summary>Destroys the entity, removes its components and disposes the tensors it owns.</summary>
    public void Destroy(Entity entity)
    {
        GuardStructural("Destroy");
        CheckEntityAccess(create: false);
        EnsureAlive(entity);
        var index = entity.Index;
        foreach (var pool in _poolList)
            if (pool.Has(index)) pool.Remove(index);
        Tensors.ReleaseOwner(entity);
        _sequences[index] = -1;
        var g = _generations[index] + 1;
        _generations[index] = g > 0 ? g : 1; // wrap past int.MaxValue, never to 0 (0 is Null)
        PushFree(index);
        _alive--;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsAlive(Entity entity) =>
        (uint)entity.Index < (uint)_slots && _generations[entity.Index] == entity.Generation && _sequences[entity.Index] >= 0;

    /// <summary>The entity's creation sequence number: unique, only growing, kept by snapshots.</summary>
    public long SequenceOf(Entity entity)
    {
        EnsureAlive(entity);
        return _sequences[entity.Index];
    }

    public void Add<T>(Entity entity, in T component)
    {
        GuardStructural("Add", typeof(T));
        CheckAccess(typeof(T), write: true);
        EnsureAlive(entity);
        var pool = Pool<T>();
        if (pool.Has(entity.Index)) throw new InvalidOperationException($"{entity} already has a {typeof(T).Name}; use Set to replace it");
        pool.Add(entity.Index, _sequences[entity.Index], component);
    }

    /// <summary>Adds the component, or replaces its value when the entity already has one (then not a structural change).</summary>
    public void Set<T>(Entity entity, in T component)
    {
        CheckAccess(typeof(T), write: true);
        EnsureAlive(entity);
        var pool = Pool<T>();
        var pos = pool.PositionOf(entity.Index);
        if (pos >= 0) { pool.Items[pos] = component; return; }
        GuardStructural("Set (adding)", typeof(T));
        pool.Add(entity.Index, _sequences[entity.Index], component);
    }

    public void Remove<T>(Entity entity)
    {
        GuardStructural("Remove", typeof(T));
        CheckAccess(typeof(T), write: true);
        EnsureAlive(entity);
        var pool = Pool<T>();
        if (!pool.Has(entity.Index)) throw new InvalidOperationException($"{entity} has no {typeof(T).Name} to remove");
        pool.Remove(entity.Index);
    }

    /// <summary>A mutable reference to the entity's component (a write access in checked mode).</summary>
    public ref T Get<T>(Entity entity)
    {
        CheckAccess(typeof(T), write: true);
        return ref Locate<T>(entity);
    }

    /// <summary>A read-only reference to the entity's component (a read access in checked mode).</summary>
    public ref readonly T Read<T>(Entity entity)
    {
        CheckAccess(typeof(T), write: false);
        return ref Locate<T>(entity);
    }

    public bool Has<T>(Entity entity)
    {
        CheckAccess(typeof(T), write: false);
        EnsureAlive(entity);
        return _pools.TryGetValue(typeof(T), out var pool) && pool.Has(entity.Index);
    }

    public bool TryGet<T>(Entity entity, out T component)
    {
        CheckAccess(typeof(T), write: false);
        return TryPeek(entity, out component);
    }

    /// <summary>How many entities have a <typeparamref name="T"/>.</summary>
    public int CountOf<T>() => _pools.TryGetValue(typeof(T), out var p) ? p.Count : 0;

    private ref T Locate<T>(Entity entity)
    {
        EnsureAlive(entity);
        if (_pools.TryGetValue(typeof(T), out var p))
        {
            var pool = (Pool<T>)p;
            var pos = pool.PositionOf(entity.Index);
            if (pos >= 0) return ref pool.Items[pos];
        }
        throw new KeyNotFoundException($"{entity} has no {typeof(T).Name}");
    }

    internal Pool<T> Pool<T>()
    {
        if (_pools.TryGetValue(typeof(T), out var p)) return (Pool<T>)p;
        var pool = new Pool<T>();
        _pools.Add(typeof(T), pool);
        _poolList.Add(pool);
        return pool;
    }

    internal IPool? PoolOf(Type type) => _pools.GetValueOrDefault(type);

    internal Entity EntityAt(int index) => new(index, _generations[index]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EnsureAlive(Entity entity)
    {
        if (!IsAlive(entity)) throw new StaleEntityException(entity);
    }

    private void GuardStructural(string operation, Type? type = null)
    {
        if (Iterating > 0)
            throw new InvalidOperationException(
                $"{operation}{(type is null ? "" : "<" + type.Name + ">")} is a structural change and a query is iterating; " +
                "record it in a CommandBuffer (applied after the system) instead");
    }

    /// <summary>Disposes every tensor the world owns and forgets all entities and resources.</summary>
    public void Dispose()
    {
        Tensors.DisposeAll();
        DisposeResources();
        foreach (var pool in _poolList) pool.Clear();
    }
}

public sealed partial class World
{
    internal int[] Generations => _generations;

    public Query<T1> Query<T1>() => new(this);
    public Query<T1, T2> Query<T1, T2>() => new(this);
    public Query<T1, T2, T3> Query<T1, T2, T3>() => new(this);
    public Query<T1, T2, T3, T4> Query<T1, T2, T3, T4>() => new(this);
}
