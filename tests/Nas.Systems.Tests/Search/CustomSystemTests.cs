// How a user adds a technique: a system and a named resource of their own, put into a preset's schedule; it runs, snapshots and resumes.
using Nas.Components;
using Nas.Systems.Methods;
using Nas.Systems.Search;
using Nas.Systems.Spaces.Darts;
using Nas.World;
using Nas.World.Snapshots;

namespace Nas.Systems.Tests.Search;

/// <summary>The state of the test's technique: how many times it ran. Named, so snapshots keep it.</summary>
[Resource("test.alpha_jitter", 1)]
public sealed record AlphaJitterState([SnapshotKey("count")] long Count);

/// <summary>
/// A toy technique: after the weight step, nudges every alpha entry by 1e-3·sin(n + i), n its own run counter. Deterministic
/// from its state, so a resumed run continues exactly only if that state was saved and restored.
/// </summary>
public sealed class AlphaJitterSystem : ISystem
{
    public string Name => "alpha-jitter";
    public Access Access { get; } = new Access().Read<Architecture>().Write<Alpha>().Write<AlphaJitterState>();

    public void Run(Nas.World.World world, in SystemContext ctx)
    {
        var n = world.TryResource<AlphaJitterState>(out var s) ? s.Count : 0;
        foreach (var arch in world.Query<Architecture>()) // normal, then reduce: creation order
        {
            var alpha = world.Tensors.Write<Alpha>(arch);
            var values = alpha.ToFloatArray();
            for (var i = 0; i < values.Length; i++) values[i] += (float)(1e-3 * Math.Sin(n + i));
            using var t = Nas.Torch.Tensor.FromSpan(values, alpha.Shape);
            using var _ = Nas.Torch.NoGrad.Enter();
            alpha.CopyFrom(t);
        }
        world.SetResource(new AlphaJitterState(n + 1));
    }

    public static void Register(TypeRegistry types) => types.Register<AlphaJitterState>("test.alpha_jitter", 1);
}

public sealed class CustomSystemTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nas-custom-system-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static SearchSession WithJitter(SearchSession s)
    {
        s.Schedule.Add(new AlphaJitterSystem(), "Weights");
        return s;
    }

    private static float[] Alphas(SearchSession s) => [.. s.Alpha(Nas.Components.CellType.Normal).SelectMany(r => r), .. s.Alpha(Nas.Components.CellType.Reduce).SelectMany(r => r)];

    [Fact]
    public void AUserSystemInADartsScheduleRunsSnapshotsAndResumesExactly()
    {
        const int Steps = 4;
        float[] straight, without;
        using (var s = WithJitter(SearchSession.Create(DartsSearchTests.Tiny(), DartsSearchTests.TinyData())))
        {
            s.World.CheckAccesses = true; // the user's system is held to its declaration like ours
            for (var i = 0; i < Steps; i++) s.Step();
            straight = Alphas(s);
            Assert.Equal(Steps, s.World.ReadResource<AlphaJitterState>().Count);
        }
        using (var s = SearchSession.Create(DartsSearchTests.Tiny(), DartsSearchTests.TinyData()))
        {
            for (var i = 0; i < Steps; i++) s.Step();
            without = Alphas(s);
        }
        Assert.NotEqual(without, straight); // the system changes the run

        var store = new SnapshotStore(_dir, keep: 1);
        using (var s = WithJitter(SearchSession.Create(DartsSearchTests.Tiny(), DartsSearchTests.TinyData())))
        {
            for (var i = 0; i < Steps / 2; i++) s.Step();
            SearchSnapshot.Save(s, store);
        }
        var loaded = SearchSnapshot.LoadNewestValid(store, out var skipped, AlphaJitterSystem.Register)!;
        Assert.Empty(skipped);
        Assert.Equal(Steps / 2, loaded.Body.ReadResource<AlphaJitterState>().Count);
        using (var s = WithJitter(Assert.IsType<SearchSession>(SearchSnapshot.Resume(loaded.Body, _ => DartsSearchTests.TinyData()))))
        {
            while (s.Clock.Step < Steps) s.Step();
            Assert.Equal(straight, Alphas(s));
        }
    }

    [Fact]
    public void TheUserSystemAppearsInTheScheduleInItsPhase()
    {
        using var s = WithJitter(SearchSession.Create(DartsSearchTests.Tiny(), DartsSearchTests.TinyData()));
        var entries = s.Schedule.Entries.ToList();
        var jitter = entries.FindIndex(e => e.System is AlphaJitterSystem);
        Assert.Equal("Weights", entries[jitter].Phase);
        Assert.True(jitter > entries.FindIndex(e => e.System is SgdSystem), "added after the preset's weight update");
        Assert.True(jitter < entries.FindIndex(e => e.System is AdvanceClockSystem), "the Weights phase runs before Maintenance");
    }
}
