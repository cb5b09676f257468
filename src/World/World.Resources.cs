// Resources: one-of-a-kind state on the world (RNG, step counter, data stream, config), keyed by type.
namespace Nas.World;

public sealed partial class World
{
    private abstract class ResourceBox
    {
        public abstract object Boxed { get; }
        public abstract Type Type { get; }
    }

    private sealed class ResourceBox<T>(T value) : ResourceBox
    {
        public T Value = value;
        public override object Boxed => Value!;
        public override Type Type => typeof(T);
    }

    private readonly Dictionary<Type, ResourceBox> _resources = new();
    private readonly List<Type> _resourceOrder = new();

    /// <summary>Sets (adds or replaces) the resource of type <typeparamref name="T"/>.</summary>
    public void SetResource<T>(T value)
    {
        CheckAccess(typeof(T), write: true);
        if (_resources.TryGetValue(typeof(T), out var box)) { ((ResourceBox<T>)box).Value = value; return; }
        _resources.Add(typeof(T), new ResourceBox<T>(value));
        _resourceOrder.Add(typeof(T));
    }

    /// <summary>A mutable reference to the resource (a write access in checked mode); throws when it is absent.</summary>
    public ref T Resource<T>()
    {
        CheckAccess(typeof(T), write: true);
        return ref Box<T>().Value;
    }

    /// <summary>A read-only reference to the resource (a read access in checked mode); throws when it is absent.</summary>
    public ref readonly T ReadResource<T>()
    {
        CheckAccess(typeof(T), write: false);
        return ref Box<T>().Value;
    }

    public bool TryResource<T>(out T value)
    {
        CheckAccess(typeof(T), write: false);
        if (_resources.TryGetValue(typeof(T), out var box)) { value = ((ResourceBox<T>)box).Value; return true; }
        value = default!;
        return false;
    }

    public bool HasResource<T>() => _resources.ContainsKey(typeof(T));

    public bool RemoveResource<T>()
    {
        CheckAccess(typeof(T), write: true);
        if (!_resources.Remove(typeof(T))) return false;
        _resourceOrder.Remove(typeof(T));
        return true;
    }

    /// <summary>Every resource with its stable type entry, ordered by registered name (unnamed types last, by CLR name).</summary>
    public IReadOnlyList<(StableType Type, object Value)> AllResources() =>
        _resourceOrder
            .Select(t => (Type: Types.Of(t), _resources[t].Boxed))
            .OrderBy(r => r.Type.Name is null ? 1 : 0)
            .ThenBy(r => r.Type.Name ?? r.Type.Type.FullName, StringComparer.Ordinal)
            .ToList();

    /// <summary>Sets a resource from a boxed value whose runtime type is the resource type (snapshot loading).</summary>
    public void SetResourceBoxed(object value)
    {
        var type = value.GetType();
        if (_resources.TryGetValue(type, out var box)) _resources.Remove(type);
        else _resourceOrder.Add(type);
        var boxType = typeof(ResourceBox<>).MakeGenericType(type);
        _resources.Add(type, (ResourceBox)Activator.CreateInstance(boxType, value)!);
    }

    private ResourceBox<T> Box<T>() =>
        _resources.TryGetValue(typeof(T), out var box)
            ? (ResourceBox<T>)box
            : throw new KeyNotFoundException($"the world has no resource of type {typeof(T).Name}");

    private void DisposeResources()
    {
        foreach (var type in _resourceOrder)
            if (_resources[type].Boxed is IDisposable d) d.Dispose();
        _resources.Clear();
        _resourceOrder.Clear();
    }
}
