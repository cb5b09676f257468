// Loading a world snapshot: checks the schema against the registered types, then rebuilds entities, allocator, resources and tensors.
using Nas.Torch;
using Nas.World.MessagePack;

namespace Nas.World.Snapshots;

public static partial class WorldSnapshot
{
    /// <summary>
    /// Reads the body written by <see cref="WriteBody"/> into a new world (types from Nas.World and <paramref name="registerTypes"/>).
    /// Schema problems (an unknown name, a version other than this build's) raise <see cref="SnapshotException"/> naming the file.
    /// </summary>
    public static World ReadBody(MessagePackReader r, SnapshotHeader header, string path, Action<TypeRegistry>? registerTypes)
    {
        var world = new World();
        try
        {
            world.Types.RegisterAssembly(typeof(World).Assembly);
            registerTypes?.Invoke(world.Types);
            CheckSchema(header, world.Types, path);
            ReadInto(r, world, path);
            return world;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or OverflowException or TorchException)
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
        if (!header.Fields.TryGetValue("schema", out var schema) || schema is not MessagePackMap map)
            throw new SnapshotException(path, SnapshotProblem.Malformed, "header has no \"schema\" map");
        foreach (var section in new[] { "components", "resources" })
        {
            if (!map.TryGetValue(section, out var entries) || entries is not MessagePackMap names)
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

    private static void ReadInto(MessagePackReader r, World world, string path)
    {
        var codec = new ValueCodec();
        var count = r.ReadMapHeader();
        EntityAllocatorState? allocator = null;
        for (var i = 0; i < count; i++)
        {
            var key = r.ReadString();
            switch (key)
            {
                case "allocator": allocator = ReadAllocator(r, codec); break;
                case "entities": ReadEntities(r, world, codec, path); break;
                case "resources":
                    var n = r.ReadMapHeader();
                    for (var j = 0; j < n; j++)
                    {
                        var type = Named(world.Types, r.ReadString(), path);
                        world.SetResourceBoxed(codec.Read(r, type.Type) ?? throw new SnapshotException(path, SnapshotProblem.Malformed, $"resource '{type.Name}' is nil"));
                    }
                    break;
                case "tensors":
                    if (allocator is not null) world.RestoreAllocator(allocator); // owners must be alive; allocator first so stale owners are caught
                    var t = r.ReadArrayHeader();
                    for (var j = 0; j < t; j++) ReadTensor(r, world, codec, path);
                    break;
                default: r.Skip(); break;
            }
        }
        if (allocator is null) throw new SnapshotException(path, SnapshotProblem.Malformed, "body has no \"allocator\"");
        var now = world.CaptureAllocator();
        if (!now.Generations.AsSpan().SequenceEqual(allocator.Generations) || !now.FreeStack.AsSpan().SequenceEqual(allocator.FreeStack) || now.NextSequence != allocator.NextSequence)
            world.RestoreAllocator(allocator);
    }

    private static EntityAllocatorState ReadAllocator(MessagePackReader r, ValueCodec codec)
    {
        int[] generations = [], free = [];
        long next = 0;
        var n = r.ReadMapHeader();
        for (var i = 0; i < n; i++)
        {
            switch (r.ReadString())
            {
                case "generations": generations = (int[])codec.Read(r, typeof(int[]))!; break;
                case "free": free = (int[])codec.Read(r, typeof(int[]))!; break;
                case "next_sequence": next = r.ReadInt64(); break;
                default: r.Skip(); break;
            }
        }
        return new EntityAllocatorState(generations, free, next);
    }

    private static void ReadEntities(MessagePackReader r, World world, ValueCodec codec, string path)
    {
        var n = r.ReadArrayHeader();
        for (var i = 0; i < n; i++)
        {
            int index = -1, generation = 0;
            long sequence = -1;
            var components = new List<object>();
            var fields = r.ReadMapHeader();
            for (var f = 0; f < fields; f++)
            {
                switch (r.ReadString())
                {
                    case "index": index = checked((int)r.ReadInt64()); break;
                    case "generation": generation = checked((int)r.ReadInt64()); break;
                    case "sequence": sequence = r.ReadInt64(); break;
                    case "components":
                        var c = r.ReadMapHeader();
                        for (var j = 0; j < c; j++)
                        {
                            var type = Named(world.Types, r.ReadString(), path);
                            components.Add(codec.Read(r, type.Type) ?? throw new SnapshotException(path, SnapshotProblem.Malformed, $"component '{type.Name}' is nil"));
                        }
                        break;
                    default: r.Skip(); break;
                }
            }
            if (index < 0 || generation <= 0 || sequence < 0)
                throw new SnapshotException(path, SnapshotProblem.Malformed, $"entity #{i} lacks a valid index, generation or sequence");
            world.Restore(new Entity(index, generation), sequence, components);
        }
    }

    private static StableType Named(TypeRegistry types, string name, string path) =>
        types.Find(name) ?? throw new SnapshotException(path, SnapshotProblem.Schema, $"unknown type name '{name}' (not in this build, nor in the header schema)");

    private static unsafe void ReadTensor(MessagePackReader r, World world, ValueCodec codec, string path)
    {
        var owner = Entity.Null;
        string? name = null;
        DType? dtype = null;
        long[]? shape = null;
        var requiresGrad = false;
        Tensor? tensor = null;
        var n = r.ReadMapHeader();
        try
        {
            for (var i = 0; i < n; i++)
            {
                switch (r.ReadString())
                {
                    case "owner": owner = r.TryReadNil() ? Entity.Null : (Entity)codec.Read(r, typeof(Entity))!; break;
                    case "name": name = r.ReadString(); break;
                    case "dtype":
                        var d = r.ReadString();
                        dtype = ParseDType(d) ?? throw new SnapshotException(path, SnapshotProblem.Schema, $"tensor '{name}': unknown dtype '{d}'");
                        break;
                    case "shape": shape = (long[])codec.Read(r, typeof(long[]))!; break;
                    case "requires_grad": requiresGrad = r.ReadBool(); break;
                    case "data":
                        if (dtype is null || shape is null)
                            throw new SnapshotException(path, SnapshotProblem.Malformed, $"tensor '{name}': \"data\" comes before \"dtype\" and \"shape\"");
                        var bytes = r.ReadBinHeader();
                        tensor = Tensor.Empty(shape, dtype.Value);
                        var (data, need) = tensor.UnsafeData();
                        if (bytes != need)
                            throw new SnapshotException(path, SnapshotProblem.Malformed, $"tensor '{name}' [{string.Join(", ", shape)}] {DTypeName(dtype.Value)} needs {need} bytes, the file holds {bytes}");
                        for (long done = 0; done < bytes;)
                        {
                            var chunk = (int)Math.Min(bytes - done, 1 << 30);
                            r.ReadRaw(new Span<byte>((byte*)data + done, chunk));
                            done += chunk;
                        }
                        break;
                    default: r.Skip(); break;
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
}
