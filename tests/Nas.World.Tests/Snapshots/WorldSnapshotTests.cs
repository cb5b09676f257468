// World snapshots: a random world round-trips exactly; schema mismatches name the file; Python reads the layout with msgpack alone.
using System.Text.Json;
using Nas.Torch;
using Nas.World.Snapshots;
using Nas.World.Tests.MessagePack;

namespace Nas.World.Tests.Snapshots;

public enum Shade : byte { Dark = 0, Mid = 7, Light = 200 }

[Component("snaptest.scalars", 1)]
public record struct Scalars([SnapshotKey("B")] bool B, [SnapshotKey("I8")] sbyte I8, [SnapshotKey("I16")] short I16, [SnapshotKey("I32")] int I32, [SnapshotKey("I64")] long I64, [SnapshotKey("U8")] byte U8, [SnapshotKey("U16")] ushort U16, [SnapshotKey("U32")] uint U32, [SnapshotKey("U64")] ulong U64,
    [SnapshotKey("F")] float F, [SnapshotKey("D")] double D, [SnapshotKey("S")] string? S, [SnapshotKey("Shade")] Shade Shade, [SnapshotKey("Ref")] Entity Ref, [SnapshotKey("Maybe")] int? Maybe, [SnapshotKey("MaybeNot")] double? MaybeNot);

public readonly record struct Inner([SnapshotKey("A")] int A, [SnapshotKey("B")] string B);

[Component("snaptest.arrays", 1)]
public sealed record Arrays([SnapshotKey("Flags")] bool[] Flags, [SnapshotKey("Longs")] long[] Longs, [SnapshotKey("Words")] ulong[] Words, [SnapshotKey("Bytes")] byte[] Bytes, [SnapshotKey("Floats")] float[] Floats, [SnapshotKey("Names")] string[] Names, [SnapshotKey("Inners")] Inner[] Inners, [SnapshotKey("Nested")] Inner? Nested);

[Component("snaptest.tag", 1)]
public record struct Tag;

public readonly record struct InnerState([SnapshotKey("Seed")] ulong Seed, [SnapshotKey("Epoch")] int Epoch, [SnapshotKey("Position")] int Position);

[Resource("snaptest.positions", 1)]
public sealed record Positions([SnapshotKey("Train")] InnerState Train, [SnapshotKey("Val")] InnerState? Val);

[Resource("snaptest.settings", 1)]
public sealed record Settings
{
    [SnapshotKey("Name")] public string Name { get; init; } = "x";
    [SnapshotKey("Count")] public int Count { get; init; }
    [SnapshotKey("Shade")] public Shade Shade { get; init; }
}

public sealed record RuntimeOnly(int X);

public sealed class WorldSnapshotTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nas-world-snap-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static void Register(TypeRegistry types) => types.RegisterAssembly(typeof(WorldSnapshotTests).Assembly);

    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals, IncludeFields = true };

    /// <summary>Random entities (with destroys, so slots recycle), every component kind, resources, tensors of every dtype.</summary>
    internal static World RandomWorld(int seed)
    {
        var random = new Random(seed);
        var world = new World();
        Register(world.Types);
        var alive = new List<Entity>();
        for (var i = 0; i < 60; i++)
        {
            if (alive.Count > 3 && random.Next(4) == 0)
            {
                var victim = alive[random.Next(alive.Count)];
                world.Destroy(victim);
                alive.Remove(victim);
                continue;
            }
            var e = world.Create();
            alive.Add(e);
            if (random.Next(2) == 0)
                world.Add(e, new Scalars(random.Next(2) == 0, (sbyte)random.Next(-128, 128), (short)random.Next(short.MinValue, short.MaxValue), random.Next(),
                    random.NextInt64(long.MinValue, long.MaxValue), (byte)random.Next(256), (ushort)random.Next(65536), (uint)random.NextInt64(0, uint.MaxValue),
                    (ulong)random.NextInt64() * 3, random.NextSingle() - 0.5f, random.Next(3) == 0 ? double.NaN : random.NextDouble() * 1e300,
                    random.Next(3) == 0 ? null : $"s{random.Next()}é", (Shade)new[] { 0, 7, 200 }[random.Next(3)],
                    alive[random.Next(alive.Count)], random.Next(2) == 0 ? null : random.Next(), null));
            if (random.Next(3) == 0)
                world.Add(e, new Arrays([true, false, random.Next(2) == 0], [long.MinValue, random.NextInt64()], [ulong.MaxValue, (ulong)random.NextInt64()],
                    [1, 2, (byte)random.Next(256)], [float.NegativeInfinity, random.NextSingle()], ["a", ""], [new Inner(random.Next(), "i")],
                    random.Next(2) == 0 ? null : new Inner(-1, "n")));
            if (random.Next(4) == 0) world.Add(e, new Tag());
            if (random.Next(3) == 0) world.Tensors.Add(e, $"w{i}", RandomTensor(random, (DType)random.Next(6)));
        }
        foreach (var dtype in Enum.GetValues<DType>())
            world.Tensors.Add(Entity.Null, $"global.{dtype}", RandomTensor(random, dtype));
        world.SetRng("main", new Rng((ulong)seed));
        world.SetRng("other", Rng.ForStream((ulong)seed, "other"));
        for (var i = 0; i < random.Next(1, 9); i++) world.Rng("main").NextUInt64();
        world.SetResource(new Positions(new InnerState(9, 2, 17), random.Next(2) == 0 ? null : new InnerState(10, 3, 4)));
        world.SetResource(new Settings { Name = "tiny", Count = random.Next(), Shade = Shade.Light });
        world.SetResource(new RuntimeOnly(5));
        return world;
    }

    private static unsafe Tensor RandomTensor(Random random, DType dtype)
    {
        long[] shape = random.Next(3) switch { 0 => [], 1 => [random.Next(0, 5)], _ => [random.Next(1, 4), random.Next(1, 5)] };
        var t = Tensor.Empty(shape, dtype);
        var (data, bytes) = t.UnsafeData();
        var span = new Span<byte>((void*)data, (int)bytes);
        random.NextBytes(span);
        if (dtype == DType.Bool) for (var i = 0; i < span.Length; i++) span[i] &= 1;
        if (dtype is DType.Float32 or DType.Float64 && random.Next(2) == 0) t.RequiresGrad = true;
        return t;
    }

    private static unsafe byte[] Bytes(Tensor t)
    {
        var (data, bytes) = t.UnsafeData();
        return new ReadOnlySpan<byte>((void*)data, (int)bytes).ToArray();
    }

    private static void AssertEqualWorlds(World expected, World actual)
    {
        Assert.Equal(expected.Entities(), actual.Entities());
        Assert.Equal(expected.CaptureAllocator().Generations, actual.CaptureAllocator().Generations);
        Assert.Equal(expected.CaptureAllocator().FreeStack, actual.CaptureAllocator().FreeStack);
        Assert.Equal(expected.NextSequence, actual.NextSequence);
        foreach (var e in expected.Entities())
        {
            Assert.Equal(expected.SequenceOf(e), actual.SequenceOf(e));
            var a = expected.ComponentsOf(e);
            var b = actual.ComponentsOf(e);
            Assert.Equal(a.Select(c => c.Type.Name), b.Select(c => c.Type.Name));
            for (var i = 0; i < a.Count; i++)
                Assert.Equal(JsonSerializer.Serialize(a[i].Value, a[i].Value.GetType(), Json), JsonSerializer.Serialize(b[i].Value, b[i].Value.GetType(), Json));
        }
        var ta = expected.Tensors.All();
        var tb = actual.Tensors.All();
        Assert.Equal(ta.Select(t => (t.Owner, t.Name)), tb.Select(t => (t.Owner, t.Name)));
        for (var i = 0; i < ta.Count; i++)
        {
            Assert.Equal(ta[i].Tensor.DType, tb[i].Tensor.DType);
            Assert.Equal(ta[i].Tensor.Shape, tb[i].Tensor.Shape);
            Assert.Equal(ta[i].Tensor.RequiresGrad, tb[i].Tensor.RequiresGrad);
            Assert.Equal(Bytes(ta[i].Tensor), Bytes(tb[i].Tensor));
        }
        foreach (var name in new[] { "main", "other" })
            Assert.Equal(expected.Rng(name).GetState(), actual.Rng(name).GetState());
        Assert.Equal(JsonSerializer.Serialize(expected.Resource<Positions>(), Json), JsonSerializer.Serialize(actual.Resource<Positions>(), Json));
        Assert.Equal(expected.Resource<Settings>(), actual.Resource<Settings>());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ARandomWorldRoundTripsExactly(int seed)
    {
        using var world = RandomWorld(seed);
        var path = Path.Combine(_dir, "w.msgpack");
        WorldSnapshot.Write(path, world, step: 42);
        var loaded = WorldSnapshot.Read(path, Register);
        using var copy = loaded.Body;
        Assert.Equal(42, loaded.Header.Step);
        AssertEqualWorlds(world, copy);
    }

    [Fact]
    public void ALoadedWorldCreatesTheSameNextEntitiesAsTheOriginal()
    {
        using var world = RandomWorld(7);
        var path = Path.Combine(_dir, "w.msgpack");
        WorldSnapshot.Write(path, world, step: 1);
        using var copy = WorldSnapshot.Read(path, Register).Body;
        for (var i = 0; i < 5; i++)
        {
            var a = world.Create();
            var b = copy.Create();
            Assert.Equal(a, b);
            Assert.Equal(world.SequenceOf(a), copy.SequenceOf(b));
        }
    }

    [Fact]
    public void UnnamedResourcesAreNotSaved()
    {
        using var world = RandomWorld(4);
        var path = Path.Combine(_dir, "w.msgpack");
        WorldSnapshot.Write(path, world, step: 1);
        using var copy = WorldSnapshot.Read(path, Register).Body;
        Assert.False(copy.HasResource<RuntimeOnly>());
        Assert.True(copy.HasResource<Settings>());
    }

    [Fact]
    public void AnUnknownComponentNameIsASchemaErrorNamingTheFile()
    {
        using var world = RandomWorld(5);
        var path = Path.Combine(_dir, "unknown.msgpack");
        WorldSnapshot.Write(path, world, step: 1);
        var e = Assert.Throws<SnapshotException>(() => WorldSnapshot.Read(path));
        Assert.Equal(SnapshotProblem.Schema, e.Problem);
        Assert.Contains(path, e.Message);
        Assert.Contains("unknown", e.Message);
        Assert.Contains("snaptest.", e.Message);
    }

    [Fact]
    public void AVersionNewerThanSupportedIsASchemaError()
    {
        using var world = new World();
        world.Types.Register<Tag>("snaptest.tag", 2);
        world.Create(new Tag());
        var path = Path.Combine(_dir, "newer.msgpack");
        WorldSnapshot.Write(path, world, step: 3);
        var e = Assert.Throws<SnapshotException>(() => WorldSnapshot.Read(path, Register));
        Assert.Equal(SnapshotProblem.Schema, e.Problem);
        Assert.Contains("'snaptest.tag' is v2, newer than this build supports (v1)", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void PythonReadsAWorldSnapshotWithMsgpackAlone()
    {
        using var world = RandomWorld(6);
        world.Tensors.Add(Entity.Null, "known", Tensor.FromSpan([1.5, -2.25, 1024.0], [3]));
        var path = Path.Combine(_dir, "py.msgpack");
        WorldSnapshot.Write(path, world, step: 9, [new("method", "test")]);
        using var summary = JsonDocument.Parse(PythonOracle.Run(PythonOracle.Script("read_world_snapshot.py"), path));
        var root = summary.RootElement;
        Assert.True(root.GetProperty("crc_ok").GetBoolean());
        Assert.Equal(9, root.GetProperty("step").GetInt64());
        Assert.Equal("world", root.GetProperty("kind").GetString());
        Assert.Equal(world.NextSequence, root.GetProperty("next_sequence").GetInt64());
        var entities = root.GetProperty("entities").EnumerateArray().ToList();
        Assert.Equal(world.Entities().Select(e => (e.Index, e.Generation)), entities.Select(e => (e[0].GetInt32(), e[1].GetInt32())));
        Assert.Equal(["nas.rng.streams", "snaptest.positions", "snaptest.settings"], root.GetProperty("resources").EnumerateArray().Select(r => r.GetString()!).ToArray());
        var tensors = root.GetProperty("tensors").EnumerateArray().ToList();
        var all = world.Tensors.All();
        Assert.Equal(all.Count, tensors.Count);
        for (var i = 0; i < all.Count; i++)
        {
            Assert.Equal(all[i].Name, tensors[i].GetProperty("name").GetString());
            Assert.Equal(WorldSnapshot.DTypeName(all[i].Tensor.DType), tensors[i].GetProperty("dtype").GetString());
            Assert.Equal(all[i].Tensor.RequiresGrad, tensors[i].GetProperty("requires_grad").GetBoolean());
        }
        // Python's sum of the known tensor (unpacked with struct from the bin) is exact: the values are small dyadic rationals.
        var known = tensors.Single(t => t.GetProperty("name").GetString() == "known");
        Assert.Equal(1.5 - 2.25 + 1024.0, known.GetProperty("sum").GetDouble());
        Assert.Equal([3], known.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray());
    }
}
