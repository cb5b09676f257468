// Search snapshots in one process: save mid-run, load into a fresh world, resume, and match an uninterrupted run bit for bit.
using Nas.Systems.Methods;
using Nas.Systems.Search;
using Nas.World.Snapshots;

namespace Nas.Systems.Tests.Search;

public sealed class SearchSnapshotTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nas-search-snap-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static unsafe byte[][] AllTensorBytes(World.World world) =>
        world.Tensors.All().Select(t =>
        {
            var (data, bytes) = t.Tensor.UnsafeData();
            return new ReadOnlySpan<byte>((void*)data, (int)bytes).ToArray();
        }).ToArray();

    [Fact]
    public void AResumedSearchMatchesAnUninterruptedOneBitForBit()
    {
        const int Steps = 6;
        var straightLosses = new List<(double, double)>();
        byte[][] straightTensors;
        string straightGenotype;
        using (var s = SearchSession.Create(DartsSearchTests.Tiny(), DartsSearchTests.TinyData()))
        {
            for (var i = 0; i < Steps; i++) { s.Step(); straightLosses.Add((s.Metrics.TrainLoss, s.Metrics.ValLoss)); }
            straightTensors = AllTensorBytes(s.World);
            straightGenotype = s.Genotype().ToDartsString();
        }

        var resumedLosses = new List<(double, double)>();
        var store = new SnapshotStore(_dir, keep: 2);
        using (var s = SearchSession.Create(DartsSearchTests.Tiny(), DartsSearchTests.TinyData()))
        {
            for (var i = 0; i < Steps / 2; i++) { s.Step(); resumedLosses.Add((s.Metrics.TrainLoss, s.Metrics.ValLoss)); }
            SearchSnapshot.Save(s, store);
            s.Step(); // steps after the snapshot are lost, as in a crash
        }
        var loaded = SearchSnapshot.LoadNewestValid(store, out var skipped)!;
        Assert.Empty(skipped);
        Assert.Equal(Steps / 2, loaded.Header.Step);
        using (var s = Assert.IsType<SearchSession>(SearchSnapshot.Resume(loaded.Body, _ => DartsSearchTests.TinyData())))
        {
            Assert.Equal(Steps / 2, s.Clock.Step);
            while (s.Clock.Step < Steps) { s.Step(); resumedLosses.Add((s.Metrics.TrainLoss, s.Metrics.ValLoss)); }
            Assert.Equal(straightLosses, resumedLosses);
            Assert.Equal(straightTensors, AllTensorBytes(s.World));
            Assert.Equal(straightGenotype, s.Genotype().ToDartsString());
        }
    }

    [Fact]
    public void TheGenotypeOfALoadedSnapshotNeedsNoData()
    {
        var store = new SnapshotStore(_dir, keep: 1);
        string expected;
        using (var s = SearchSession.Create(DartsSearchTests.Tiny(), DartsSearchTests.TinyData()))
        {
            s.Step();
            expected = s.Genotype().ToDartsString();
            SearchSnapshot.Save(s, store);
        }
        using var world = SearchSnapshot.Read(store.PathFor(1)).Body;
        Assert.Equal(expected, SearchSnapshot.Genotype(world).ToDartsString());
        Assert.Equal("darts", SearchSnapshot.ConfigOf(world).Method);
    }
}
