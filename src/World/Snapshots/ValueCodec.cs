// The generic codec for component and resource values: records and structs become maps keyed by each member's [SnapshotKey], by reflection cached per type.
using System.Buffers;
using System.Reflection;
using MessagePack;

namespace Nas.World.Snapshots;

/// <summary>
/// Writes and reads plain values as MessagePack, so readers in any language see names:
/// null → nil; bool, integers, float, double, string as themselves; enums as their integer value;
/// <see cref="Entity"/> as [index, generation]; byte[] as bin; other arrays as arrays; <see cref="Rng"/> as {"state": [4 uint64]};
/// records and structs as a map of the members of their widest public constructor whose parameters all name readable
/// members (positional records: the primary constructor), or, for types without such a constructor (init-only records),
/// of their public settable properties and fields. Each member is keyed by its <see cref="SnapshotKeyAttribute"/>, never
/// by its C# name; a member without one makes the type unsnapshottable. Missing keys read as the member's default;
/// unknown keys are skipped. <see cref="Layout"/> lists the keys and wire kinds a type is written with.
/// One instance caches the reflection per type; it holds no other state.
/// </summary>
public sealed class ValueCodec
{
    private readonly Dictionary<Type, Shape> _shapes = new();

    private sealed record Member(string Name, Type Type, Func<object, object?> Get, Action<object, object?>? Set);

    /// <summary>How a composite type is built: through <see cref="Constructor"/> (members in its parameter order) or default + setters.</summary>
    private sealed record Shape(Member[] Members, ConstructorInfo? Constructor);

    public void Write(ref MessagePackWriter writer, Type type, object? value)
    {
        if (value is null) { writer.WriteNil(); return; }
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null) type = underlying;
        if (type == typeof(object)) type = value.GetType();
        switch (value)
        {
            case bool b: writer.Write(b); return;
            case sbyte or short or int or long when !type.IsEnum: writer.Write(Convert.ToInt64(value)); return;
            case byte or ushort or uint or ulong when !type.IsEnum: writer.Write(Convert.ToUInt64(value)); return;
            case float f: writer.Write(f); return;
            case double d: writer.Write(d); return;
            case string s: writer.Write(s); return;
            case byte[] bytes: writer.Write(bytes.AsSpan()); return;
            case Entity e: writer.WriteArrayHeader(2); writer.Write(e.Index); writer.Write(e.Generation); return;
            case Rng rng:
                writer.WriteMapHeader(1);
                writer.Write("state");
                Write(ref writer, typeof(ulong[]), rng.GetState());
                return;
        }
        if (type.IsEnum)
        {
            if (Enum.GetUnderlyingType(type) == typeof(ulong)) writer.Write(Convert.ToUInt64(value));
            else writer.Write(Convert.ToInt64(value));
            return;
        }
        if (type.IsArray)
        {
            if (type.GetArrayRank() != 1) throw new NotSupportedException($"multi-dimensional arrays ({type}) cannot be snapshotted");
            var array = (Array)value;
            var element = type.GetElementType()!;
            writer.WriteArrayHeader(array.Length);
            foreach (var item in array) Write(ref writer, element, item);
            return;
        }
        var shape = ShapeOf(type);
        writer.WriteMapHeader(shape.Members.Length);
        foreach (var m in shape.Members)
        {
            writer.Write(m.Name);
            Write(ref writer, m.Type, m.Get(value));
        }
    }

    public object? Read(ref MessagePackReader reader, Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if ((underlying is not null || !type.IsValueType) && reader.TryReadNil()) return null;
        if (underlying is not null) type = underlying;
        if (type == typeof(bool)) return reader.ReadBoolean();
        if (type.IsEnum)
        {
            var raw = Enum.GetUnderlyingType(type) == typeof(ulong) ? (object)reader.ReadUInt64() : reader.ReadInt64();
            return Enum.ToObject(type, raw);
        }
        if (type == typeof(sbyte)) return checked((sbyte)reader.ReadInt64());
        if (type == typeof(short)) return checked((short)reader.ReadInt64());
        if (type == typeof(int)) return checked((int)reader.ReadInt64());
        if (type == typeof(long)) return reader.ReadInt64();
        if (type == typeof(byte)) return checked((byte)reader.ReadUInt64());
        if (type == typeof(ushort)) return checked((ushort)reader.ReadUInt64());
        if (type == typeof(uint)) return checked((uint)reader.ReadUInt64());
        if (type == typeof(ulong)) return reader.ReadUInt64();
        if (type == typeof(float)) return reader.ReadSingle();
        if (type == typeof(double)) return reader.ReadDouble();
        if (type == typeof(string)) return reader.ReadString();
        if (type == typeof(byte[])) return SnapshotValues.ReadBin(ref reader).ToArray();
        if (type == typeof(Entity))
        {
            long at = SnapshotValues.Offset(ref reader);
            if (SnapshotValues.ReadArrayHeader(ref reader) != 2) throw new MessagePackSerializationException($"offset {at}: an entity is [index, generation]");
            var index = checked((int)reader.ReadInt64());
            return new Entity(index, checked((int)reader.ReadInt64()));
        }
        if (type == typeof(Rng))
        {
            ulong[]? state = null;
            var count = SnapshotValues.ReadMapHeader(ref reader);
            for (var i = 0; i < count; i++)
            {
                if (SnapshotValues.ReadString(ref reader) == "state") state = (ulong[])Read(ref reader, typeof(ulong[]))!;
                else SnapshotValues.Skip(ref reader);
            }
            return Rng.FromState(state ?? throw new MessagePackSerializationException($"offset {SnapshotValues.Offset(ref reader)}: an Rng needs its \"state\""));
        }
        if (type.IsArray)
        {
            var element = type.GetElementType()!;
            var length = SnapshotValues.ReadArrayHeader(ref reader);
            var array = Array.CreateInstance(element, length);
            for (var i = 0; i < length; i++) array.SetValue(Read(ref reader, element), i);
            return array;
        }
        return ReadComposite(ref reader, type);
    }

    private object ReadComposite(ref MessagePackReader reader, Type type)
    {
        var shape = ShapeOf(type);
        var values = new object?[shape.Members.Length];
        var seen = new bool[shape.Members.Length];
        var count = SnapshotValues.ReadMapHeader(ref reader);
        for (var i = 0; i < count; i++)
        {
            var key = SnapshotValues.ReadString(ref reader);
            var at = Array.FindIndex(shape.Members, m => m.Name == key);
            if (at < 0) { SnapshotValues.Skip(ref reader); continue; }
            values[at] = Read(ref reader, shape.Members[at].Type);
            seen[at] = true;
        }
        for (var i = 0; i < values.Length; i++)
            if (!seen[i]) values[i] = DefaultOf(shape.Members[i].Type);
        if (shape.Constructor is { } ctor) return ctor.Invoke(values);
        var instance = Activator.CreateInstance(type)!; // boxed: setters on a struct act on the box
        for (var i = 0; i < values.Length; i++)
            if (seen[i]) shape.Members[i].Set!(instance, values[i]);
        return instance;
    }

    private static object? DefaultOf(Type type) => type.IsValueType ? Activator.CreateInstance(type) : null;

    private Shape ShapeOf(Type type)
    {
        if (_shapes.TryGetValue(type, out var shape)) return shape;
        shape = Build(type);
        _shapes[type] = shape;
        return shape;
    }

    private static Shape Build(Type type)
    {
        if (type.IsPrimitive || type.IsPointer || typeof(Delegate).IsAssignableFrom(type) || type.IsInterface || type.IsAbstract)
            throw new NotSupportedException($"values of type {type} cannot be snapshotted");
        const BindingFlags Public = BindingFlags.Public | BindingFlags.Instance;
        var properties = type.GetProperties(Public).Where(p => p.GetIndexParameters().Length == 0 && p.CanRead).ToArray();
        foreach (var ctor in type.GetConstructors(Public).OrderByDescending(c => c.GetParameters().Length))
        {
            var parameters = ctor.GetParameters();
            if (parameters.Length == 0) break;
            var members = new List<Member>();
            foreach (var p in parameters)
            {
                var prop = properties.FirstOrDefault(x => string.Equals(x.Name, p.Name, StringComparison.OrdinalIgnoreCase) && x.PropertyType == p.ParameterType);
                var field = prop is null ? type.GetField(p.Name!, Public | BindingFlags.IgnoreCase) : null;
                if (prop is not null) members.Add(new Member(KeyOf(type, prop, p), p.ParameterType, prop.GetValue, null));
                else if (field is not null && field.FieldType == p.ParameterType) members.Add(new Member(KeyOf(type, field, p), p.ParameterType, field.GetValue, null));
                else break;
            }
            if (members.Count == parameters.Length) return new Shape(Distinct(type, members), ctor);
        }
        if (type.IsClass && type.GetConstructor(Type.EmptyTypes) is null)
            throw new NotSupportedException($"type {type} has neither a constructor whose parameters name its members nor a parameterless constructor; it cannot be snapshotted");
        var settable = properties.Where(p => p.SetMethod is { IsPublic: true })
            .Select(p => new Member(KeyOf(type, p, null), p.PropertyType, p.GetValue, p.SetValue))
            .Concat(type.GetFields(Public).Where(f => !f.IsInitOnly).Select(f => new Member(KeyOf(type, f, null), f.FieldType, f.GetValue, f.SetValue)))
            .ToList();
        return new Shape(Distinct(type, settable), null);
    }

    /// <summary>The member's explicit key, from the constructor parameter or the member itself.</summary>
    private static string KeyOf(Type type, MemberInfo member, ParameterInfo? parameter) =>
        parameter?.GetCustomAttribute<SnapshotKeyAttribute>()?.Name
        ?? member.GetCustomAttribute<SnapshotKeyAttribute>()?.Name
        ?? throw new NotSupportedException($"member {member.Name} of {type} has no [SnapshotKey]: every member a snapshot writes needs a permanent key");

    private static Member[] Distinct(Type type, List<Member> members)
    {
        foreach (var group in members.GroupBy(m => m.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
            throw new NotSupportedException($"type {type} uses the snapshot key '{group.Key}' for {group.Count()} members");
        return members.ToArray();
    }

    /// <summary>
    /// How <paramref name="type"/> is written: one line per map key ("Step: int"), nested maps' keys indented below their
    /// key, enums with their values. The same reflection the codec writes with, so the text is the wire format's truth.
    /// </summary>
    public IReadOnlyList<string> Layout(Type type)
    {
        var lines = new List<string>();
        var (kind, composite) = KindOf(type);
        if (composite is null) lines.Add("= " + kind);
        else AddMembers(composite, 0, lines, []);
        return lines;
    }

    private void AddMembers(Type type, int depth, List<string> lines, HashSet<Type> open)
    {
        if (!open.Add(type)) throw new NotSupportedException($"type {type} contains itself; it cannot be snapshotted");
        foreach (var m in ShapeOf(type).Members)
        {
            var (kind, composite) = KindOf(m.Type);
            lines.Add($"{new string(' ', 2 * depth)}{m.Name}: {kind}");
            if (composite is not null) AddMembers(composite, depth + 1, lines, open);
        }
        open.Remove(type);
    }

    /// <summary>The wire kind of a type, and the composite type whose members follow when it is (an array of) a map.</summary>
    private static (string Kind, Type? Composite) KindOf(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } inner)
        {
            var (kind, composite) = KindOf(inner);
            return (kind + " or nil", composite);
        }
        if (type.IsEnum)
        {
            var underlying = Enum.GetUnderlyingType(type);
            var values = Enum.GetValues(type).Cast<object>()
                .Select(v => $"{Enum.GetName(type, v)}={Convert.ToString(Convert.ChangeType(v, underlying, System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture)}");
            return ("enum " + string.Join(", ", values), null);
        }
        if (type == typeof(bool)) return ("bool", null);
        if (type == typeof(sbyte) || type == typeof(short) || type == typeof(int) || type == typeof(long)) return ("int", null);
        if (type == typeof(byte) || type == typeof(ushort) || type == typeof(uint) || type == typeof(ulong)) return ("uint", null);
        if (type == typeof(float)) return ("float32", null);
        if (type == typeof(double)) return ("float64", null);
        if (type == typeof(string)) return ("str", null);
        if (type == typeof(byte[])) return ("bin", null);
        if (type == typeof(Entity)) return ("entity [index, generation]", null);
        if (type == typeof(Rng)) return ("map {state: array of uint}", null);
        if (type.IsArray)
        {
            var (kind, composite) = KindOf(type.GetElementType()!);
            return ("array of " + kind, composite);
        }
        return ("map", type);
    }
}
