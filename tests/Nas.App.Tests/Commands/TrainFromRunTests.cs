// `nas train --from RUN_DIR`: the run's genotype.json in its recorded space, the same network as --genotype; and its refusals.
using System.Text.Json;
using Nas.App.Config;
using Nas.App.Tests.Inputs;
using Nas.Components;
using Nas.Systems.Genotypes;
using Nas.Systems.Methods;

namespace Nas.App.Tests.Commands;

[Collection("Console")]
public sealed class TrainFromRunTests : IDisposable
{
    private const string Cell =
        "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('skip_connect', 0), ('dil_conv_3x3', 2), ('max_pool_3x3', 1), " +
        "('sep_conv_5x5', 3), ('avg_pool_3x3', 0), ('dil_conv_5x5', 4)], normal_concat=range(2, 6), reduce=[('max_pool_3x3', 0), " +
        "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), " +
        "('avg_pool_3x3', 1)], reduce_concat=range(2, 6))";

    private static readonly string[] TrainFlags =
        ["--dataset", "synthetic:1x8x8:64", "--layers", "3", "--channels", "4", "--epochs", "1", "--batch", "16", "--threads", "1", "--seed", "3"];

    private readonly string _dir = Directory.CreateTempSubdirectory("nas-train-from-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Path_(string name) => Path.Combine(_dir, name);

    /// <summary>A finished one-epoch search of <paramref name="method"/> on 48 synthetic 8x8 images (a second or two).</summary>
    private string Search(string method)
    {
        var run = Path_($"search-{method}");
        var (code, _, stderr) = CliRun.Run(["search", "--method", method, "--dataset", "synthetic:1x8x8:48", "--layers", "3", "--channels", "4",
            "--batch", "8", "--epochs", "1", "--seed", "7", "--threads", "1", "--out", run]);
        Assert.True(code == 0, stderr);
        return run;
    }

    /// <summary>A run folder written by hand: config.yaml of a 3-epoch darts search, epochs.jsonl up to <paramref name="epochs"/>, and a genotype.json.</summary>
    private string HandRun(int epochs, string? genotypeJson)
    {
        var run = Path_("hand");
        Directory.CreateDirectory(run);
        File.WriteAllText(Path.Combine(run, "config.yaml"), ConfigFile.ToYaml(Presets.For("darts") with { Epochs = 3 }));
        File.WriteAllLines(Path.Combine(run, "epochs.jsonl"), Enumerable.Range(0, epochs).Select(e => $"{{\"epoch\":{e},\"step\":{4 * (e + 1)}}}"));
        if (genotypeJson is not null) File.WriteAllText(Path.Combine(run, "genotype.json"), genotypeJson);
        return run;
    }

    private static JsonElement Config(string run) => JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json"))).RootElement;

    private static double FirstTrainLoss(string run) =>
        JsonDocument.Parse(File.ReadLines(Path.Combine(run, "epochs.jsonl")).First()).RootElement.GetProperty("train_loss").GetDouble();

    [Theory]
    [InlineData("darts", "stacked")]
    [InlineData("bnas-v2-pc", "broad")]
    public void FromAFinishedSearchTrainsTheSameNetworkAsGenotypeWithItsGenotypeJson(string method, string space)
    {
        var search = Search(method);
        var (a, b) = (Path_("from"), Path_("genotype"));
        var (codeA, _, errA) = CliRun.Run(["train", "--from", search, .. TrainFlags, "--out", a]);
        Assert.True(codeA == 0, errA);
        var (codeB, _, errB) = CliRun.Run(["train", "--genotype", Path.Combine(search, "genotype.json"), .. TrainFlags, "--out", b]);
        Assert.True(codeB == 0, errB);
        Assert.Equal(space, Config(a).GetProperty("space").GetString());
        Assert.Equal(Config(b).GetProperty("genotype").GetString(), Config(a).GetProperty("genotype").GetString());
        Assert.Equal(Config(b).GetProperty("parameters").GetInt64(), Config(a).GetProperty("parameters").GetInt64());
        Assert.Equal(Path.GetFullPath(search), Config(a).GetProperty("from").GetString());
        // Same network, seed and data: the same first epoch, bit for bit (one thread, CPU).
        Assert.Equal(FirstTrainLoss(b), FirstTrainLoss(a));
    }

    [Fact]
    public void GenotypeAndFromTogetherAreRefused()
    {
        var run = HandRun(3, GenotypeText.Parse(Cell).ToJson(SearchSpace.Stacked));
        var (code, _, stderr) = CliRun.Run(["train", "--from", run, "--genotype", Path.Combine(run, "genotype.json"), .. TrainFlags, "--out", Path_("out")]);
        Assert.Equal(2, code);
        Assert.Contains("give one", stderr);
        Assert.False(Directory.Exists(Path_("out")));
    }

    [Fact]
    public void NeitherGenotypeNorFromIsRefusedAskingForOne()
    {
        var (code, _, stderr) = CliRun.Run(["train", .. TrainFlags, "--out", Path_("out")]);
        Assert.Equal(2, code);
        Assert.Contains("give --genotype FILE or --from RUN_DIR", stderr);
        Assert.False(Directory.Exists(Path_("out")));
    }

    [Theory]
    [InlineData("missing", "no such run folder")]
    [InlineData("empty", "not a search's run folder")]
    [InlineData("no-genotype", "no genotype.json yet")]
    [InlineData("unfinished", "the search has not finished: epochs.jsonl ends at epoch 2 of 3")]
    public void AFolderWithoutAFinishedSearchIsRefusedSayingWhy(string state, string says)
    {
        var run = state switch
        {
            "missing" => Path_("nothing-here"),
            "empty" => Directory.CreateDirectory(Path_("empty")).FullName,
            "no-genotype" => HandRun(0, null),
            _ => HandRun(2, GenotypeText.Parse(Cell).ToJson(SearchSpace.Stacked)),
        };
        var (code, stdout, stderr) = CliRun.Run(["train", "--from", run, .. TrainFlags, "--out", Path_("out")]);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains(says, stderr);
        Assert.False(Directory.Exists(Path_("out")));
    }

    [Theory]
    [InlineData("{\"space\": \"stacked\", \"normal\": [[\"sep_conv_3x3\", 0], [\"sep_conv_3x3\", 1]], \"normal_concat\": [2], \"reduce\": [[\"max_pool_3x3\", 0], [\"max_pool_3x3\", 1]]}",
        "missing field 'reduce_concat'")]
    [InlineData("{\"space\": \"stacked\", \"normal\": [", "genotype.json: ")]
    [InlineData("{\"space\": \"nb201\", \"genome\": [1, 2]}", "space 'nb201' has no DARTS-form cells")]
    public void ACorruptGenotypeJsonIsRefusedNamingTheFileAndField(string json, string says)
    {
        var run = HandRun(3, json);
        var (code, _, stderr) = CliRun.Run(["train", "--from", run, .. TrainFlags, "--out", Path_("out")]);
        Assert.Equal(2, code);
        Assert.Contains(Path.Combine(run, "genotype.json"), stderr);
        Assert.Contains(says, stderr);
        Assert.False(Directory.Exists(Path_("out")));
    }

    [Fact]
    public void ASpaceFlagThatContradictsTheRunIsRefused()
    {
        var run = HandRun(3, GenotypeText.Parse(Cell).ToJson(SearchSpace.Stacked));
        var (code, _, stderr) = CliRun.Run(["train", "--from", run, "--space", "broad", .. TrainFlags, "--out", Path_("out")]);
        Assert.Equal(2, code);
        Assert.Contains("records space 'stacked', but --space is 'broad'", stderr);
        Assert.False(Directory.Exists(Path_("out")));
    }
}
