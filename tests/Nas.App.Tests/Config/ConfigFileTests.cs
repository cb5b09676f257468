// The YAML config keys of the one-shot extras: shrink_criterion, nb201_dedupe and the proxy fitnesses parse, and a bad value names the key and value.
using Nas.Components;
using Nas.App.Config;

namespace Nas.App.Tests.Config;

public sealed class ConfigFileTests
{
    private static T WithYaml<T>(string yaml, Func<string, T> read)
    {
        var path = Path.Combine(Path.GetTempPath(), $"nas-config-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        try { return read(path); }
        finally { File.Delete(path); }
    }

    [Fact]
    public void TheOneShotLimitsAndTrainingRulesAreConfigKeys()
    {
        var c = WithYaml("method: bs-nas\nflops_limit: 2e7\nparams_limit: 50000\ngrad_clip_mode: value\nweight_decay_scope: weights\nbn_affine: false\nidentity_choice: off\n",
            p => ConfigFile.Load(p));
        Assert.Equal((2e7, 50000.0, GradClipMode.Value, WeightDecayScope.Weights, false, IdentityChoice.Off),
            (c.FlopsLimit, c.ParamsLimit, c.GradClipMode, c.WeightDecayScope, c.BnAffine, c.IdentityChoice));
        var yaml = ConfigFile.ToYaml(c);
        foreach (var line in new[] { "flops_limit: 20000000", "params_limit: 50000", "grad_clip_mode: value", "weight_decay_scope: weights", "bn_affine: false", "identity_choice: off" })
            Assert.Contains(line, yaml);
        var e = Assert.Throws<ConfigException>(() => WithYaml("weight_decay_scope: bn\n", p => ConfigFile.Load(p)));
        Assert.Contains("'weight_decay_scope' has value 'bn'", e.Message);
    }

    [Fact]
    public void TheShrinkCriterionAndTheNb201DedupeRuleAreConfigKeys()
    {
        var bs = WithYaml("method: bs-nas\nshrink_criterion: angle\n", p => ConfigFile.Load(p));
        Assert.Equal(ShrinkCriterion.Angle, bs.ShrinkCriterion);
        var nb = WithYaml("method: bnnas++\nnb201_dedupe: benchmark\n", p => ConfigFile.Load(p));
        Assert.Equal(Nb201Dedupe.Benchmark, nb.Nb201Dedupe);
        Assert.Contains("shrink_criterion: angle", ConfigFile.ToYaml(bs));
    }

    [Fact]
    public void AnUnknownShrinkCriterionIsRefusedNamingTheKeyTheValueAndTheChoices()
    {
        var e = Assert.Throws<ConfigException>(() => WithYaml("method: bs-nas\nshrink_criterion: sideways\n", p => ConfigFile.Load(p)));
        Assert.Contains("line 2", e.Message);
        Assert.Contains("'shrink_criterion' has value 'sideways'", e.Message);
        Assert.Contains("one of accuracy, angle", e.Message);
    }

    [Fact]
    public void TheDartsOneShotSpaceParsesAndRoundTrips()
    {
        var c = WithYaml("method: spos\none_shot_space: darts\nidentity_choice: searchable\n", p => ConfigFile.Load(p));
        Assert.Equal(OneShotSpaceKind.Darts, c.OneShotSpace);
        Assert.Contains("one_shot_space: darts", ConfigFile.ToYaml(c));
        Assert.Empty(Nas.Systems.Methods.Presets.Problems(c));
        var e = Assert.Throws<ConfigException>(() => WithYaml("method: spos\none_shot_space: cells\n", p => ConfigFile.Load(p)));
        Assert.Contains("'one_shot_space' has value 'cells'", e.Message);
        Assert.Contains("darts", e.Message);
    }

    [Fact]
    public void EachZeroCostProxyIsAFitnessKeyValueThatRoundTrips()
    {
        foreach (var (name, fitness) in new[] { ("naswot", OneShotFitness.Naswot), ("synflow", OneShotFitness.Synflow), ("snip", OneShotFitness.Snip),
                     ("grad_norm", OneShotFitness.GradNorm), ("params", OneShotFitness.Params), ("flops", OneShotFitness.Flops) })
        {
            var c = WithYaml($"method: spos\none_shot_space: nb201\nidentity_choice: searchable\nfitness: {name}\n", p => ConfigFile.Load(p));
            Assert.Equal(fitness, c.Fitness);
            Assert.Contains($"fitness: {name}\n", ConfigFile.ToYaml(c));
            Assert.Empty(Nas.Systems.Methods.Presets.Problems(c));
        }
        var e = Assert.Throws<ConfigException>(() => WithYaml("method: spos\nfitness: zen\n", p => ConfigFile.Load(p)));
        Assert.Contains("'fitness' has value 'zen'", e.Message);
        Assert.Contains("one of accuracy, bn_indicator, composite, naswot, synflow, snip, grad_norm, params, flops", e.Message);
    }
}
