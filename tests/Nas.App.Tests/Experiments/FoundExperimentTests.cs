// The found-vs-random experiment at the smallest size: its CSV and table, resuming without redoing trainings, and the random genotype sampler.
using Nas.App.Experiments;
using Nas.App.Tests.Inputs;
using Nas.Components;
using Nas.Systems.Genotypes;
using Nas.Systems.Spaces.Eval;
using Nas.Torch;

namespace Nas.App.Tests.Experiments;

[Collection("Console")] // the searches print progress and their result on the console
public sealed class FoundExperimentTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nas-found-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private FoundOptions Tiny() => new()
    {
        OutDir = _dir, Dataset = "synthetic:1x8x8:48", SearchSubset = 0, SearchEpochs = 1, SearchLayers = 3, SearchChannels = 4, SearchBatch = 8,
        TrainSubset = 0, TrainEpochs = 1, TrainLayers = 3, TrainChannels = 4, TrainBatch = 16, Randoms = 2, Seeds = 2, Threads = 1,
    };

    private string Csv => Path.Combine(_dir, "found.csv");

    [Fact]
    public void TheExperimentWritesARowPerTrainingAndResumesWithoutRedoingFinishedOnes()
    {
        var first = FoundExperiment.Run(Tiny(), TextWriter.Null);
        Assert.False(first.Stopped);
        Assert.Equal(2, first.Searches);
        Assert.Equal(2 * 3 * 2, first.Trainings); // 2 methods × (found + 2 random) × 2 seeds
        var lines = File.ReadAllLines(Csv);
        Assert.Equal(FoundExperiment.CsvHeader, lines[0]);
        Assert.Equal(1 + 12, lines.Length);
        var rows = FoundExperiment.ReadCsv(Csv);
        Assert.All(rows, r => Assert.InRange(r.TestAccuracy, 0, 1));
        Assert.All(rows, r => Assert.True(r.Params > 0));
        Assert.Equal(["stacked"], rows.Where(r => r.Method == "darts").Select(r => r.Space).Distinct());
        Assert.Equal(["broad"], rows.Where(r => r.Method == "bnas-v2-pc").Select(r => r.Space).Distinct());
        // The found row carries the genotype its search wrote; the random rows carry their own.
        var found = GenotypeText.Parse(File.ReadAllText(Path.Combine(_dir, "search-darts", "genotype.txt")));
        Assert.All(rows.Where(r => r.Method == "darts" && r.Genotype == "found"), r => Assert.Equal(found.ToDartsString(), r.Cell));
        Assert.Equal(2, rows.Where(r => r.Genotype.StartsWith("random-", StringComparison.Ordinal)).Select(r => r.Cell).Distinct().Count());
        var md = File.ReadAllText(Path.Combine(_dir, "found.md"));
        Assert.Contains("| darts | stacked |", md);
        Assert.Contains("| bnas-v2-pc | broad |", md);

        // Run again: everything is done, nothing is searched or trained.
        var second = FoundExperiment.Run(Tiny(), TextWriter.Null);
        Assert.Equal((0, 0), (second.Searches, second.Trainings));
        Assert.Equal(lines, File.ReadAllLines(Csv));

        // An interruption lost the last two rows: exactly those two trainings run again, and reach the same figures (same seed).
        File.WriteAllLines(Csv, lines[..^2]);
        var third = FoundExperiment.Run(Tiny(), TextWriter.Null);
        Assert.Equal((0, 2), (third.Searches, third.Trainings));
        var redone = FoundExperiment.ReadCsv(Csv);
        Assert.Equal(rows.Select(r => r with { Seconds = 0 }), redone.Select(r => r with { Seconds = 0 }));
    }

    [Fact]
    public void AnotherConfigurationInTheSameFolderIsRefusedNamingWhatChanged()
    {
        FoundExperiment.Run(Tiny() with { Methods = ["darts"], Randoms = 1, Seeds = 1 }, TextWriter.Null);
        var e = Assert.Throws<ArgumentException>(() => FoundExperiment.Run(Tiny() with { Methods = ["darts"], Randoms = 1, Seeds = 1, TrainEpochs = 2 }, TextWriter.Null));
        Assert.Contains("TrainEpochs was 1, now 2", e.Message);
    }

    [Theory]
    [InlineData("--methods", "spos", "not a differentiable search")]
    [InlineData("--seeds", "0", "--seeds 0: at least one seed")]
    [InlineData("--train-layers", "2", "layers must be at least 3")]
    [InlineData("--search-channels", "0", "the darts search cannot run")]
    [InlineData("--methods", "darts,darts", "a method is named twice")]
    public void BadFlagsAreRefusedBeforeAnythingIsWritten(string flag, string value, string says)
    {
        var outDir = Path.Combine(_dir, "out");
        var (code, _, stderr) = CliRun.Run(["experiment", "found", "--dataset", "synthetic:1x8x8:48", "--search-subset", "0", "--train-subset", "0", "--out", outDir, flag, value]);
        Assert.Equal(2, code);
        Assert.Contains(says, stderr);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void TheSearchIsThePresetWithTheBudgetsSizesAndScaledRates()
    {
        var o = new FoundOptions { ArchLrScale = 10 };
        var config = FoundExperiment.SearchConfigFor("bnas-v2-pc", o);
        var preset = Nas.Systems.Methods.Presets.For("bnas-v2-pc");
        Assert.Equal(preset.Lr * 64 / 512, config.Lr, 15); // batch 64 of the preset's 512: the weight lr scaled linearly
        Assert.Equal(preset.ArchLr * 10, config.ArchLr, 15);
        Assert.Equal(1, config.WarmupEpochs); // the preset's 15 of 50 epochs kept as a share of 4, rounded down: floor(1.2)
        Assert.Equal((SearchSpace.Broad, 2000, 8, 4, 64), (config.Space, config.Subset, config.Channels, config.Epochs, config.Batch));
    }

    [Fact]
    public void TheSamplerGivesValidDartsFormGenotypesDistinctAcrossSeeds()
    {
        var genotypes = Enumerable.Range(0, 50).Select(k => RandomGenotype.Sample((ulong)k)).ToList();
        Assert.Equal(50, genotypes.Select(g => g.ToDartsString()).Distinct().Count());
        Assert.Equal(genotypes[7].ToDartsString(), RandomGenotype.Sample(7).ToDartsString());
        foreach (var g in genotypes)
            foreach (var (edges, concat) in new[] { (g.Normal, g.NormalConcat), (g.Reduce, g.ReduceConcat) })
            {
                Assert.Equal(8, edges.Count);
                Assert.Equal([2, 3, 4, 5], concat);
                for (var node = 0; node < 4; node++)
                {
                    var (a, b) = (edges[2 * node], edges[2 * node + 1]);
                    Assert.NotEqual(a.Input, b.Input); // two distinct inputs, as derivation picks them
                    Assert.InRange(a.Input, 0, node + 1);
                    Assert.InRange(b.Input, 0, node + 1);
                    Assert.NotEqual(OpKind.None, a.Op);
                    Assert.NotEqual(OpKind.None, b.Op);
                }
            }
        // Over many draws every op and every input of the last node turns up: nothing of the space is left out.
        var many = Enumerable.Range(0, 400).Select(k => RandomGenotype.Sample((ulong)k)).ToList();
        Assert.Equal(RandomGenotype.Ops.OrderBy(o => o), many.SelectMany(g => g.Normal.Concat(g.Reduce)).Select(e => e.Op).Distinct().OrderBy(o => o));
        Assert.Equal([0, 1, 2, 3, 4], many.SelectMany(g => g.Normal.Skip(6)).Select(e => e.Input).Distinct().Order());
    }

    [Theory]
    [InlineData(SearchSpace.Stacked, 3)]
    [InlineData(SearchSpace.Broad, 3)]
    public void TheEvaluationNetworksBuildEverySampledGenotype(SearchSpace space, int layers)
    {
        var spec = new EvalNetworkSpec(space, layers, 4, 1, 1, 8, 10);
        for (var k = 0; k < 5; k++)
        {
            var genotype = RandomGenotype.Sample((ulong)k);
            spec.Check(genotype);
            using var g = new Generator(1);
            using var net = spec.Create(genotype, g, auxiliary: false);
            Assert.Equal(spec.Cost(genotype).Params, net.ParameterCount());
        }
    }
}
