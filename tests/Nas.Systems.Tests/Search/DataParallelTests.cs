// Data-parallel search with two ranks as two threads of this process (a real Gloo group over 127.0.0.1, a file store): every differentiable
// preset keeps the ranks bit-identical, the shards make up the single-process batch, the all-reduced gradient is the mean of
// the shards' gradients, and a rank whose weights differ stops every rank with a clear error.
using Nas.Components;
using Nas.Systems.Data;
using Nas.Systems.Methods;
using Nas.Systems.Search;
using Nas.Torch;
using Nas.World;

namespace Nas.Systems.Tests.Search;

public sealed class DataParallelTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Runs <paramref name="body"/> as each of <paramref name="n"/> ranks on its own thread, with its own store and group.</summary>
    internal static T[] Ranks<T>(int n, Func<ProcessGroup, T> body)
    {
        var file = Path.Combine(Path.GetTempPath(), $"nas-test-store-{Guid.NewGuid():N}");
        var results = new T[n];
        var errors = new Exception?[n];
        var threads = Enumerable.Range(0, n).Select(rank => new Thread(() =>
        {
            try
            {
                using var store = DistributedStore.File(file, worldSize: n, Timeout);
                using var group = new ProcessGroup(store, rank, n, Timeout, "127.0.0.1");
                results[rank] = body(group);
            }
            catch (Exception e) { errors[rank] = e; }
        })).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        foreach (var e in errors) if (e is not null) throw new AggregateException(e);
        return results;
    }

    private static string[] Bits(IEnumerable<Tensor> tensors) => tensors.Select(t => Convert.ToHexString(System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.ToFloatArray().AsSpan()))).ToArray();

    [Theory]
    [InlineData("darts")]
    [InlineData("pc-darts")]
    [InlineData("bnas-d")]
    [InlineData("bnas-v2-clr")]
    [InlineData("bnas-v2-pc")]
    [InlineData("dropnas")]
    public void TwoRanksOfEveryPresetHoldTheSameWeightsAndAlphasBitForBit(string method)
    {
        var config = PresetRunTests.TinyPreset(method);
        var r = Ranks(2, group =>
        {
            using var single = SearchSession.Create(config, DartsSearchTests.TinyData());
            var session = single.InParallel(new DataParallel(group, CheckEvery: 2));
            session.World.CheckAccesses = true; // the all-reduce and check systems touch only what they declare
            var alphaBefore = Bits(session.AgreedTensors().Skip(((SearchSession)session).Runtime.WeightCount));
            for (var i = 0; i < 4; i++) session.Step();
            var digest = Agreement.Check(group, session.AgreedTensors(), session.Clock.Step);
            return (Alpha: Bits(session.AgreedTensors()), alphaBefore, digest, group.Calls, session.Metrics.TrainLoss);
        });
        Assert.Equal(r[0].Alpha, r[1].Alpha);
        Assert.Equal(r[0].digest, r[1].digest);
        Assert.NotEqual(r[0].alphaBefore, r[0].Alpha[^r[0].alphaBefore.Length..]);       // the search moved alpha
        Assert.NotEqual(r[0].TrainLoss, r[1].TrainLoss);                                 // ... on different shards
    }

    [Fact]
    public void TwoRanksOfSposTrainTheSameSupernetAndEvolveTheSamePopulationFromSplitScoring()
    {
        var config = OneShot.OneShotSessionTests.Tiny("spos");
        var r = Ranks(2, group =>
        {
            using var single = OneShotSession.Create(config, OneShot.OneShotSessionTests.TinyData());
            var session = single.InParallel(new DataParallel(group, CheckEvery: 1)); // checked after every step
            var steps = 0;
            while (!session.Finished) { session.Step(); steps++; }
            var evolution = session.World.Resource<EvolutionState>();
            var scored = evolution.Evaluated.Select(c => $"{string.Join(",", c.Genes)}:{BitConverter.DoubleToInt64Bits(c.Fitness)}").ToArray();
            return (Weights: Bits(session.AgreedTensors()), scored, steps, evolution.Generation, Result: session.Result().Text);
        });
        Assert.Equal(r[0].Weights, r[1].Weights);
        Assert.Equal(r[0].scored, r[1].scored);
        Assert.Equal(r[0].Result, r[1].Result);
        Assert.Equal(config.Generations, r[0].Generation);
        Assert.True(r[0].scored.Length >= config.Population, $"only {r[0].scored.Length} candidates scored");
    }

    [Fact]
    public void TheOneShotAgreementCheckRunsUnderCheckedAccesses()
    {
        // OneShotSession.Agreed builds a OneShotSupernet, which queries OneShotNetwork and ChoiceOp: the system declares them.
        var config = OneShot.OneShotSessionTests.Tiny("spos");
        var digests = Ranks(2, group =>
        {
            using var single = OneShotSession.Create(config, OneShot.OneShotSessionTests.TinyData());
            var session = Assert.IsType<OneShotSession>(single.InParallel(new DataParallel(group, CheckEvery: 1)));
            session.World.CheckAccesses = true;
            var check = session.Schedule.Entries.Single(e => e.System.Name == "check-rank-agreement").System;
            session.World.RunSystem(check, 0);
            return Agreement.Digest(session.AgreedTensors());
        });
        Assert.Equal(digests[0], digests[1]);
    }

    [Fact]
    public void SplitScoringGivesEveryRankEveryScoreWhileEachScoresItsSlice()
    {
        var genomes = Enumerable.Range(0, 7).Select(i => new[] { i, i + 1 }).ToArray();
        var r = Ranks(2, group =>
        {
            var mine = new List<int>();
            var fitness = ParallelScoring.Split(group, f => { foreach (var g in genomes) f(g); },
                g => { mine.Add(g[0]); return g[0] * 0.1 + 1e-17; }, g => string.Join(",", g));
            return (Scores: genomes.Select(fitness).ToArray(), mine);
        });
        Assert.Equal(r[0].Scores, r[1].Scores);
        Assert.Equal(genomes.Select(g => g[0] * 0.1 + 1e-17).ToArray(), r[0].Scores); // float64 all the way: exact
        Assert.Equal([0, 2, 4, 6], r[0].mine);
        Assert.Equal([1, 3, 5], r[1].mine);
    }

    [Fact]
    public void TheRanksShardsMakeUpTheSingleProcessBatch()
    {
        var data = DartsSearchTests.TinyData();
        var range = new IndexRange(0, 40);
        var whole = new BatchStream(data, range, 12, seed: 5, Augmentation.ForSearch(data.Height));
        var shards = Enumerable.Range(0, 3).Select(r => new BatchStream(data, range, 12, seed: 5, Augmentation.ForSearch(data.Height)) { Shard = new DataShard(r, 3) }).ToArray();
        var size = data.ImageSize;
        for (var step = 0; step < 5; step++) // 40 = 12 + 12 + 12 + 4: the last batch of each epoch is 4 images over 3 ranks
        {
            var images = new float[12 * size];
            var labels = new long[12];
            var n = whole.Fill(images, labels);
            var joined = new List<float>();
            var joinedLabels = new List<long>();
            foreach (var s in shards)
            {
                var si = new float[12 * size];
                var sl = new long[12];
                var m = s.Fill(si, sl);
                joined.AddRange(si.AsSpan(0, m * size).ToArray());
                joinedLabels.AddRange(sl.AsSpan(0, m).ToArray());
                Assert.Equal(whole.State, s.State);
                Assert.Equal(n, s.LastGlobalSize);
            }
            Assert.Equal(images.AsSpan(0, n * size).ToArray(), joined);
            Assert.Equal(labels.AsSpan(0, n).ToArray(), joinedLabels);
        }
    }

    [Fact]
    public void UnequalShardsAreWeightedSoEveryImageCountsAlikeAcrossThreeRanks()
    {
        // 11 images in batches of 4 (4 + 4 + 3). Global batches of 4 split 1/1/2 over 3 ranks, the last of 3 split 1/1/1. The loss is the mean over the shard of
        // w * sum(image), so its gradient is the shard's mean of sum(image); the weighted average must be the global mean.
        var data = DartsSearchTests.TinyData();
        var range = new IndexRange(0, 11);
        var results = Ranks(3, group =>
        {
            var stream = new BatchStream(data, range, 4, seed: 9) { Shard = new DataShard(group.Rank, 3) };
            var got = new List<double>();
            for (var step = 0; step < 3; step++)
            {
                using var scope = new TensorScope();
                var batch = stream.Next(scope);
                using var w = Tensor.FromSpan([1f], [1]).SetRequiresGrad();
                var loss = scope.Own(scope.Own(scope.Own(batch.Images.Sum()).Mul(w)).Div(batch.Size));
                var grads = Autograd.Grad([loss], [w]);
                AllReduceGradientsSystem.Average(group, grads, stream);
                got.Add(grads[0]!.ToFloatArray()[0]);
                grads[0]!.Dispose();
            }
            return got.ToArray();
        });
        var whole = new BatchStream(data, range, 4, seed: 9);
        for (var step = 0; step < 3; step++)
        {
            using var scope = new TensorScope();
            var batch = whole.Next(scope);
            var expected = batch.Images.ToFloatArray().Sum(v => (double)v) / batch.Size;
            // float32 sums in another order (per shard, then the ring): a relative 1e-5.
            foreach (var r in results) Assert.Equal(expected, r[step], Math.Abs(expected) * 1e-5 + 1e-6);
        }
        Assert.Equal(results[0], results[1]);
        Assert.Equal(results[0], results[2]);
    }

    [Fact]
    public void AShardingThatLeavesARankWithoutImagesIsRefused()
    {
        var data = DartsSearchTests.TinyData();
        var s = new BatchStream(data, new IndexRange(0, 33), 8, seed: 1);
        var e = Assert.Throws<ArgumentException>(() => s.Shard = new DataShard(0, 2)); // 33 = 4 x 8 + 1
        Assert.Contains("last batch", e.Message);
    }

    [Fact]
    public void TheAllReducedGradientIsTheMeanOfTheShardsGradients()
    {
        // The first architecture pass of darts, as ranks: feed, mixing weights, forward, backward, all-reduce.
        var config = PresetRunTests.TinyPreset("darts");
        static Schedule ArchPass(bool parallel)
        {
            var s = new Schedule(DifferentiableMethod.Phases);
            s.Add(new FeedBatchesSystem(), "Feed");
            s.Add(new MixingWeightsSystem(), "Architecture");
            s.Add(new ForwardLossSystem(PassBatch.Architecture), "Architecture");
            s.Add(new BackwardSystem(GradientTargets.Arch), "Architecture");
            if (parallel) s.Add(new AllReduceGradientsSystem(GradientTargets.Arch), "Architecture");
            return s;
        }
        var ranks = Ranks(2, group =>
        {
            using var session = SearchSession.Create(config, DartsSearchTests.TinyData());
            session.InParallel(new DataParallel(group, CheckEvery: 0));
            ArchPass(parallel: true).Run(session.World, 0);
            return GradientComponents.Arch(session.World).Select(g => g!.ToFloatArray()).ToArray();
        });
        // One process: the whole batch of 8, forward and backward on each half (the shards) and their mean, (g0 + g1) / 2.
        using var one = SearchSession.Create(config, DartsSearchTests.TinyData());
        ArchPass(parallel: false).Run(one.World, 0);
        var batch = one.World.Resource<StepTensors>().Val!.Value;
        var halves = new List<Tensor?[]>();
        foreach (var (start, length) in new[] { (0, 4), (4, 4) })
        {
            using var scope = new TensorScope();
            var images = scope.Own(batch.Images.Narrow(0, start, length));
            var labels = scope.Own(batch.Labels.Narrow(0, start, length));
            var (normal, reduce) = SearchForward.CellWeightsOf(one.World, one.Runtime, masks: null, scope); // each half its own graph
            var logits = SearchForward.Run(one.World, one.Runtime, images, normal, reduce, training: true, scope, one.World.ReadResource<ForwardSettings>().Mode);
            var loss = scope.Own(logits.CrossEntropy(labels));
            halves.Add(Autograd.Grad([loss], one.Runtime.Arch(one.World)));
        }
        for (var i = 0; i < one.Runtime.ArchCount; i++)
        {
            using var sum = halves[0][i]!.Add(halves[1][i]!);
            using var mean = sum.Div(2.0);
            // Bit for bit with two ranks: Gloo adds the same two float32 values (addition commutes) and divides by 2 alike.
            Assert.Equal(mean.ToFloatArray(), ranks[0][i]);
            Assert.Equal(mean.ToFloatArray(), ranks[1][i]);
        }
        foreach (var h in halves) foreach (var g in h) g?.Dispose();
    }

    [Fact]
    public void ARankWhoseWeightsDifferStopsEveryRankNamingIt()
    {
        var errors = Ranks(2, group =>
        {
            using var t = Tensor.FromSpan([1f, 2f, group.Rank == 1 ? 3.5f : 3f], [3]);
            return Record.Exception(() => Agreement.Check(group, [t], step: 7));
        });
        foreach (var e in errors)
        {
            var d = Assert.IsType<RankDivergenceException>(e);
            Assert.Contains("rank(s) 1", d.Message);
            Assert.Contains("step 7", d.Message);
        }
    }
}
