// Stable names and versions for component and resource types, the keys a snapshot writes instead of CLR type names.
using System.Reflection;

namespace Nas.World;

/// <summary>Gives a component type its permanent snapshot name, e.g. <c>[Component("nas.edge", 1)]</c>.</summary>
[AttributeUsage(AttributeTargets.Struct | AttributeTargets.Class, Inherited = false)]
public sealed class ComponentAttribute(string name, int version = 1) : Attribute
{
    public string Name { get; } = name;
    public int Version { get; } = version;
}

/// <summary>Gives a resource type its permanent snapshot name, e.g. <c>[Resource("nas.rng", 1)]</c>.</summary>
[AttributeUsage(AttributeTargets.Struct | AttributeTargets.Class, Inherited = false)]
public sealed class ResourceAttribute(string name, int version = 1) : Attribute
{
    public string Name { get; } = name;
    public int Version { get; } = version;
}

/// <summary>
/// Marks a component type as runtime-only: it lives on entities, is queried and access-checked like any component, and
/// snapshots leave it out (a type without a name and without this attribute makes snapshot writing throw). For state a
/// step recomputes before it reads it, e.g. gradients. It never has a snapshot name.
/// </summary>
[AttributeUsage(AttributeTargets.Struct | AttributeTargets.Class, Inherited = false)]
public sealed class RuntimeComponentAttribute : Attribute;

/// <summary>
/// A type with its stable name and format version; <see cref="Name"/> is null for a type never named.
/// <see cref="IsRuntime"/>: a <see cref="RuntimeComponentAttribute"/> type, never named, left out of snapshots.
/// </summary>
public sealed record StableType(Type Type, string? Name, int Version)
{
    public bool IsNamed => Name is not null;
    public bool IsRuntime { get; init; }
    public override string ToString() => Name is null ? Type.Name : $"{Name} v{Version} ({Type.Name})";
}

/// <summary>
/// One world's table of type names, filled by <see cref="Register{T}"/>, by <see cref="RegisterAssembly"/> (scans
/// <see cref="ComponentAttribute"/> and <see cref="ResourceAttribute"/>), or lazily from the attribute on first use.
/// A name maps to one type and a type to one name; registering a clash throws.
/// </summary>
public sealed class TypeRegistry
{
    private readonly Dictionary<Type, StableType> _byType = new();
    private readonly Dictionary<string, StableType> _byName = new(StringComparer.Ordinal);

    public StableType Register<T>(string name, int version = 1) => Register(typeof(T), name, version);

    public StableType Register(Type type, string name, int version = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (type.IsDefined(typeof(RuntimeComponentAttribute), inherit: false))
            throw new InvalidOperationException($"type {type.Name} is a [RuntimeComponent]: it is never snapshotted, so it cannot be named '{name}'");
        if (_byType.TryGetValue(type, out var known) && known.IsNamed)
        {
            if (known.Name == name && known.Version == version) return known;
            throw new InvalidOperationException($"type {type.Name} is already registered as '{known.Name}' v{known.Version}");
        }
        if (_byName.TryGetValue(name, out var other) && other.Type != type)
            throw new InvalidOperationException($"name '{name}' is already registered for type {other.Type.Name}");
        var entry = new StableType(type, name, version);
        _byType[type] = entry;
        _byName[name] = entry;
        return entry;
    }

    /// <summary>Registers every type in <paramref name="assembly"/> that carries a component or resource attribute.</summary>
    public void RegisterAssembly(Assembly assembly)
    {
        foreach (var type in assembly.GetTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
            if (FromAttribute(type) is { } entry) Register(type, entry.Name!, entry.Version);
    }

    /// <summary>The entry for <paramref name="type"/>: registered, else from its attribute, else unnamed.</summary>
    public StableType Of(Type type)
    {
        if (_byType.TryGetValue(type, out var entry)) return entry;
        entry = FromAttribute(type) is { } named ? Register(type, named.Name!, named.Version)
            : new StableType(type, null, 0) { IsRuntime = type.IsDefined(typeof(RuntimeComponentAttribute), inherit: false) };
        _byType[type] = entry;
        return entry;
    }

    public StableType? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>All named types, ordered by name.</summary>
    public IReadOnlyList<StableType> Named() => _byName.Values.OrderBy(e => e.Name, StringComparer.Ordinal).ToList();

    private static StableType? FromAttribute(Type type)
    {
        if (type.IsDefined(typeof(RuntimeComponentAttribute), inherit: false))
        {
            if (type.IsDefined(typeof(ComponentAttribute), false) || type.IsDefined(typeof(ResourceAttribute), false))
                throw new InvalidOperationException($"type {type.Name} is both a [RuntimeComponent] and a named (snapshotted) type; choose one");
            return null;
        }
        if (type.GetCustomAttribute<ComponentAttribute>() is { } c) return new StableType(type, c.Name, c.Version);
        if (type.GetCustomAttribute<ResourceAttribute>() is { } r) return new StableType(type, r.Name, r.Version);
        return null;
    }
}
