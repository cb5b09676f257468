// The world's persistent tensors, owned per entity: destroying the entity disposes them, disposing the world disposes all.
using Nas.Torch;

namespace Nas.World;

/// <summary>
/// Owns tensors by (owner entity, name). <see cref="Add"/> takes ownership: the caller must not dispose the tensor.
/// The owner may be <see cref="Entity.Null"/> for world-level tensors (optimizer state, buffers), released only by
/// <see cref="Remove"/> or <see cref="World.Dispose"/>. Enumeration order is (owner sequence, name), world-level first.
/// </summary>
public sealed partial class TensorStore
{
    private readonly World _world;
    private readonly Dictionary<(Entity Owner, string Name), Tensor> _tensors = new();
    private readonly Dictionary<Entity, List<string>> _names = new();

    internal TensorStore(World world) => _world = world;

    public int Count => _tensors.Count;

    /// <summary>Bytes held by all stored tensors (element count times element size; one native query per tensor).</summary>
    public long TotalBytes => _tensors.Values.Sum(t => t.Numel * t.DType.ElementSize());

    /// <summary>Stores <paramref name="tensor"/> under (owner, name), taking ownership, and returns it.</summary>
    public Tensor Add(Entity owner, string name, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!owner.IsNull && !_world.IsAlive(owner)) throw new StaleEntityException(owner);
        if (tensor.IsDisposed) throw new ObjectDisposedException(nameof(Tensor), $"tensor '{name}' for {owner} is already disposed");
        if (!_tensors.TryAdd((owner, name), tensor))
            throw new InvalidOperationException($"{owner} already owns a tensor named '{name}'; use Replace");
        if (!_names.TryGetValue(owner, out var list)) _names[owner] = list = new List<string>();
        list.Add(name);
        return tensor;
    }

    /// <summary>Stores <paramref name="tensor"/> under (owner, name), disposing the tensor it replaces.</summary>
    public Tensor Replace(Entity owner, string name, Tensor tensor)
    {
        if (_tensors.TryGetValue((owner, name), out var old))
        {
            if (ReferenceEquals(old, tensor)) return tensor;
            _tensors[(owner, name)] = tensor;
            old.Dispose();
            return tensor;
        }
        return Add(owner, name, tensor);
    }

    public Tensor Get(Entity owner, string name) =>
        _tensors.TryGetValue((owner, name), out var t) ? t : throw new KeyNotFoundException($"{owner} owns no tensor named '{name}'");

    public bool TryGet(Entity owner, string name, out Tensor tensor) => _tensors.TryGetValue((owner, name), out tensor!);

    /// <summary>Disposes and forgets the tensor; false when there was none.</summary>
    public bool Remove(Entity owner, string name)
    {
        if (!_tensors.Remove((owner, name), out var t)) return false;
        _names[owner].Remove(name);
        t.Dispose();
        return true;
    }

    /// <summary>The names of the tensors <paramref name="owner"/> owns, in the order they were added.</summary>
    public IReadOnlyList<string> NamesOf(Entity owner) => _names.TryGetValue(owner, out var l) ? l.ToArray() : [];

    /// <summary>Every stored tensor, ordered by owner sequence (world-level first), then name (ordinal).</summary>
    public IReadOnlyList<(Entity Owner, string Name, Tensor Tensor)> All() =>
        _tensors
            .OrderBy(kv => kv.Key.Owner.IsNull ? -1 : _world.SequenceOf(kv.Key.Owner))
            .ThenBy(kv => kv.Key.Name, StringComparer.Ordinal)
            .Select(kv => (kv.Key.Owner, kv.Key.Name, kv.Value))
            .ToList();

    internal void ReleaseOwner(Entity owner)
    {
        if (!_names.Remove(owner, out var names)) return;
        foreach (var name in names)
            if (_tensors.Remove((owner, name), out var t)) t.Dispose();
    }

    internal void DisposeAll()
    {
        foreach (var t in _tensors.Values) t.Dispose();
        _tensors.Clear();
        _names.Clear();
    }
}
