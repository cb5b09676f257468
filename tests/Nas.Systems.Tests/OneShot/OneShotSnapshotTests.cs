// One-shot snapshots in one process: stop anywhere (supernet training, after shrinking, mid evolution), load into a fresh
// session, finish, and match an uninterrupted run bit for bit; damaged one-shot snapshots are skipped with the file named.
using Nas.Components;
using Nas.Systems.Methods;
using Nas.Systems.OneShot;
using Nas.Systems.OneShot.BsNas;
using Nas.Systems.OneShot.Search;
using Nas.Systems.OneShot.Systems;
using Nas.Systems.Search;
using Nas.World;
using Nas.World.Snapshots;

namespace Nas.Systems.Tests.OneShot;

public sealed class OneShotSnapshotTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nas-oneshot-snap-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>
    /// The tiny session config; BS-NAS trains two epochs so its first stage ends (shrinks) mid-run; "proxy-P": spos on
    /// NB-201 with the zero-cost proxy P as fitness (ProxyFitnessTests.Tiny), "untrained-P" the same with epochs 0.
    /// </summary>
    private static SearchConfig Config(string method) =>
        method.StartsWith("proxy-", StringComparison.Ordinal) ? ProxyFitnessTests.Tiny(Enum.Parse<OneShotFitness>(method["proxy-".Length..], ignoreCase: true))
        : method.StartsWith("untrained-", StringComparison.Ordinal)
            ? ProxyFitnessTests.Tiny(Enum.Parse<OneShotFitness>(method["untrained-".Length..], ignoreCase: true)) with { Epochs = 0 }
        : method.EndsWith("-darts", StringComparison.Ordinal) ? DartsSupernetTests.Tiny(method[..^"-darts".Length])
        : OneShotSessionTests.Tiny(method) with { Epochs = method == "bs-nas" ? 2 : 1 };

    /// <summary>Everything a finished run is judged by: per-step metrics, every tensor's bytes by owner and name, the result, the evaluated count.</summary>
    private sealed record Outcome(List<StepMetrics> Metrics, List<(Entity Owner, string Name, byte[] Bytes)> Tensors, string Text, string Json, int Candidates);

    private static unsafe List<(Entity, string, byte[])> AllTensors(World.World world) =>
        world.Tensors.All().Select(t =>
        {
            var (data, bytes) = t.Tensor.UnsafeData();
            return (t.Owner, t.Name, new ReadOnlySpan<byte>((void*)data, (int)bytes).ToArray());
        }).ToList();

    private static Outcome Finish(ISearchSession s, List<StepMetrics> metrics)
    {
        while (!s.Finished) { s.Step(); metrics.Add(s.Metrics); }
        var (text, json) = s.Result();
        return new Outcome(metrics, AllTensors(s.World), text, json, s.World.CountOf<ArchCandidate>());
    }

    private static Outcome Straight(SearchConfig config)
    {
        using var s = OneShotSession.Create(config, OneShotSessionTests.TinyData());
        return Finish(s, []);
    }

    /// <summary>Runs <paramref name="cut"/> steps, snapshots, does one more step that is lost (as in a crash), resumes from the file and finishes.</summary>
    private Outcome Interrupted(SearchConfig config, int cut, string folder)
    {
        var metrics = new List<StepMetrics>();
        var store = new SnapshotStore(Path.Combine(_dir, folder), keep: 2);
        using (var s = OneShotSession.Create(config, OneShotSessionTests.TinyData()))
        {
            for (var i = 0; i < cut; i++) { s.Step(); metrics.Add(s.Metrics); }
            SearchSnapshot.Save(s, store);
            if (!s.Finished) s.Step();
        }
        var loaded = SearchSnapshot.LoadNewestValid(store, out var skipped)!;
        Assert.Empty(skipped);
        Assert.Equal(cut, loaded.Header.Step);
        using var resumed = SearchSnapshot.Resume(loaded.Body, _ => OneShotSessionTests.TinyData());
        Assert.IsType<OneShotSession>(resumed);
        Assert.Equal(cut, resumed.Clock.Step);
        return Finish(resumed, metrics);
    }

    [Theory]
    [InlineData("spos")]
    [InlineData("bn-nas")]
    [InlineData("bnnas++")]
    [InlineData("bs-nas")]
    [InlineData("spos-darts")]
    [InlineData("bn-nas-darts")]
    [InlineData("proxy-synflow")]
    [InlineData("proxy-naswot")]
    [InlineData("untrained-snip")]
    public void AResumedRunMatchesAnUninterruptedOneBitForBitWhereverItStopped(string method)
    {
        var config = Config(method);
        var expected = Straight(config);
        int total = expected.Metrics.Count; // 2 training steps per epoch, then Start and the generations
        Assert.Equal(2 * config.Epochs + config.Generations + 1, total);
        for (var cut = 1; cut < total; cut++) // every step boundary: supernet training, the switch to evolution, each generation
        {
            var got = Interrupted(config, cut, $"{method}-{cut}");
            Assert.True(expected.Metrics.SequenceEqual(got.Metrics), $"{method} cut at {cut}: per-step metrics differ");
            Assert.Equal(expected.Tensors.Count, got.Tensors.Count);
            for (var i = 0; i < expected.Tensors.Count; i++)
            {
                Assert.Equal((expected.Tensors[i].Owner, expected.Tensors[i].Name), (got.Tensors[i].Owner, got.Tensors[i].Name));
                Assert.True(expected.Tensors[i].Bytes.AsSpan().SequenceEqual(got.Tensors[i].Bytes),
                    $"{method} cut at {cut}: tensor {expected.Tensors[i].Name} of {expected.Tensors[i].Owner} differs");
            }
            Assert.Equal(expected.Text, got.Text);
            Assert.Equal(expected.Json, got.Json);
            Assert.Equal(expected.Candidates, got.Candidates);
        }
    }

    [Fact]
    public void AShrunkBsNasWorldRoundTripsWithItsDestroyedOpsAndReleasedTensors()
    {
        var config = Config("bs-nas");
        var store = new SnapshotStore(_dir, keep: 1);
        int ops, tensors;
        ActiveOptions active;
        Entity? gone = null;
        using (var s = OneShotSession.Create(config, OneShotSessionTests.TinyData()))
        {
            var before = s.Supernet.Ops().Select(o => o.Entity).ToList();
            s.Step();
            s.Step(); // the end of stage 1: shrink, destroy
            gone = before.First(e => !s.World.IsAlive(e));
            ops = s.World.CountOf<ChoiceOp>();
            tensors = s.World.Tensors.All().Count;
            active = s.World.Resource<ActiveOptions>();
            Assert.True(ops < before.Count);
            SearchSnapshot.Save(s, store);
        }
        using var world = SearchSnapshot.Read(store.PathFor(2)).Body;
        Assert.Equal(ops, world.CountOf<ChoiceOp>());
        Assert.Equal(tensors, world.Tensors.All().Count);
        Assert.False(world.IsAlive(gone.Value));
        var loaded = world.Resource<ActiveOptions>();
        Assert.Equal(active.Ops, loaded.Ops);
        Assert.Equal(active.Widths, loaded.Widths);
    }

    [Fact]
    public void BnOnlyTrainingStoppedMidwayGivesTheSameGammasAndBnScoreTable()
    {
        // methods.md part 2 §7 V9: stop BN-only training at step t, snapshot, resume; γ and the score table are bit-identical.
        var config = OneShotSessionTests.Tiny("bn-nas") with { Epochs = 2 };
        const int T = 2; // of 4 training steps
        static (List<float[]> Gammas, double[][] Table) Collect(ISearchSession s)
        {
            var training = 2 * s.Config.Epochs;
            while (s.Clock.Step < training) s.Step();
            var net = new Nas.Systems.OneShot.Supernet.OneShotSupernet(s.World);
            var gammas = net.Ops().OrderBy(o => (o.Op.Layer, o.Op.Choice, o.Op.Cell))
                .Select(o => net.Store.TryGet(o.Entity, "out.weight", out var g) ? g.ToFloatArray() : []).ToList();
            s.Step(); // the evolution's start builds the table
            return (gammas, s.World.Resource<BnScoreTable>().Table);
        }

        (List<float[]> Gammas, double[][] Table) straight;
        using (var s = OneShotSession.Create(config, OneShotSessionTests.TinyData())) straight = Collect(s);

        var store = new SnapshotStore(_dir, keep: 1);
        using (var s = OneShotSession.Create(config, OneShotSessionTests.TinyData()))
        {
            for (var i = 0; i < T; i++) s.Step();
            SearchSnapshot.Save(s, store);
        }
        using var resumed = SearchSnapshot.Resume(SearchSnapshot.Read(store.PathFor(T)).Body, _ => OneShotSessionTests.TinyData());
        var got = Collect(resumed);

        Assert.Contains(straight.Gammas, g => g.Length > 0);
        Assert.Equal(straight.Gammas.Count, got.Gammas.Count);
        for (var i = 0; i < straight.Gammas.Count; i++)
            Assert.True(straight.Gammas[i].AsSpan().SequenceEqual(got.Gammas[i]), $"γ of op {i} differs");
        Assert.Equal(straight.Table.Length, got.Table.Length);
        for (var l = 0; l < straight.Table.Length; l++)
            Assert.True(straight.Table[l].AsSpan().SequenceEqual(got.Table[l]), $"BN score table row {l} differs");
    }

    [Fact]
    public void TheResultOfALoadedOneShotSnapshotNeedsNoData()
    {
        var config = Config("spos");
        var store = new SnapshotStore(_dir, keep: 10);
        string training, evolving;
        using (var s = OneShotSession.Create(config, OneShotSessionTests.TinyData()))
        {
            s.Step();
            training = s.Result().Text.TrimEnd('\n');
            SearchSnapshot.Save(s, store);
            while (s.World.CountOf<ArchCandidate>() == 0) s.Step();
            evolving = s.Result().Text.TrimEnd('\n');
            SearchSnapshot.Save(s, store);
        }
        var newest = SearchSnapshot.LoadNewestValid(store, out _)!;
        using (var world = newest.Body)
        {
            Assert.Equal(evolving, SearchSnapshot.ResultText(world));
            Assert.Equal(evolving, newest.Header.Fields["genotype"]);
            Assert.StartsWith("layer 0: ", evolving);
            Assert.True(SearchSnapshot.IsOneShot(world));
        }
        using (var world = SearchSnapshot.Read(store.PathFor(1)).Body)
            Assert.Equal(training, SearchSnapshot.ResultText(world));
    }

    [Fact]
    public void ATruncatedOneShotSnapshotIsSkippedNamingTheFileAndTheOlderOneResumes()
    {
        var config = Config("spos");
        var store = new SnapshotStore(_dir, keep: 10);
        using (var s = OneShotSession.Create(config, OneShotSessionTests.TinyData()))
        {
            s.Step();
            SearchSnapshot.Save(s, store);
            s.Step();
            SearchSnapshot.Save(s, store);
        }
        var damaged = store.PathFor(2);
        var bytes = File.ReadAllBytes(damaged);
        File.WriteAllBytes(damaged, bytes[..(bytes.Length * 2 / 3)]);

        var loaded = SearchSnapshot.LoadNewestValid(store, out var skipped)!;
        var error = Assert.Single(skipped);
        Assert.Contains(damaged, error.Message);
        Assert.Equal(1, loaded.Header.Step);
        using var resumed = SearchSnapshot.Resume(loaded.Body, _ => OneShotSessionTests.TinyData());
        Assert.Equal(1, resumed.Clock.Step);
        resumed.Step();
        Assert.True(double.IsFinite(resumed.Metrics.TrainLoss));
    }

    [Fact]
    public void ASnapshotWithoutItsOneShotNetworkIsRefusedByName()
    {
        var store = new SnapshotStore(_dir, keep: 1);
        using (var s = OneShotSession.Create(Config("spos"), OneShotSessionTests.TinyData()))
        {
            s.Step();
            s.World.Destroy(s.Supernet.Network);
            SearchSnapshot.Save(s, store);
        }
        var world = SearchSnapshot.Read(store.PathFor(1)).Body;
        var e2 = Assert.Throws<InvalidOperationException>(() => SearchSnapshot.Resume(world, _ => OneShotSessionTests.TinyData()));
        Assert.Contains("one-shot network", e2.Message);
    }
}
