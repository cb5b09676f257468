// A new user's first commands: a warm-up preset fitted to a one-epoch run, schedule flags, a progress line that fits 80 columns, an honest run header.
using System.CommandLine;
using Nas.App.Commands;
using Nas.App.Config;
using Nas.App.Runs;
using Nas.Components;
using Nas.Systems.Methods;

namespace Nas.App.Tests.Inputs;

public sealed class FirstMinutesTests
{
    private static SearchConfig Resolve(params string[] args)
    {
        var options = new SearchOptions();
        var command = new Command("search");
        options.AddTo(command);
        return options.Resolve(command.Parse(args));
    }

    [Fact]
    public void TheLimitFlagsSetTheLimitKeysOverThePresets()
    {
        Assert.Equal(Presets.For("spos").FlopsLimit, Resolve("--method", "spos").FlopsLimit);
        var c = Resolve("--method", "spos", "--flops-limit", "1.2e7", "--params-limit", "40000");
        Assert.Equal((1.2e7, 40000.0), (c.FlopsLimit, c.ParamsLimit));
        Assert.Equal(0, Resolve("--method", "bn-nas", "--flops-limit", "0").FlopsLimit);
    }

    [Fact]
    public void AOneEpochRunOfAWarmupPresetFitsTheWarmupInsteadOfBeingRefused()
    {
        var c = Resolve("--method", "bnas-v2-pc", "--epochs", "1");
        Assert.Equal(0, c.WarmupEpochs);
        Assert.Equal(1, c.Epochs);
    }

    [Fact]
    public void TheFittedWarmupKeepsThePresetsShareOfTheRun()
    {
        Assert.Equal(3, Resolve("--method", "pc-darts", "--epochs", "10").WarmupEpochs); // 15 of 50 epochs = 30 %
        Assert.Equal(15, Resolve("--method", "pc-darts", "--epochs", "20").WarmupEpochs); // fits: unchanged
    }

    [Fact]
    public void AWarmupTheUserSetIsNeverFittedAndTheRefusalSaysWhatToPass()
    {
        var e = Assert.Throws<ConfigException>(() => Resolve("--method", "pc-darts", "--epochs", "2", "--warmup-epochs", "2"));
        Assert.Contains("warmup_epochs must be in 0..epochs-1 (1), got 2: pass --warmup-epochs N", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(1, Resolve("--method", "pc-darts", "--epochs", "2", "--warmup-epochs", "1").WarmupEpochs);
    }

    [Fact]
    public void TheCommonScheduleKeysHaveFlags()
    {
        var c = Resolve("--lr", "0.05", "--arch-lr", "0.001", "--snapshot-keep", "5", "--warmup-epochs", "2");
        Assert.Equal((0.05, 0.001, 5, 2), (c.Lr, c.ArchLr, c.SnapshotKeep, c.WarmupEpochs));
    }

    [Theory]
    [InlineData(80)]
    [InlineData(60)]
    [InlineData(200)]
    public void TheProgressDescriptionFitsTheTerminalByDroppingFieldsFromTheEnd(int columns)
    {
        var width = Progress.DescriptionWidth(columns, Progress.BarWidth(columns));
        string[] fields = ["epoch 1/50", "loss 2.302", "acc 10.9%", "val_loss 2.301"];
        var line = Progress.Fit("bnas-v2-pc", fields, width);
        Assert.True(line.Length <= width, $"'{line}' is {line.Length} wide, room is {width}");
        Assert.StartsWith(columns >= 80 ? "bnas-v2-pc epoch 1/50" : "bnas-v2-pc", line);
        var shown = fields.TakeWhile(f => line.Contains(f, StringComparison.Ordinal)).Count();
        Assert.True(fields.Skip(shown).All(f => !line.Contains(f, StringComparison.Ordinal)), "fields are dropped from the end only");
        Assert.True(width + Progress.BarWidth(columns) + 24 < columns, "the whole progress row stays within the terminal");
    }

    [Fact]
    public void ATitleAloneTooLongForTheRoomIsCutNotWrapped() => Assert.Equal("bnas-", Progress.Fit("bnas-v2-pc", ["epoch 1/1"], 5));

    [Fact]
    public void TheRunHeaderSaysWhatTheSpaceBuilds()
    {
        Assert.Equal("broad space of 2 convolution blocks + 1 enhancement cell(s), C=16", SearchCommand.Builds(Presets.For("bnas-v2-pc")));
        Assert.Equal("8 cells, C=16", SearchCommand.Builds(Presets.For("darts")));
        Assert.StartsWith("NB-201 supernet of 3 stages x 1 cells", SearchCommand.Builds(Presets.For("bnnas++")));
        Assert.StartsWith("mobile supernet", SearchCommand.Builds(Presets.For("spos")));
    }
}
