// What every query shares: its filters, the choice of the driving pool, and the guard that forbids structural changes while it iterates.
using System.Runtime.CompilerServices;

namespace Nas.World;

/// <summary>
/// A query over entities that have all its component types (and the <c>With</c> types) and none of the
/// <c>Without</c> types. Build it once and reuse it. Iteration follows entity creation order (sequence number):
/// it walks the smallest matching pool, whose dense arrays are sorted by sequence, and probes the others.
/// While a query iterates, structural changes on the world throw; record them in a <see cref="CommandBuffer"/>.
/// </summary>
public abstract class QueryBase
{
    private protected readonly World World;
    private readonly IPool[] _includes;
    private IPool[] _with = [];
    private IPool[] _without = [];
    private protected bool Filtered;

    private protected QueryBase(World world, IPool[] includes)
    {
        World = world;
        _includes = includes;
    }

    private protected void AddWith(IPool pool) { _with = [.. _with, pool]; Filtered = true; }
    private protected void AddWithout(IPool pool) { _without = [.. _without, pool]; Filtered = true; }

    /// <summary>Checks access, normalizes the pools, marks the world as iterating, and returns the driving entity list.</summary>
    private protected (int[] Entities, int Count) Begin(bool write)
    {
        foreach (var p in _includes) World.CheckAccess(p.Type, write);
        foreach (var p in _with) World.CheckAccess(p.Type, write: false);
        foreach (var p in _without) World.CheckAccess(p.Type, write: false);
        IPool driver = _includes[0];
        foreach (var p in _includes) { p.Normalize(); if (p.Count < driver.Count) driver = p; }
        foreach (var p in _with) { p.Normalize(); if (p.Count < driver.Count) driver = p; }
        World.Iterating++;
        return (driver.DenseEntities, driver.Used);
    }

    private protected void End() => World.Iterating--;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private protected bool PassesFilters(int index)
    {
        foreach (var p in _with) if (!p.Has(index)) return false;
        foreach (var p in _without) if (p.Has(index)) return false;
        return true;
    }

    private bool Matches(int index)
    {
        foreach (var p in _includes) if (!p.Has(index)) return false;
        return !Filtered || PassesFilters(index);
    }

    /// <summary>The number of matching entities (walks them).</summary>
    public int Count()
    {
        var n = 0;
        foreach (var _ in this) n++;
        return n;
    }

    /// <summary>Matching entities in creation order; a read of every type in the query.</summary>
    public EntityEnumerator GetEnumerator() => new(this);

    /// <summary>Matching entities copied into a list, in creation order (allocates; for tools and tests).</summary>
    public List<Entity> ToList()
    {
        var list = new List<Entity>();
        foreach (var e in this) list.Add(e);
        return list;
    }

    /// <summary>Enumerates matching entities; <c>foreach</c> disposes it, which ends the iteration guard.</summary>
    public ref struct EntityEnumerator
    {
        private readonly QueryBase _query;
        private readonly int[] _entities;
        private readonly int _count;
        private int _i;
        private bool _open;

        internal EntityEnumerator(QueryBase query)
        {
            _query = query;
            (_entities, _count) = query.Begin(write: false);
            _i = -1;
            _open = true;
        }

        public Entity Current => _query.World.EntityAt(_entities[_i]);

        public bool MoveNext()
        {
            while (++_i < _count)
                if (_query.Matches(_entities[_i])) return true;
            return false;
        }

        public void Dispose()
        {
            if (!_open) return;
            _open = false;
            _query.End();
        }
    }
}
