// Storage of one component type: a sparse set whose dense arrays are kept in entity creation order.
using System.Runtime.CompilerServices;

namespace Nas.World;

/// <summary>The type-erased face of a pool, used by Destroy, snapshots and queries.</summary>
internal interface IPool
{
    Type Type { get; }
    int Count { get; }
    bool Has(int index);
    void Remove(int index);
    object GetBoxed(int index);
    void AddBoxed(int index, long sequence, object value);
    void Normalize();
    void Clear();
    int[] DenseEntities { get; }
    int Used { get; }
}

/// <summary>
/// A sparse set for <typeparamref name="T"/>. Invariant after <see cref="Normalize"/>: dense slots
/// <c>[0, Count)</c> hold live components sorted by their entity's creation sequence, with no holes.
/// Between normalizations, removals leave holes (entity -1) and adds of older entities append out of order;
/// <see cref="Normalize"/> compacts and sorts stably, and runs when a query starts (never during iteration,
/// because structural changes are refused while a query iterates).
/// </summary>
internal sealed class Pool<T> : IPool
{
    internal T[] Items = new T[16];
    internal int[] Entities = new int[16];   // slot index, or -1 for a hole
    internal long[] Sequences = new long[16];
    internal int[] Sparse = new int[16];     // slot index -> dense position + 1 (0: absent)
    public int Used { get; private set; }    // dense slots in use, holes included
    private int _holes;
    private bool _unsorted;
    private long _lastSequence = -1;

    public Type Type => typeof(T);
    public int[] DenseEntities => Entities;
    public int Count => Used - _holes;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Has(int index) => (uint)index < (uint)Sparse.Length && Sparse[index] != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int PositionOf(int index) => (uint)index < (uint)Sparse.Length ? Sparse[index] - 1 : -1;

    public void Add(int index, long sequence, in T value)
    {
        if (Used == Items.Length) GrowDense();
        if (index >= Sparse.Length) Array.Resize(ref Sparse, Math.Max(index + 1, Sparse.Length * 2));
        var pos = Used++;
        Items[pos] = value;
        Entities[pos] = index;
        Sequences[pos] = sequence;
        Sparse[index] = pos + 1;
        if (sequence < _lastSequence) _unsorted = true; else _lastSequence = sequence;
    }

    public void AddBoxed(int index, long sequence, object value) => Add(index, sequence, (T)value);

    public void Remove(int index)
    {
        var pos = Sparse[index] - 1;
        Sparse[index] = 0;
        Entities[pos] = -1;
        Items[pos] = default!; // drop references (tensors, strings) held by the component
        _holes++;
        if (_holes > 64 && _holes > Used / 2) Normalize();
    }

    public object GetBoxed(int index) => Items[Sparse[index] - 1]!;

    public void Normalize()
    {
        if (_holes > 0) Compact();
        if (_unsorted) Sort();
    }

    public void Clear()
    {
        Array.Clear(Items, 0, Used);
        Array.Clear(Sparse);
        Used = 0; _holes = 0; _unsorted = false; _lastSequence = -1;
    }

    private void Compact()
    {
        var w = 0;
        for (var r = 0; r < Used; r++)
        {
            var e = Entities[r];
            if (e < 0) continue;
            if (w != r)
            {
                Items[w] = Items[r];
                Entities[w] = e;
                Sequences[w] = Sequences[r];
                Sparse[e] = w + 1;
            }
            w++;
        }
        Array.Clear(Items, w, Used - w);
        Used = w;
        _holes = 0;
    }

    private void Sort()
    {
        // Sequences are unique per live entity, so an unstable sort on them is still deterministic.
        var order = new int[Used];
        for (var i = 0; i < Used; i++) order[i] = i;
        var keys = Sequences.AsSpan(0, Used).ToArray();
        Array.Sort(keys, order);
        var items = new T[Items.Length];
        var entities = new int[Entities.Length];
        for (var i = 0; i < Used; i++)
        {
            var from = order[i];
            items[i] = Items[from];
            entities[i] = Entities[from];
            Sparse[entities[i]] = i + 1;
        }
        keys.CopyTo(Sequences, 0);
        Items = items;
        Entities = entities;
        _unsorted = false;
        _lastSequence = Used > 0 ? Sequences[Used - 1] : -1;
    }

    private void GrowDense()
    {
        var n = Items.Length * 2;
        Array.Resize(ref Items, n);
        Array.Resize(ref Entities, n);
        Array.Resize(ref Sequences, n);
    }
}
