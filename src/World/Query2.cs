// A query over 2 component types, with ref (write) and in (read) callbacks; see QueryBase for order and guards.
namespace Nas.World;

public delegate void ForEachRef<T1, T2>(Entity entity, ref T1 c1, ref T2 c2);
public delegate void ForEachIn<T1, T2>(Entity entity, in T1 c1, in T2 c2);

/// <summary>A callback as a struct, so the JIT can inline it into the loop (no delegate call per entity).</summary>
public interface IForEach<T1, T2>
{
    void Invoke(Entity entity, ref T1 c1, ref T2 c2);
}

public sealed class Query<T1, T2> : QueryBase
{
    private readonly Pool<T1> _p1;
    private readonly Pool<T2> _p2;

    internal Query(World world) : this(world, [world.Pool<T1>(), world.Pool<T2>()]) { }

    private Query(World world, IPool[] includes) : base(world, includes)
    {
        _p1 = (Pool<T1>)includes[0];
        _p2 = (Pool<T2>)includes[1];
    }

    /// <summary>Also requires <typeparamref name="T"/> without giving access to it.</summary>
    public Query<T1, T2> With<T>() { AddWith(World.Pool<T>()); return this; }

    /// <summary>Skips entities that have <typeparamref name="T"/>.</summary>
    public Query<T1, T2> Without<T>() { AddWithout(World.Pool<T>()); return this; }

    /// <summary>Calls <paramref name="fn"/> with mutable refs, in creation order; a write of every type.</summary>
    public void ForEach(ForEachRef<T1, T2> fn)
    {
        var (entities, count) = Begin(write: true);
        try
        {
            var gens = World.Generations;
            var s1 = _p1.Sparse; var a1 = _p1.Items;
            var s2 = _p2.Sparse; var a2 = _p2.Items;
            for (var i = 0; i < count; i++)
            {
                var idx = entities[i];
                if ((uint)idx >= (uint)s1.Length) continue;
                var q1 = s1[idx] - 1;
                if (q1 < 0) continue;
                if ((uint)idx >= (uint)s2.Length) continue;
                var q2 = s2[idx] - 1;
                if (q2 < 0) continue;
                if (Filtered && !PassesFilters(idx)) continue;
                fn(new Entity(idx, gens[idx]), ref a1[q1], ref a2[q2]);
            }
        }
        finally { End(); }
    }

    /// <summary>Calls <paramref name="fn"/> with read-only refs, in creation order; a read of every type.</summary>
    public void ForEachReadOnly(ForEachIn<T1, T2> fn)
    {
        var (entities, count) = Begin(write: false);
        try
        {
            var gens = World.Generations;
            var s1 = _p1.Sparse; var a1 = _p1.Items;
            var s2 = _p2.Sparse; var a2 = _p2.Items;
            for (var i = 0; i < count; i++)
            {
                var idx = entities[i];
                if ((uint)idx >= (uint)s1.Length) continue;
                var q1 = s1[idx] - 1;
                if (q1 < 0) continue;
                if ((uint)idx >= (uint)s2.Length) continue;
                var q2 = s2[idx] - 1;
                if (q2 < 0) continue;
                if (Filtered && !PassesFilters(idx)) continue;
                fn(new Entity(idx, gens[idx]), in a1[q1], in a2[q2]);
            }
        }
        finally { End(); }
    }

    /// <summary>The fastest form: a struct callback the JIT can inline; a write of every type.</summary>
    public void ForEach<TFn>(ref TFn fn) where TFn : struct, IForEach<T1, T2>
    {
        var (entities, count) = Begin(write: true);
        try
        {
            var gens = World.Generations;
            var s1 = _p1.Sparse; var a1 = _p1.Items;
            var s2 = _p2.Sparse; var a2 = _p2.Items;
            for (var i = 0; i < count; i++)
            {
                var idx = entities[i];
                if ((uint)idx >= (uint)s1.Length) continue;
                var q1 = s1[idx] - 1;
                if (q1 < 0) continue;
                if ((uint)idx >= (uint)s2.Length) continue;
                var q2 = s2[idx] - 1;
                if (q2 < 0) continue;
                if (Filtered && !PassesFilters(idx)) continue;
                fn.Invoke(new Entity(idx, gens[idx]), ref a1[q1], ref a2[q2]);
            }
        }
        finally { End(); }
    }
}
