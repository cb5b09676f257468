// The whole world in one snapshot file: schema in the header; allocator, entities, named resources and tensors in the body.
using Nas.Torch;
using MessagePack;

namespace Nas.World.Snapshots;

/// <summary>
/// Layout (docs/snapshot-world.md). Header fields: "kind": "world", "schema": {"components": {name: version},
/// "resources": {name: version}}, then the caller's fields. Body, one map with keys in this order:
/// "allocator": {"generations", "free", "next_sequence"}, "entities": [{"index", "generation", "sequence",
/// "components": {name: value}}], "resources": {name: value}, "tensors": [{"owner": [index, generation] | nil, "name",
/// "dtype", "shape", "requires_grad", "data": bin (little-endian, row-major)}]. Values use <see cref="ValueCodec"/>.
/// Unnamed resources are runtime-only and not saved, nor are [RuntimeComponent] components; any other unnamed component
/// type cannot be saved.
/// </summary>
public static partial class WorldSnapshot
{
    public const string Kind = "world";

    /// <summary>Writes <paramref name="world"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, World world, long step, IEnumerable<KeyValuePair<string, object?>>? headerFields = null) =>
        SnapshotFile.Write(path, step, HeaderFields(world, headerFields), (ref MessagePackWriter w, ChecksummedSink sink) => WriteBody(ref w, sink, world));

    /// <summary>Writes <paramref name="world"/> into <paramref name="store"/> as the snapshot of <paramref name="step"/>; returns its path.</summary>
    public static string Save(SnapshotStore store, World world, long step, IEnumerable<KeyValuePair<string, object?>>? headerFields = null) =>
        store.Save(step, HeaderFields(world, headerFields), (ref MessagePackWriter w, ChecksummedSink sink) => WriteBody(ref w, sink, world));

    /// <summary>Reads a world snapshot; <paramref name="registerTypes"/> names the component and resource types (e.g. RegisterAssembly).</summary>
    public static LoadedSnapshot<World> Read(string path, Action<TypeRegistry>? registerTypes = null) =>
        SnapshotFile.Read(path, (ref MessagePackReader r, SnapshotHeader h) => ReadBody(ref r, h, path, registerTypes));

    /// <summary>The newest snapshot in <paramref name="store"/> that loads; newer ones that fail are listed in <paramref name="skipped"/>.</summary>
    public static LoadedSnapshot<World>? LoadNewestValid(SnapshotStore store, Action<TypeRegistry>? registerTypes, out IReadOnlyList<SnapshotException> skipped)
    {
        var failures = new List<SnapshotException>();
        skipped = failures;
        foreach (var entry in store.List())
        {
            try { return Read(entry.Path, registerTypes); }
            catch (SnapshotException e) { failures.Add(e); }
        }
        return null;
    }

    public static IEnumerable<KeyValuePair<string, object?>> HeaderFields(World world, IEnumerable<KeyValuePair<string, object?>>? extra)
    {
        var components = new Dictionary<object, object?>();
        foreach (var type in world.ComponentTypes().Select(world.Types.Of).Where(t => t.IsNamed).OrderBy(t => t.Name, StringComparer.Ordinal))
            components.Add(type.Name!, (long)type.Version);
        var resources = new Dictionary<object, object?>();
        foreach (var (type, _) in world.AllResources().Where(r => r.Type.IsNamed))
            resources.Add(type.Name!, (long)type.Version);
        var schema = new Dictionary<object, object?> { ["components"] = components, ["resources"] = resources };
        var fields = new List<KeyValuePair<string, object?>> { new("kind", Kind), new("schema", schema) };
        if (extra is not null) fields.AddRange(extra);
        return fields;
    }

    public static void WriteBody(ref MessagePackWriter w, ChecksummedSink sink, World world)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("world snapshots store tensors little-endian; this machine is big-endian");
        var codec = new ValueCodec();
        w.WriteMapHeader(4);

        var allocator = world.CaptureAllocator();
        w.Write("allocator");
        w.WriteMapHeader(3);
        w.Write("generations");
        codec.Write(ref w, typeof(int[]), allocator.Generations);
        w.Write("free");
        codec.Write(ref w, typeof(int[]), allocator.FreeStack);
        w.Write("next_sequence");
        w.Write(allocator.NextSequence);

        var entities = world.Entities();
        w.Write("entities");
        w.WriteArrayHeader(entities.Count);
        foreach (var e in entities)
        {
            w.WriteMapHeader(4);
            w.Write("index"); w.Write(e.Index);
            w.Write("generation"); w.Write(e.Generation);
            w.Write("sequence"); w.Write(world.SequenceOf(e));
            var components = world.ComponentsOf(e).Where(c => !c.Type.IsRuntime).ToList();
            w.Write("components");
            w.WriteMapHeader(components.Count);
            foreach (var c in components)
            {
                if (!c.Type.IsNamed)
                    throw new InvalidOperationException($"component type {c.Type.Type.FullName} of {e} has no stable name; give it [Component(\"...\")] or register it");
                w.Write(c.Type.Name!);
                codec.Write(ref w, c.Type.Type, c.Value);
            }
        }

        var resources = world.AllResources().Where(r => r.Type.IsNamed).ToList();
        w.Write("resources");
        w.WriteMapHeader(resources.Count);
        foreach (var (type, value) in resources)
        {
            w.Write(type.Name!);
            codec.Write(ref w, type.Type, value);
        }

        var tensors = world.Tensors.All();
        w.Write("tensors");
        w.WriteArrayHeader(tensors.Count);
        foreach (var (owner, name, tensor) in tensors)
        {
            w.WriteMapHeader(6);
            w.Write("owner");
            if (owner.IsNull) w.WriteNil(); else codec.Write(ref w, typeof(Entity), owner);
            w.Write("name"); w.Write(name);
            w.Write("dtype"); w.Write(DTypeName(tensor.DType));
            w.Write("shape"); codec.Write(ref w, typeof(long[]), tensor.Shape);
            w.Write("requires_grad"); w.Write(tensor.RequiresGrad);
            w.Write("data");
            WriteData(ref w, sink, tensor);
        }
    }

    /// <summary>Streams the tensor's bytes from native memory into the writer (a contiguous CPU copy only when it is neither).</summary>
    private static unsafe void WriteData(ref MessagePackWriter w, ChecksummedSink sink, Tensor tensor)
    {
        Tensor? temp = null;
        try
        {
            (IntPtr data, long bytes) raw;
            try { raw = tensor.UnsafeData(); }
            catch (TorchException)
            {
                temp = tensor.Contiguous();
                raw = temp.UnsafeData();
            }
            if (raw.bytes <= int.MaxValue)
            {
                sink.WriteBin(ref w, new ReadOnlySpan<byte>((byte*)raw.data, (int)raw.bytes));
                return;
            }
            SnapshotValues.WriteBinHeader(ref w, raw.bytes);
            for (long done = 0; done < raw.bytes;)
            {
                var chunk = (int)Math.Min(raw.bytes - done, 1 << 30);
                w.WriteRaw(new ReadOnlySpan<byte>((byte*)raw.data + done, chunk));
                done += chunk;
            }
        }
        finally
        {
            temp?.Dispose();
        }
    }

    public static string DTypeName(DType t) => t switch
    {
        DType.Float32 => "float32",
        DType.Float64 => "float64",
        DType.Int64 => "int64",
        DType.Int32 => "int32",
        DType.Bool => "bool",
        DType.UInt8 => "uint8",
        _ => throw new ArgumentOutOfRangeException(nameof(t), t, "unknown dtype"),
    };

    public static DType? ParseDType(string name) => name switch
    {
        "float32" => DType.Float32,
        "float64" => DType.Float64,
        "int64" => DType.Int64,
        "int32" => DType.Int32,
        "bool" => DType.Bool,
        "uint8" => DType.UInt8,
        _ => null,
    };
}
