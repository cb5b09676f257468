// Tensor roles as components: spawned on every tensor, derived for snapshots without them, and the checked mode refusing a system that touches a role it did not declare.
using Nas.Components;
using Nas.Systems.Methods;
using Nas.Systems.Spaces.Darts;
using Nas.World;
using Nas.World.Snapshots;

namespace Nas.Systems.Tests.Search;

/// <summary>Reads alpha through the runtime cache, declaring what the constructor is given.</summary>
public sealed class ReadAlphaSystem(Access access) : ISystem
{
    public string Name => "read-alpha";
    public Access Access { get; } = access;
    public void Run(Nas.World.World world, in SystemContext ctx) => world.ReadResource<SupernetRuntime>().Alpha(world, CellType.Normal).ToFloatArray();
}

/// <summary>Scales alpha in place through the world's role accessor, declaring what the constructor is given.</summary>
public sealed class ScaleAlphaSystem(Access access) : ISystem
{
    public string Name => "scale-alpha";
    public Access Access { get; } = access;

    public void Run(Nas.World.World world, in SystemContext ctx)
    {
        foreach (var arch in world.Query<Architecture>())
        {
            using var _ = Nas.Torch.NoGrad.Enter();
            world.Tensors.Write<Alpha>(arch).MulInPlace(0.5);
        }
    }
}

public sealed class TensorRoleTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nas-tensor-roles-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ASystemReadingAlphaWithoutDeclaringItIsRefused()
    {
        using var s = SearchSession.Create(DartsSearchTests.Tiny(), DartsSearchTests.TinyData());
        s.World.CheckAccesses = true;
        var ex = Assert.Throws<UndeclaredAccessException>(() => s.World.RunSystem(new ReadAlphaSystem(new Access().Read<SupernetRuntime>())));
        Assert.Equal(typeof(Alpha), ex.Type);
        Assert.Equal("read-alpha", ex.System);
        s.World.RunSystem(new ReadAlphaSystem(new Access().Read<SupernetRuntime>().Read<Alpha>())); // declared: allowed
    }

    [Fact]
    public void ASystemWritingAlphaThatOnlyDeclaredAReadIsRefused()
    {
        using var s = SearchSession.Create(DartsSearchTests.Tiny(), DartsSearchTests.TinyData());
        s.World.CheckAccesses = true;
        var before = s.Alpha(CellType.Normal).SelectMany(r => r).ToArray();
        var ex = Assert.Throws<UndeclaredAccessException>(() => s.World.RunSystem(new ScaleAlphaSystem(new Access().Read<Architecture>().Read<Alpha>())));
        Assert.Equal(typeof(Alpha), ex.Type);
        Assert.Equal(before, s.Alpha(CellType.Normal).SelectMany(r => r)); // refused before it touched the tensor
        s.World.RunSystem(new ScaleAlphaSystem(new Access().Read<Architecture>().Write<Alpha>()));
        Assert.Equal(before.Select(v => v * 0.5f), s.Alpha(CellType.Normal).SelectMany(r => r));
    }

    [Theory]
    [InlineData("darts")]
    [InlineData("bnas-v2-pc")] // broad space, beta
    [InlineData("dropnas")]
    public void EveryStoredTensorHasExactlyOneRole(string method)
    {
        using var s = SearchSession.Create(PresetRunTests.TinyPreset(method), DartsSearchTests.TinyData());
        var w = s.World;
        var named = new List<(Entity, string)>();
        foreach (var e in w.Entities())
        {
            void Add<T>() where T : struct, ITensorRole
            {
                if (w.TryGet<T>(e, out var role)) named.AddRange(role.Tensors.Select(n => (e, n)));
            }
            Add<Alpha>(); Add<Beta>(); Add<AlphaMoments>(); Add<BetaMoments>(); Add<Weights>(); Add<Momentum>(); Add<RunningStats>();
        }
        Assert.Equal(named.Count, named.Distinct().Count());
        Assert.Equal(w.Tensors.All().Select(t => $"{t.Owner}/{t.Name}").Order(StringComparer.Ordinal), named.Select(x => $"{x.Item1}/{x.Item2}").Order(StringComparer.Ordinal));
        foreach (var e in w.Entities())
        {
            if (w.TryGet<Weights>(e, out var weights)) Assert.All(weights.Names, n => Assert.True(w.Tensors.Get(e, n).RequiresGrad, n));
            if (w.TryGet<RunningStats>(e, out var stats)) Assert.All(stats.Names, n => Assert.False(w.Tensors.Get(e, n).RequiresGrad, n));
        }
        Assert.Equal(2, w.CountOf<Alpha>());
        Assert.Equal(PresetRunTests.TinyPreset(method).EdgeNormalization ? 2 : 0, w.CountOf<Beta>());
    }

    private static readonly Action<Nas.World.World, Entity>[] RoleRemovers =
    [
        (w, e) => { if (w.Has<Alpha>(e)) w.Remove<Alpha>(e); }, (w, e) => { if (w.Has<Beta>(e)) w.Remove<Beta>(e); },
        (w, e) => { if (w.Has<AlphaMoments>(e)) w.Remove<AlphaMoments>(e); }, (w, e) => { if (w.Has<BetaMoments>(e)) w.Remove<BetaMoments>(e); },
        (w, e) => { if (w.Has<Weights>(e)) w.Remove<Weights>(e); }, (w, e) => { if (w.Has<Momentum>(e)) w.Remove<Momentum>(e); },
        (w, e) => { if (w.Has<RunningStats>(e)) w.Remove<RunningStats>(e); },
    ];

    /// <summary>The world as main wrote it before roles were components: the same tensors, no role components.</summary>
    internal static void StripRoles(Nas.World.World world)
    {
        foreach (var e in world.Entities())
            foreach (var remove in RoleRemovers) remove(world, e);
    }

    [Theory]
    [InlineData("darts")]
    [InlineData("bnas-v2-pc")]
    [InlineData("dropnas")]
    public void RolesDerivedForAWorldWithoutThemEqualTheSpawnedOnes(string method)
    {
        using var s = SearchSession.Create(PresetRunTests.TinyPreset(method), DartsSearchTests.TinyData());
        var w = s.World;
        var spawned = s.Runtime;
        string Describe() => string.Join("\n", w.Entities().Select(e =>
            $"{e}: alpha {Opt<Alpha>(e)} beta {Opt<Beta>(e)} am {Opt<AlphaMoments>(e)} bm {Opt<BetaMoments>(e)} w {Opt<Weights>(e)} m {Opt<Momentum>(e)} s {Opt<RunningStats>(e)}"));
        string Opt<T>(Entity e) where T : struct, ITensorRole => w.TryGet<T>(e, out var r) ? string.Join(",", r.Tensors) : "-";
        var before = Describe();
        StripRoles(w);
        Assert.Equal(0, w.CountOf<Weights>());
        var derived = method == "bnas-v2-pc" ? Spaces.Broad.BroadSpace.Resolve(w) : StackedSpace.Resolve(w);
        Assert.Equal(before, Describe());
        Assert.Equal(spawned.Weights(w), derived.Weights(w)); // the same tensor objects in the same order
        Assert.Equal(spawned.Momentum(w), derived.Momentum(w));
        Assert.Equal(spawned.Arch(w), derived.Arch(w));
        Assert.Equal(spawned.ArchMoments(w).ExpAvg, derived.ArchMoments(w).ExpAvg);
        Assert.Equal(spawned.ArchMoments(w).ExpAvgSq, derived.ArchMoments(w).ExpAvgSq);
        Assert.Equal(spawned.RunningStats(w), derived.RunningStats(w));
    }

    [Fact]
    public void ASnapshotWithoutRoleComponentsResumesToTheUninterruptedRun()
    {
        const int Steps = 4;
        float[] straightAlpha;
        float[][] straightWeights;
        using (var s = SearchSession.Create(PresetRunTests.TinyPreset("bnas-v2-clr"), DartsSearchTests.TinyData()))
        {
            for (var i = 0; i < Steps; i++) s.Step();
            straightAlpha = [.. s.Alpha(CellType.Normal).SelectMany(r => r), .. s.Alpha(CellType.Reduce).SelectMany(r => r)];
            straightWeights = s.Runtime.Weights(s.World).Select(t => t.ToFloatArray()).ToArray();
        }
        var store = new SnapshotStore(_dir, keep: 1);
        using (var s = SearchSession.Create(PresetRunTests.TinyPreset("bnas-v2-clr"), DartsSearchTests.TinyData()))
        {
            for (var i = 0; i < Steps / 2; i++) s.Step();
            StripRoles(s.World); // as a snapshot of main before this change
            SearchSnapshot.Save(s, store);
        }
        var loaded = SearchSnapshot.LoadNewestValid(store, out _)!;
        Assert.Equal(0, loaded.Body.CountOf<Alpha>());
        using var resumed = Assert.IsType<SearchSession>(SearchSnapshot.Resume(loaded.Body, _ => DartsSearchTests.TinyData()));
        resumed.World.CheckAccesses = true;
        Assert.Equal(2, resumed.World.CountOf<Alpha>());
        while (resumed.Clock.Step < Steps) resumed.Step();
        float[] resumedAlpha = [.. resumed.Alpha(CellType.Normal).SelectMany(r => r), .. resumed.Alpha(CellType.Reduce).SelectMany(r => r)];
        Assert.Equal(straightAlpha, resumedAlpha);
        Assert.Equal(straightWeights, resumed.Runtime.Weights(resumed.World).Select(t => t.ToFloatArray()).ToArray());
    }
}
