// `nas info --genotype` and `nas train --genotype` on stacked and broad genotypes: the counts printed, the space rule, refusals, short runs.
using System.Globalization;
using System.Text.Json;
using Nas.App.Tests.Inputs;
using Nas.Components;
using Nas.Systems.Genotypes;
using Nas.Systems.Spaces.Broad;
using Nas.Systems.Spaces.Darts;

namespace Nas.App.Tests.Commands;

[Collection("Console")]
public sealed class GenotypeCommandTests : IDisposable
{
    // DARTS_V2 (quark0/darts genotypes.py, methods.md §1.6) and BNASv2_CLR_v1 (zixiangding/BNASv2 BNASv2CLR/genotypes.py).
    private const string DartsV2 =
        "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), " +
        "('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), " +
        "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), " +
        "('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])";
    private const string ClrV1 =
        "Genotype(normal=[('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('avg_pool_3x3', 2), ('sep_conv_5x5', 1), " +
        "('sep_conv_3x3', 3), ('sep_conv_3x3', 1), ('dil_conv_3x3', 2)], normal_concat=range(2, 6), reduce=[('avg_pool_3x3', 0), " +
        "('dil_conv_3x3', 1), ('avg_pool_3x3', 0), ('avg_pool_3x3', 2), ('avg_pool_3x3', 2), ('avg_pool_3x3', 3), ('avg_pool_3x3', 2), " +
        "('max_pool_3x3', 1)], reduce_concat=range(2, 6))";

    private readonly string _dir = Directory.CreateTempSubdirectory("nas-genotype-cmd-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static string Line(string stdout, string label) => stdout.Split('\n').Single(l => l.StartsWith(label + " ", StringComparison.Ordinal));

    private static string N0(long v) => v.ToString("N0", CultureInfo.InvariantCulture);

    [Fact]
    public void InfoOfAStackedGenotypePrintsTheCountsOfTheNetworkTrainWouldBuild()
    {
        var (code, stdout, stderr) = CliRun.Run(["info", "--genotype", Write("darts_v2.txt", DartsV2), "--space", "stacked", "--layers", "20", "--channels", "36"]);
        Assert.True(code == 0, stderr);
        // 3,349,342: methods.md §1.8 (DARTS_V2, 20 cells, C = 36, CIFAR, head excluded); the MACs are the counter's for the same layout.
        var genotype = GenotypeText.Parse(DartsV2);
        var cost = Counting.EvalNetwork(new StackedLayout(20, 36, 3, 32, 10), genotype);
        Assert.Contains("3,349,342", Line(stdout, "parameters"));
        Assert.Contains(N0(cost.Macs), Line(stdout, "MACs"));
        Assert.Contains("20 cells (reductions at 6, 13), C=36", Line(stdout, "network"));
        Assert.Contains("auxiliary head after cell 13 in training: 476,426 more parameters", Line(stdout, "network"));
    }

    [Fact]
    public void InfoOfABroadGenotypeJsonUsesTheSpaceTheSearchRecorded()
    {
        var json = Write("genotype.json", GenotypeText.Parse(ClrV1).ToJson(SearchSpace.Broad));
        var (code, stdout, stderr) = CliRun.Run(["info", "--genotype", json, "--channels", "48"]);
        Assert.True(code == 0, stderr);
        // 3,338,074: methods.md §1.8 (BNASv2_CLR_v1 in the BCNN, C = 48, 6 deep + 2 enhancement cells: the defaults of D and E).
        var layout = new BroadEvalLayout(48, 6, 2, 2, 3, 32, 10);
        Assert.Contains("3,338,074", Line(stdout, "parameters"));
        Assert.Contains(N0(BroadCounting.EvalNetwork(layout, GenotypeText.Parse(ClrV1)).Macs), Line(stdout, "MACs"));
        Assert.Contains("BCNN evaluation network: 6 deep cells (reductions at 2, 5) + 2 enhancement cells, C=48, no auxiliary head", Line(stdout, "network"));
    }

    [Fact]
    public void InfoTakesTheBroadSizesFromItsFlags()
    {
        var (code, stdout, stderr) = CliRun.Run(["info", "--genotype", Write("clr.txt", ClrV1), "--space", "broad", "--layers", "9", "--enhancement", "3",
            "--channels", "12", "--input", "1x28x28"]);
        Assert.True(code == 0, stderr);
        var layout = new BroadEvalLayout(12, 9, 2, 3, 1, 28, 10);
        Assert.Contains(N0(BroadCounting.EvalNetwork(layout, GenotypeText.Parse(ClrV1)).Params), Line(stdout, "parameters"));
        Assert.Contains("9 deep cells (reductions at 3, 7) + 3 enhancement cells, C=12", Line(stdout, "network"));
    }

    [Theory]
    [InlineData("info")]
    [InlineData("train")]
    public void ADartsLiteralWithoutASpaceIsRefusedAskingForOne(string command)
    {
        string[] args = command == "info"
            ? ["info", "--genotype", Write("g.txt", DartsV2)]
            : ["train", "--genotype", Write("g.txt", DartsV2), "--dataset", "synthetic:1x8x8:64", "--out", Path.Combine(_dir, "run")];
        var (code, stdout, stderr) = CliRun.Run(args);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("g.txt does not say which network it is for", stderr);
        Assert.Contains("--space stacked", stderr);
        Assert.False(Directory.Exists(Path.Combine(_dir, "run")));
    }

    [Fact]
    public void AStackedGenotypeJsonIsRefusedForTheBroadNetworkNamingWhy()
    {
        var json = Write("genotype.json", GenotypeText.Parse(DartsV2).ToJson(SearchSpace.Stacked));
        var (code, _, stderr) = CliRun.Run(["train", "--genotype", json, "--space", "broad", "--dataset", "synthetic:1x8x8:64", "--out", Path.Combine(_dir, "run")]);
        Assert.Equal(2, code);
        Assert.Contains("records space 'stacked', but --space is 'broad'", stderr);
        Assert.Contains("not the enhancement-cell genotype the broad network needs", stderr);
        Assert.False(Directory.Exists(Path.Combine(_dir, "run")));
    }

    [Theory]
    [InlineData("stacked", "--enhancement", "2", "only the broad space's network has enhancement cells")]
    [InlineData("broad", "--auxiliary-weight", "0.4", "no auxiliary head")]
    [InlineData("broad", "--layers", "1", "layers (deep cells) must be at least 2")]
    [InlineData("sideways", "--channels", "4", "--space 'sideways': expected stacked or broad")]
    public void FlagsTheChosenNetworkCannotTakeAreRefused(string space, string flag, string value, string says)
    {
        var (code, _, stderr) = CliRun.Run(["train", "--genotype", Write("g.txt", ClrV1), "--space", space, flag, value,
            "--dataset", "synthetic:1x8x8:64", "--out", Path.Combine(_dir, "run")]);
        Assert.Equal(2, code);
        Assert.Contains(says, stderr);
        Assert.False(Directory.Exists(Path.Combine(_dir, "run")));
    }

    [Fact]
    public void ABroadGenotypeWithTheZeroOpIsRefusedNamingThePair()
    {
        var file = Write("g.txt", ClrV1.Replace("('max_pool_3x3', 1)], reduce_concat", "('none', 1)], reduce_concat"));
        var (code, _, stderr) = CliRun.Run(["info", "--genotype", file, "--space", "broad"]);
        Assert.Equal(2, code);
        Assert.Contains("reduce pair 7 is 'none'", stderr);
    }

    [Fact]
    public void TrainBuildsTheBcnnForABroadGenotypeAndRecordsIt()
    {
        var run = Path.Combine(_dir, "run");
        var (code, stdout, stderr) = CliRun.Run(["train", "--genotype", Write("genotype.json", GenotypeText.Parse(ClrV1).ToJson(SearchSpace.Broad)),
            "--dataset", "synthetic:1x8x8:64", "--layers", "3", "--channels", "4", "--enhancement", "1", "--epochs", "1", "--batch", "16", "--threads", "1", "--out", run]);
        Assert.True(code == 0, stderr);
        Assert.StartsWith("test accuracy", stdout);
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json")));
        var c = config.RootElement;
        Assert.Equal("broad", c.GetProperty("space").GetString());
        Assert.Equal(1, c.GetProperty("enhancement_cells").GetInt32());
        Assert.False(c.GetProperty("auxiliary_head").GetBoolean());
        // The BNAS-v2 protocol's defaults where no flag was given (§4.3): drop-path 0.3, no auxiliary loss.
        Assert.Equal(0.3, c.GetProperty("drop_path").GetDouble());
        Assert.Equal(0, c.GetProperty("auxiliary_weight").GetDouble());
        var layout = new BroadEvalLayout(4, 3, 2, 1, 1, 8, 10);
        Assert.Equal(BroadCounting.EvalNetwork(layout, GenotypeText.Parse(ClrV1)).Params, c.GetProperty("parameters").GetInt64());
        Assert.Single(File.ReadAllLines(Path.Combine(run, "epochs.jsonl")));
    }

    [Fact]
    public void ABroadSearchsGenotypeJsonTrainsItsBcnnWithNoSpaceFlag()
    {
        var search = Path.Combine(_dir, "search");
        var (code, _, stderr) = CliRun.Run(["search", "--method", "bnas-d", "--dataset", "synthetic:1x8x8:64", "--channels", "4", "--batch", "8",
            "--steps", "2", "--threads", "1", "--out", search]);
        Assert.True(code == 0, stderr);
        var json = Path.Combine(search, "genotype.json");
        Assert.Equal(SearchSpace.Broad, Genotype.SpaceOfJson(File.ReadAllText(json)));
        var run = Path.Combine(_dir, "run");
        (code, _, stderr) = CliRun.Run(["train", "--genotype", json, "--dataset", "synthetic:1x8x8:64", "--layers", "3", "--channels", "4",
            "--epochs", "1", "--batch", "16", "--threads", "1", "--out", run]);
        Assert.True(code == 0, stderr);
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json")));
        Assert.Equal("broad", config.RootElement.GetProperty("space").GetString());
    }

    /// <summary>
    /// The stacked path is unchanged by the broad network: the same run gives the same figures, bit for bit, as the build before it
    /// (ad8d423, `nas train --genotype darts_v2.txt --dataset synthetic:1x8x8:64 --layers 3 --channels 4 --epochs 2 --batch 16 --threads 1
    /// --seed 7`, which took no --space then): auxiliary head, drop-path and cutout all on.
    /// </summary>
    [Fact]
    public void TrainingAStackedGenotypeGivesTheFiguresItGaveBeforeTheBroadNetwork()
    {
        var run = Path.Combine(_dir, "run");
        var (code, _, stderr) = CliRun.Run(["train", "--genotype", Write("darts_v2.txt", DartsV2), "--space", "stacked", "--dataset", "synthetic:1x8x8:64",
            "--layers", "3", "--channels", "4", "--epochs", "2", "--batch", "16", "--threads", "1", "--seed", "7", "--out", run]);
        Assert.True(code == 0, stderr);
        var epochs = File.ReadAllLines(Path.Combine(run, "epochs.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        double[][] expected = [[3.584880292415619, 0.078125, 2.3627001444498696, 0.08333333333333333], [3.404203712940216, 0.125, 2.424627939860026, 0.08333333333333333]];
        Assert.Equal(2, epochs.Count);
        for (var e = 0; e < 2; e++)
            Assert.Equal(expected[e], new[] { "train_loss", "train_acc", "test_loss", "test_acc" }.Select(k => epochs[e].GetProperty(k).GetDouble()));
    }
}
