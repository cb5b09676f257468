// Loading a world snapshot: checks the schema against the registered types, then rebuilds entities, allocator, resources and tensors.
using Nas.Torch;
using MessagePack;

namespace Nas.World.Snapshots;

public static partial class WorldSnapshot
{
    /// <summary>
    /// Reads the body written by <see cref="WriteBody"/> into a new world (types from Nas.World and <paramref name="registerTypes"/>).
    /// Schema problems (an unknown name, a version other than this build's) raise <see cref="SnapshotException"/> naming the file.
    /// </summary>
    public static World ReadBody(ref MessagePackReader r, SnapshotHeader header, string path, Action<TypeRegistry>? registerTypes)
    {
        var world = new World();
        try
        {
            world.Types.RegisterAssembly(typeof(World).Assembly);
            registerTypes?.Invoke(world.Types);
            CheckSchema(header, world.Types, path);
            ReadInto(ref r, world, path);
            return world;
        }
        catch (Exception e) when (e is TorchException || SnapshotFile.IsMalformed(e))
        {
            world.Dispose();
            throw new SnapshotException(path, SnapshotProblem.Malformed, e.Message, e);
        }
        catch
        {
            world.Dispose();
            throw;
        }
    }

    private static void CheckSchema(SnapshotHeader header, TypeRegistry types, string path)
    {
        if (!header.Fields.TryGetValue("kind", out var kind) || kind is not Kind)
            throw new SnapshotException(path, SnapshotProblem.Schema, $"not a world snapshot (header \"kind\" is {kind ?? "missing"})");
        if (!header.Fields.TryGetValue("schema", out var schema) || schema is not Dictionary<object, object?> map)
            throw new SnapshotException(path, SnapshotProblem.Malformed, "header has no \"schema\" map");
        foreach (var section in new[] { "components", "resources" })
        {
            if (!map.TryGetValue(section, out var entries) || entries is not Dictionary<object, object?> names)
                throw new SnapshotException(path, SnapshotProblem.Malformed, $"header schema has no \"{section}\" map");
            var what = section[..^1];
            foreach (var (key, value) in names)
            {
                var name = key as string ?? throw new SnapshotException(path, SnapshotProblem.Malformed, $"schema {section}: a name is not a string");
                var version = value is long v ? v : throw new SnapshotException(path, SnapshotProblem.Malformed, $"schema {what} '{name}': version is not an integer");
                var known = types.Find(name)
                    ?? throw new SnapshotException(path, SnapshotProblem.Schema, $"unknown {what} '{name}' v{version}: this build has no type of that name");
                if (version > known.Version)
                    throw new SnapshotException(path, SnapshotProblem.Schema, $"{what} '{name}' is v{version}, newer than this build supports (v{known.Version})");
                if (version < known.Version)
                    throw new SnapshotException(path, SnapshotProblem.Schema, $"{what} '{name}' is v{version}, this build reads v{known.Version} and has no migration from it");
            }
        }
    }

    private static void ReadInto(ref MessagePackReader r, World world, string path)
    {
        var codec = new ValueCodec();
        var count = SnapshotValues.ReadMapHeader(ref r);
        EntityAllocatorState? allocator = null;
        for (var i = 0; i < count; i++)
        {
            var key = SnapshotValues.ReadString(ref r);
            switch (key)
            {
                case "allocator": allocator = ReadAllocator(ref r, codec); break;
                case "entities":
                    // A hostile index would make Restore grow the slot table to it: indices must lie within the allocator's slots.
                    var slots = allocator?.Generations.Length ?? throw new SnapshotException(path, SnapshotProblem.Malformed, "\"entities\" comes before \"allocator\"");
                    ReadEntities(ref r, world, codec, path, slots);
                    break;
                case "resources":
                    var n = SnapshotValues.ReadMapHeader(ref r);
                    for (var j = 0; j < n; j++)
                    {
                        var type = Named(world.Types, SnapshotValues.ReadString(ref r), path);
                        world.SetResourceBoxed(codec.Read(ref r, type.Type) ?? throw new SnapshotException(path, SnapshotProblem.Malformed, $"resource '{type.Name}' is nil"));
                    }
                    break;
                case "tensors":
                    if (allocator is not null) world.RestoreAllocator(allocator); // owners must be alive; allocator first so stale owners are caught
                    var t = SnapshotValues.ReadArrayHeader(ref r);
                    for (var j = 0; j < t; j++) ReadTensor(ref r, world, codec, path);
                    break;
                default: SnapshotValues.Skip(ref r); break;
            }
        }
        if (allocator is null) throw new SnapshotException(path, SnapshotProblem.Malformed, "body has no \"allocator\"");
        var now = world.CaptureAllocator();
        if (!now.Generations.AsSpan().SequenceEqual(allocator.Generations) || !now.FreeStack.AsSpan().SequenceEqual(allocator.FreeStack) || now.NextSequence != allocator.NextSequence)
            world.RestoreAllocator(allocator);
    }

    private static EntityAllocatorState ReadAllocator(ref MessagePackReader r, ValueCodec codec)
    {
        int[] generations = [], free = [];
        long next = 0;
        var n = SnapshotValues.ReadMapHeader(ref r);
        for (var i = 0; i < n; i++)
        {
            switch (SnapshotValues.ReadString(ref r))
            {
                case "generations": generations = (int[])codec.Read(ref r, typeof(int[]))!; break;
                case "free": free = (int[])codec.Read(ref r, typeof(int[]))!; break;
                case "next_sequence": next = r.ReadInt64(); break;
                default: SnapshotValues.Skip(ref r); break;
            }
        }
        return new EntityAllocatorState(generations, free, next);
    }

    private static void ReadEntities(ref MessagePackReader r, World world, ValueCodec codec, string path, int slots)
    {
        var n = SnapshotValues.ReadArrayHeader(ref r);
        for (var i = 0; i < n; i++)
        {
            int index = -1, generation = 0;
            long sequence = -1;
            var components = new List<object>();
            var fields = SnapshotValues.ReadMapHeader(ref r);
            for (var f = 0; f < fields; f++)
            {
                switch (SnapshotValues.ReadString(ref r))
                {
                    case "index": index = checked((int)r.ReadInt64()); break;
                    case "generation": generation = checked((int)r.ReadInt64()); break;
                    case "sequence": sequence = r.ReadInt64(); break;
                    case "components":
                        var c = SnapshotValues.ReadMapHeader(ref r);
                        for (var j = 0; j < c; j++)
                        {
                            var type = Named(world.Types, SnapshotValues.ReadString(ref r), path);
                            components.Add(codec.Read(ref r, type.Type) ?? throw new SnapshotException(path, SnapshotProblem.Malformed, $"component '{type.Name}' is nil"));
                        }
                        break;
                    default: SnapshotValues.Skip(ref r); break;
                }
            }
            if (index < 0 || index >= slots || generation <= 0 || sequence < 0)
                throw new SnapshotException(path, SnapshotProblem.Malformed, $"entity #{i} lacks a valid index (below {slots}), generation or sequence");
            world.Restore(new Entity(index, generation), sequence, components);
        }
    }

    private static StableType Named(TypeRegistry types, string name, string path) =>
        types.Find(name) ?? throw new SnapshotException(path, SnapshotProblem.Schema, $"unknown type name '{name}' (not in this build, nor in the header schema)");

    private static unsafe void ReadTensor(ref MessagePackReader r, World world, ValueCodec codec, string path)
    {
        var owner = Entity.Null;
        string? name = null;
        DType? dtype = null;
        long[]? shape = null;
        var requiresGrad = false;
        Tensor? tensor = null;
        var n = SnapshotValues.ReadMapHeader(ref r);
        try
        {
            for (var i = 0; i < n; i++)
            {
                switch (SnapshotValues.ReadString(ref r))
                {
                    case "owner": owner = r.TryReadNil() ? Entity.Null : (Entity)codec.Read(ref r, typeof(Entity))!; break;
                    case "name": name = SnapshotValues.ReadString(ref r); break;
                    case "dtype":
                        var d = SnapshotValues.ReadString(ref r);
                        dtype = ParseDType(d) ?? throw new SnapshotException(path, SnapshotProblem.Schema, $"tensor '{name}': unknown dtype '{d}'");
                        break;
                    case "shape": shape = (long[])codec.Read(ref r, typeof(long[]))!; break;
                    case "requires_grad": requiresGrad = r.ReadBoolean(); break;
                    case "data":
                        if (dtype is null || shape is null)
                            throw new SnapshotException(path, SnapshotProblem.Malformed, $"tensor '{name}': \"data\" comes before \"dtype\" and \"shape\"");
                        var bytes = SnapshotValues.ReadBin(ref r);
                        long need = BytesOf(shape, dtype.Value, name, path);
                        if (bytes.Length != need) // checked before allocating: a hostile shape never reaches libtorch
                            throw new SnapshotException(path, SnapshotProblem.Malformed, $"tensor '{name}' [{string.Join(", ", shape)}] {DTypeName(dtype.Value)} needs {need} bytes, the file holds {bytes.Length}");
                        tensor = Tensor.Empty(shape, dtype.Value);
                        var (data, _) = tensor.UnsafeData();
                        for (long done = 0; done < need;)
                        {
                            var chunk = (int)Math.Min(need - done, 1 << 30);
                            SnapshotValues.CopyTo(bytes.Slice(done, chunk), new Span<byte>((byte*)data + done, chunk));
                            done += chunk;
                        }
                        break;
                    default: SnapshotValues.Skip(ref r); break;
                }
            }
            if (tensor is null || name is null)
                throw new SnapshotException(path, SnapshotProblem.Malformed, $"tensor '{name}' has no \"data\" or no \"name\"");
            if (requiresGrad) tensor.RequiresGrad = true;
            world.Tensors.Add(owner, name, tensor);
            tensor = null;
        }
        finally
        {
            tensor?.Dispose();
        }
    }

    /// <summary>The bytes a tensor of this shape and dtype holds; a negative or overflowing shape is a malformed file.</summary>
    private static long BytesOf(long[] shape, DType dtype, string? name, string path)
    {
        long bytes = dtype switch { DType.Float64 or DType.Int64 => 8, DType.Float32 or DType.Int32 => 4, _ => 1 };
        foreach (var size in shape)
        {
            if (size < 0) throw new SnapshotException(path, SnapshotProblem.Malformed, $"tensor '{name}' has a negative size in its shape [{string.Join(", ", shape)}]");
            try { bytes = checked(bytes * size); }
            catch (OverflowException) { throw new SnapshotException(path, SnapshotProblem.Malformed, $"tensor '{name}' shape [{string.Join(", ", shape)}] overflows"); }
        }
        return bytes;
    }
}
