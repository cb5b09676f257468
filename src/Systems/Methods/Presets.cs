// The method presets (methods.md defaults per paper) and the checks that refuse a combination before any work starts.
using Nas.Components;
namespace Nas.Systems.Methods;

public static class Presets
{
    public static SearchConfig For(string method) => method switch
    {
        "darts" => new SearchConfig { Method = method },
        "pc-darts" => new SearchConfig
        {
            Method = method, PartialChannels = 4, EdgeNormalization = true, Batch = 256, Lr = 0.1, LrMin = 0,
            ArchLr = 6e-4, WarmupEpochs = 15,
        },
        "bnas-d" => new SearchConfig { Method = method, Space = SearchSpace.Broad, Batch = 256, Lr = 0.1, LrMin = 0 },
        "bnas-v2-clr" => new SearchConfig { Method = method, Space = SearchSpace.Broad, Batch = 256, Lr = 0.1, LrMin = 0, ConfidentLrPower = 2 },
        "bnas-v2-pc" => new SearchConfig
        {
            Method = method, Space = SearchSpace.Broad, PartialChannels = 4, EdgeNormalization = true, Batch = 512, Lr = 0.2,
            LrMin = 0, ArchLr = 6e-4, WarmupEpochs = 15,
        },
        "dropnas" => new SearchConfig
        {
            Method = method, Layers = 14, Batch = 96, Epochs = 76, Lr = 0.0375, LrMin = 0.0015, GradClip = 3, DropRate = 3e-5,
            OneLevel = true, Seed = 666,
        },
        // One-shot family: BN-NAS repository hyper-parameters (lr 0.25 linear, momentum 0.9, wd 4e-5, label smoothing 0.1) [C];
        // batch 128 and epochs scaled to Fashion-MNIST (SPOS 10, BN-NAS 1: the repository's 10:1 ratio) [I]. Each FLOPs limit
        // is the median MACs of 1,001 uniform random architectures of the preset's space on Fashion-MNIST (1×28×28, 10 classes),
        // to 3 significant digits, so it binds (half the space is over it); PresetLimitTests recomputes it (docs/techniques.md).
        // SPOS: its supernet BN has affine=False and its space no identity [C]; BN-NAS: its code's clip by value 5, decay on conv
        // and linear weights only, identity never searched (§2.3, §2.5) [C]; BNNAS++ trains as BN-NAS does [I].
        "spos" => OneShotBase(method) with { Epochs = 10, FlopsLimit = SposFlopsLimit, BnAffine = false, IdentityChoice = IdentityChoice.Off },
        "bn-nas" => OneShotBase(method) with
        {
            Epochs = 1, BnOnly = true, Fitness = OneShotFitness.BnIndicator, FlopsLimit = BnNasFlopsLimit, IdentityChoice = IdentityChoice.Off,
            GradClipMode = GradClipMode.Value, WeightDecayScope = WeightDecayScope.Weights,
        },
        "bnnas++" => OneShotBase(method) with
        {
            Epochs = 1, BnOnly = true, UnbiasedBn = true, OneShotSpace = OneShotSpaceKind.Nb201, CellsPerStage = 1, Channels = 8,
            Fitness = OneShotFitness.Composite, FlopsLimit = BnnasPlusPlusFlopsLimit, GradClipMode = GradClipMode.Value, WeightDecayScope = WeightDecayScope.Weights,
        },
        // 16 epochs: the first shrink stage (10) and 7 one-epoch stages, enough to reach the 10^6 stop rule whatever is pruned
        // (PresetLimitTests: after 49 removals the largest possible active space is 746,496) [I].
        "bs-nas" => OneShotBase(method) with { Epochs = 16, Spring = true, Shrink = true, FlopsLimit = BsNasFlopsLimit },
        _ when SearchConfig.Methods.Contains(method) => throw new NotSupportedException($"method '{method}' is not built yet"),
        _ => throw new ArgumentException($"unknown method '{method}' (expected one of {string.Join(", ", SearchConfig.Methods)})"),
    };

    /// <summary>
    /// The preset's alpha warm-up fitted to a short run: when its warm-up (PC-DARTS, BNAS-v2-PC: 15 of 50 epochs) would leave no
    /// epoch of architecture search in <paramref name="c"/>.Epochs, it keeps the preset's share of the run, rounded down (1 epoch: 0).
    /// Only for a warm-up that came from the preset, not one the user set.
    /// </summary>
    public static SearchConfig FitWarmupToEpochs(SearchConfig c)
    {
        if (c.WarmupEpochs < c.Epochs || c.Epochs < 1) return c;
        var preset = For(c.Method);
        return c with { WarmupEpochs = (int)((long)preset.WarmupEpochs * c.Epochs / preset.Epochs) };
    }

    /// <summary>
    /// A one-shot preset's size, flops_limit and identity_choice are chosen for its default space (mobile, or NB-201 for bnnas++).
    /// With one_shot_space darts, those that still hold the preset's value (the flags say which the user set) are fitted to
    /// the DARTS cell space: the supernet <see cref="DartsLayers"/> cells at C <see cref="DartsChannels"/> (small enough for a
    /// 2-core machine: about 3 s a step at batch 128 on a loaded one, 8 cells at C 16 about 8 s; docs/one-shot.md),
    /// identity_choice searchable (skip_connect is an edge op there, as in NB-201, not a layer to leave out), and flops_limit
    /// the median MACs of <see cref="MedianDraws"/> uniform genotypes of the space at the resulting size (layers, channels,
    /// nodes) on the dataset's input, the rule of every preset (6.18M at 5 cells, C 8 on 1×28×28; 32.4M at 8 cells, C 16).
    /// Returns the config and one note per change.
    /// </summary>
    public static (SearchConfig Config, List<string> Notes) FitToOneShotSpace(SearchConfig c, int inputChannels, int inputSize, int classes,
        bool presetFlops, bool presetIdentity, bool presetLayers = false, bool presetChannels = false)
    {
        var notes = new List<string>();
        if (!OneShotMethod.IsOneShot(c.Method) || c.OneShotSpace != OneShotSpaceKind.Darts) return (c, notes);
        if (presetLayers && c.Layers != DartsLayers)
        {
            notes.Add($"layers {c.Layers} of the {c.Method} preset: the DARTS cell supernet takes {DartsLayers} (--layers N chooses)");
            c = c with { Layers = DartsLayers };
        }
        if (presetChannels && c.Channels != DartsChannels)
        {
            notes.Add($"channels {c.Channels} of the {c.Method} preset: the DARTS cell supernet takes {DartsChannels} (--channels N chooses)");
            c = c with { Channels = DartsChannels };
        }
        if (presetIdentity && c.IdentityChoice == IdentityChoice.Off)
        {
            c = c with { IdentityChoice = IdentityChoice.Searchable };
            notes.Add($"identity_choice off of the {c.Method} preset is a mobile-space option: searchable on one_shot_space darts (skip_connect is an edge op)");
        }
        if (presetFlops && c.FlopsLimit > 0 && c.Layers >= 1 && c.Channels >= 1 && c.Nodes >= 1)
        {
            var limit = MedianFlopsLimit(OneShot.Supernet.OneShotSupernet.ChoiceSpace(OneShotSession.NetworkOf(c, inputChannels, inputSize, classes), null));
            notes.Add($"flops_limit {c.FlopsLimit:R} of the {c.Method} preset is for its default space: on one_shot_space darts at {c.Layers} cells, C {c.Channels} " +
                $"it is the space's median, {limit:R} MACs (--flops-limit N chooses)");
            c = c with { FlopsLimit = limit };
        }
        return (c, notes);
    }

    /// <summary>The DARTS cell supernet's size when a one-shot preset runs on one_shot_space darts (<see cref="FitToOneShotSpace"/>).</summary>
    public const int DartsLayers = 5, DartsChannels = 8;

    /// <summary>How many uniform architectures a preset's FLOPs limit is the median of, and their seed (PresetLimitTests draws the same).</summary>
    public const int MedianDraws = 1001;
    public const ulong MedianSeed = 15;

    /// <summary>The median MACs of <see cref="MedianDraws"/> uniform genomes of <paramref name="space"/> (seed <see cref="MedianSeed"/>), to 3 significant digits.</summary>
    public static double MedianFlopsLimit(OneShot.Search.IChoiceSpace space)
    {
        var rng = new World.Rng(MedianSeed);
        var flops = new double[MedianDraws];
        for (var i = 0; i < MedianDraws; i++) flops[i] = space.Flops(OneShot.Search.ChoiceSpaces.Uniform(space, rng));
        Array.Sort(flops);
        double median = flops[MedianDraws / 2], unit = Math.Pow(10, Math.Floor(Math.Log10(median)) - 2);
        return Math.Round(median / unit) * unit;
    }

    /// <summary>The one-shot presets' FLOPs limits (MACs): the median of each preset's space, see <see cref="For"/>.</summary>
    public const double SposFlopsLimit = 14.8e6, BnNasFlopsLimit = 14.8e6, BnnasPlusPlusFlopsLimit = 2.97e6, BsNasFlopsLimit = 15.3e6;

    private static SearchConfig OneShotBase(string method) => new()
    {
        Method = method, Batch = 128, Lr = 0.25, LrMin = 5e-4, Momentum = 0.9, WeightDecay = 4e-5, LabelSmoothing = 0.1, TrainPortion = 0.8,
    };

    /// <summary>Every reason the configuration cannot run, each naming the field and value; empty when it can.</summary>
    public static List<string> Problems(SearchConfig c)
    {
        var p = new List<string>();
        void Check(bool ok, string message) { if (!ok) p.Add(message); }
        Check(c.Layers >= 1, $"layers must be at least 1, got {c.Layers}");
        Check(c.Channels >= 1, $"channels must be at least 1, got {c.Channels}");
        Check(c.Nodes >= 2, $"nodes must be at least 2, got {c.Nodes}");
        Check(c.Batch >= 1, $"batch must be at least 1, got {c.Batch}");
        // A zero-cost proxy fitness reads no trained weight, so its run may skip supernet training (epochs 0: the evolution from step 0).
        bool untrainedFitness = OneShotMethod.IsOneShot(c.Method) && OneShot.Proxies.ZeroCostProxies.OfFitness(c.Fitness) is not null;
        Check(c.Epochs >= 1 || (c.Epochs == 0 && untrainedFitness),
            $"epochs must be at least 1 (0, no supernet training, only with a zero-cost proxy fitness of a one-shot method), got {c.Epochs}");
        Check(c.Steps >= 0, $"steps must not be negative, got {c.Steps}");
        Check(c.Threads >= 1, $"threads must be at least 1, got {c.Threads}");
        Check(c.Subset >= 0, $"subset must not be negative, got {c.Subset}");
        Check(c.SnapshotEvery >= 0, $"snapshot_every must not be negative, got {c.SnapshotEvery}");
        Check(c.SnapshotKeep >= 1, $"snapshot_keep must be at least 1, got {c.SnapshotKeep}");
        Check(c.TrainPortion is > 0 and < 1, $"train_portion must be between 0 and 1, got {c.TrainPortion}");
        Check(c.Lr > 0, $"lr must be positive, got {c.Lr}");
        Check(c.LrMin >= 0 && c.LrMin <= c.Lr, $"lr_min must be between 0 and lr ({c.Lr}), got {c.LrMin}");
        Check(c.ArchLr > 0, $"arch_lr must be positive, got {c.ArchLr}");
        Check(c.GradClip > 0, $"grad_clip must be positive, got {c.GradClip}");
        Check(c.WarmupEpochs >= 0 && (c.WarmupEpochs < c.Epochs || (c.Epochs == 0 && c.WarmupEpochs == 0)), $"warmup_epochs must be in 0..epochs-1 ({c.Epochs - 1}), got {c.WarmupEpochs}: pass --warmup-epochs N (or warmup_epochs: N in the config file)");
        Check(c.PartialChannels >= 1, $"partial_channels must be at least 1, got {c.PartialChannels}");
        if (c.PartialChannels > 1)
        {
            // The narrowest edge: C in the stacked space, C_0 = 2C in the broad one (§4.2); wider cells are multiples of it.
            var (edgeC, what) = c.Space == SearchSpace.Broad ? (2 * c.Channels, $"2·channels = {2 * c.Channels} (the first broad cell)") : (c.Channels, $"channels {c.Channels}");
            Check(edgeC % c.PartialChannels == 0, $"partial_channels {c.PartialChannels} must divide {what}");
            Check(edgeC % c.PartialChannels != 0 || edgeC / c.PartialChannels % 2 == 0, $"{what} / partial_channels {c.PartialChannels} must be even: the stride-2 skip is a FactorizedReduce (§3.1)");
        }
        if (c.Space == SearchSpace.Broad)
        {
            Check(c.ConvBlocks >= 2, $"conv_blocks must be at least 2 in the broad space (enhancement cell 0 reads taps e_0 and e_1, §4.2), got {c.ConvBlocks}");
            Check(c.EnhancementCells >= 1, $"enhancement_cells must be at least 1 in the broad space, got {c.EnhancementCells}");
        }
        Check(c.DropRate is >= 0 and < 1, $"drop_rate must be in [0, 1), got {c.DropRate}");
        Check(c.ConfidentLrPower >= 0, $"confident_lr_power must not be negative, got {c.ConfidentLrPower}");
        Check(c.ConfidentLrMode == Nas.Components.ConfidentLrMode.Lr || c.ConfidentLrPower > 0,
            "confident_lr_mode loss needs confident_lr_power > 0 (the power p of c(e) = ((e+1)/E)^p), got 0");
        Check(c.DropRateParameterFree < 1, $"drop_rate_parameter_free must be in [0, 1) (or negative for drop_rate's value), got {c.DropRateParameterFree}");
        Check(c.DropRateParameterFree < 0 || c.DropRate > 0,
            $"drop_rate_parameter_free {c.DropRateParameterFree} needs drop_rate > 0 (r_p; 0 switches DropNAS's dropout off)");
        Check(c.DropnasSpace == Nas.Components.DropNasSpace.Original || c.Method == "dropnas",
            $"dropnas_space {ConfigKeys.Of(c.DropnasSpace)} needs method dropnas: the 1-skip and 3-skip spaces are variants of DropNAS's op set, got method {c.Method}");
        Check(!(c.OneLevel && c.SecondOrder), "second_order needs the bilevel split, but one_level is on: one-level search has no validation loss to unroll");
        Check(!(c.DropRate > 0 && c.SecondOrder), "drop_rate with second_order is refused: the finite-difference term would need the same dropout masks on the perturbed weights, which the DropNAS update does not define");
        Check(c.Population >= 1 && c.Generations >= 0, $"population must be at least 1 and generations not negative, got {c.Population} and {c.Generations}");
        Check(c.LabelSmoothing is >= 0 and < 1, $"label_smoothing must be in [0, 1), got {c.LabelSmoothing}");
        bool oneShot = OneShotMethod.IsOneShot(c.Method);
        Check(c.FlopsLimit >= 0, $"flops_limit must be 0 (none) or a positive number of MACs, got {c.FlopsLimit}");
        Check(c.ParamsLimit >= 0, $"params_limit must be 0 (none) or a positive parameter count, got {c.ParamsLimit}");
        Check(oneShot || (c.FlopsLimit == 0 && c.ParamsLimit == 0),
            $"flops_limit ({c.FlopsLimit}) and params_limit ({c.ParamsLimit}) bound the evolution of a one-shot method (spos, bn-nas, bnnas++, bs-nas), got method {c.Method}");
        Check(oneShot || (c.GradClipMode == GradClipMode.Norm && c.WeightDecayScope == WeightDecayScope.All && c.BnAffine && c.IdentityChoice == IdentityChoice.Searchable),
            $"grad_clip_mode, weight_decay_scope, bn_affine and identity_choice are one-shot supernet settings (spos, bn-nas, bnnas++, bs-nas), got method {c.Method}");
        Check(c.BnAffine || !(c.BnOnly || c.UnbiasedBn || c.Fitness is OneShotFitness.BnIndicator or OneShotFitness.Composite),
            "bn_affine false leaves the supernet's BatchNorms without γ and β, but bn_only, unbiased_bn and the bn_indicator and composite fitnesses need them (BN-NAS keeps affine BN, §1.2)");
        if (OneShot.Proxies.ZeroCostProxies.OfFitness(c.Fitness) is { } proxy)
        {
            // The proxies are built and oracle-tested on NB-201 cells only (docs/proxies.md); the other spaces are refused here, before any work.
            var name = OneShot.Proxies.ZeroCostProxies.Name(proxy);
            Check(oneShot, $"fitness {name} is a one-shot evolution fitness (spos, bn-nas, bnnas++, bs-nas), got method {c.Method}");
            Check(!oneShot || c.OneShotSpace == OneShotSpaceKind.Nb201,
                $"fitness {name} (a zero-cost proxy) scores NB-201 cells only: it needs one_shot_space nb201, got one_shot_space {ConfigKeys.Of(c.OneShotSpace)}");
        }
        Check(c.IdentityChoice == IdentityChoice.Searchable || c.OneShotSpace == OneShotSpaceKind.Mobile,
            $"identity_choice off is a mobile-space option (NB-201's skip_connect is an edge op), got one_shot_space {c.OneShotSpace.ToString().ToLowerInvariant()}");
        Check(!c.Spring || c.OneShotSpace == OneShotSpaceKind.Mobile, "spring (BS-NAS widths) needs one_shot_space mobile");
        Check(!c.Shrink || c.Spring, "shrink needs spring: the active options are the BS-NAS op+width space");
        if (c.FlopsWindowMax > 0)
        {
            Check(OneShotMethod.IsOneShot(c.Method), $"flops_window_max {c.FlopsWindowMax} needs a one-shot method (spos, bn-nas, bnnas++, bs-nas), got {c.Method}");
            Check(c.FlopsWindowMin >= 0 && c.FlopsWindowMin < c.FlopsWindowMax,
                $"flops_window_min must be in [0, flops_window_max ({c.FlopsWindowMax})), got {c.FlopsWindowMin}");
            Check(c.FlopsBin > 0, $"flops_bin must be positive when flops_window_max is set, got {c.FlopsBin}");
        }
        else Check(c.FlopsWindowMax == 0 && c.FlopsWindowMin == 0 && c.FlopsBin == 0,
            $"flops_window_min ({c.FlopsWindowMin}) and flops_bin ({c.FlopsBin}) need flops_window_max > 0, got {c.FlopsWindowMax}");
        Check(c.ShrinkCriterion == ShrinkCriterion.Accuracy || c.Shrink,
            $"shrink_criterion {c.ShrinkCriterion.ToString().ToLowerInvariant()} needs shrink: true (without shrinking no criterion is used)");
        Check(c.Nb201Dedupe == Nb201Dedupe.None || c.OneShotSpace == OneShotSpaceKind.Nb201,
            $"nb201_dedupe {c.Nb201Dedupe.ToString().ToLowerInvariant()} needs one_shot_space nb201, got {c.OneShotSpace.ToString().ToLowerInvariant()}");
        Check(c.Facets.Length > 0 && c.Facets.ToLowerInvariant().All(ch => ch is 'e' or 't' or 'u'), $"facets must be letters from e, t, u, got '{c.Facets}'");
        Check(!(c.DropRate > 0 && !c.OneLevel), $"drop_rate {c.DropRate} needs one_level: the DropNAS masks, partial decay and alpha renormalisation are part of the one-level update (§5.4), the bilevel steps do not define them");
        return p;
    }

}
