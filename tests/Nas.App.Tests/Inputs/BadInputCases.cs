// The table of bad inputs: flags, config-file values, environment values and files that `nas` must refuse with one line, its exit code, and nothing written.
namespace Nas.App.Tests.Inputs;

/// <param name="Args">The command line; "{T}" is the test's folder, "{OUT}" the run folder that must not appear.</param>
/// <param name="Code">The exit code (README, "Exit codes").</param>
/// <param name="Says">A fragment the one line must contain (the flag, key or value it names).</param>
/// <param name="Env">Environment values set for the call.</param>
public sealed record BadInput(string[] Args, int Code, string Says, Dictionary<string, string>? Env = null);

internal static class BadInputCases
{
    /// <summary>Config files written into the test folder before each case, by name.</summary>
    public static readonly Dictionary<string, string> Files = new()
    {
        ["malformed.yaml"] = "layers: 3\nchannels: [4, 8\n",
        ["tab.yaml"] = "layers: 3\n\tchannels: 4\n",
        ["unknown-key.yaml"] = "layerz: 3\n",
        ["layers-abc.yaml"] = "layers: abc\n",
        ["lr-negative.yaml"] = "lr: -1\n",
        ["pc3.yaml"] = "partial_channels: 3\n",
        ["drop-bilevel.yaml"] = "drop_rate: 0.5\n",
        ["clr-loss-no-power.yaml"] = "confident_lr_mode: loss\n",
        ["skip-space-darts.yaml"] = "dropnas_space: three_skip\n",
        ["skip-space-bad.yaml"] = "dropnas_space: two_skip\n",
        ["rnp-out-of-range.yaml"] = "drop_rate_parameter_free: 1.5\n",
        ["second-one.yaml"] = "second_order: true\none_level: true\n",
        ["method-nope.yaml"] = "method: nope\n",
        ["portion.yaml"] = "train_portion: 1.5\n",
        ["list.yaml"] = "- layers\n- 3\n",
        ["nested.yaml"] = "layers:\n  - 1\n",
        ["method-pc.yaml"] = "method: pc-darts\n",
        ["keep0.yaml"] = "snapshot_keep: 0\n",
        ["facets.yaml"] = "facets: xyz\n",
        ["huge-int.yaml"] = "batch: 99999999999\n",
        ["nan.yaml"] = "lr: NaN\n",
        ["bool.yaml"] = "one_level: maybe\n",
        ["enum.yaml"] = "forward: sideways\n",
        ["clip.yaml"] = "grad_clip: 0\n",
        ["lrmin.yaml"] = "lr_min: 1\n",
        ["warm.yaml"] = "warmup_epochs: 5\nepochs: 2\n",
        ["nodes.yaml"] = "nodes: 1\n",
        ["snapshot-every.yaml"] = "snapshot_every: -3\n",
        ["device.yaml"] = "device: tpu\n",
        ["params-limit-negative.yaml"] = "method: spos\nparams_limit: -5\n",
        ["proxy-mobile.yaml"] = "method: spos\nfitness: synflow\n",
        ["proxy-fitness-bad.yaml"] = "method: spos\none_shot_space: nb201\nidentity_choice: searchable\nfitness: zen\n",
        ["untrained-accuracy.yaml"] = "method: spos\none_shot_space: nb201\nidentity_choice: searchable\nepochs: 0\n",
        ["clip-mode.yaml"] = "grad_clip_mode: sideways\n",
        ["cell.txt"] = "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), " +
            "('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), " +
            "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), " +
            "('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])\n",
    };

    private static readonly string[] Base =
        ["--method", "darts", "--dataset", "synthetic:1x8x8:64", "--layers", "3", "--channels", "4", "--batch", "8", "--threads", "1", "--steps", "2", "--out", "{OUT}"];

    /// <summary>`nas COMMAND` with the base search flags, <paramref name="set"/> replacing or adding flag-value pairs ("--flag", "value", ...).</summary>
    private static string[] With(string command, params string[] set)
    {
        var args = new List<string>(Base);
        for (var i = 0; i < set.Length; i += 2)
        {
            var at = args.IndexOf(set[i]);
            if (at >= 0) args[at + 1] = set[i + 1];
            else args.AddRange([set[i], set[i + 1]]);
        }
        return [command, .. args];
    }

    private static string[] Search(params string[] set) => With("search", set);

    private static string[] Serve(params string[] set) => With("serve", ["--urls", "http://127.0.0.1:0", .. set]);

    private static Dictionary<string, string> Env(string name, string value) => new() { [name] = value };

    public static readonly Dictionary<string, BadInput> All = new()
    {
        // Flags that do not parse: System.CommandLine's errors, one line, exit 2.
        ["layers abc"] = new(Search("--layers", "abc"), 2, "abc"),
        ["layers beyond int"] = new(Search("--layers", "99999999999"), 2, "99999999999"),
        ["channels abc"] = new(Search("--channels", "abc"), 2, "abc"),
        ["epochs NaN"] = new(Search("--epochs", "NaN"), 2, "NaN"),
        ["steps text"] = new(Search("--steps", "x"), 2, "'x'"),
        ["seed negative"] = new(Search("--seed", "-1"), 2, "-1"),
        ["seed fraction"] = new(Search("--seed", "1.5"), 2, "1.5"),
        ["arch-lr text"] = new(Search("--arch-lr", "abc"), 2, "abc"),
        ["unknown flag"] = new(Search("--bogus", "1"), 2, "--bogus"),
        ["stray argument"] = new([.. Search(), "extra"], 2, "extra"),
        ["flag without value"] = new(["search", "--layers"], 2, "--layers"),
        ["unknown command"] = new(["bogus-command"], 2, "bogus-command"),
        ["no command"] = new([], 2, "command"),
        ["resume steps text"] = new(["resume", "{T}/oldrun", "--steps", "abc"], 2, "abc"),
        ["resume without folder"] = new(["resume"], 2, "Required argument missing"),
        // Values out of range.
        ["layers 0"] = new(Search("--layers", "0"), 2, "layers must be at least 1, got 0"),
        ["layers negative"] = new(Search("--layers", "-3"), 2, "got -3"),
        ["channels 0"] = new(Search("--channels", "0"), 2, "channels must be at least 1"),
        ["batch 0"] = new(Search("--batch", "0"), 2, "batch must be at least 1"),
        ["batch negative"] = new(Search("--batch", "-1"), 2, "got -1"),
        ["batch int max"] = new(Search("--batch", "2147483647"), 2, "needs at least"),
        ["channels huge"] = new(Search("--channels", "2000000000"), 2, "needs at least"),
        ["layers huge"] = new(Search("--layers", "2000000000", "--channels", "64"), 2, "needs at least"),
        ["epochs 0"] = new(Search("--epochs", "0"), 2, "epochs must be at least 1"),
        ["epochs negative"] = new(Search("--epochs", "-2"), 2, "got -2"),
        ["steps negative"] = new(Search("--steps", "-5"), 2, "steps must not be negative"),
        ["threads 0"] = new(Search("--threads", "0"), 2, "threads must be at least 1"),
        ["threads negative"] = new(Search("--threads", "-4"), 2, "got -4"),
        ["threads 100000"] = new(Search("--threads", "100000"), 2, "--threads 100000: at most"),
        ["device tpu"] = new(Search("--device", "tpu"), 2, "--device tpu: expected cpu, cuda or cuda:N"),
        ["device cuda"] = new(Search("--device", "cuda"), 2, "--device cuda:"),
        ["device cuda:0"] = new(Search("--device", "cuda:0"), 2, "--device cuda:0:"),
        ["device cuda:x"] = new(Search("--device", "cuda:x"), 2, "expected cpu, cuda or cuda:N"),
        ["device empty"] = new(Search("--device", ""), 2, "--device"),
        ["snapshot-every negative"] = new(Search("--snapshot-every", "-1"), 2, "snapshot_every must not be negative"),
        ["snapshot-keep 0"] = new(Search("--snapshot-keep", "0"), 2, "snapshot_keep must be at least 1"),
        ["warmup negative"] = new(Search("--warmup-epochs", "-1"), 2, "warmup_epochs"),
        ["warmup not below epochs"] = new(Search("--warmup-epochs", "5", "--epochs", "2"), 2, "pass --warmup-epochs N"),
        ["lr 0"] = new(Search("--lr", "0"), 2, "lr must be positive"),
        ["lr negative"] = new(Search("--lr", "-0.1"), 2, "lr must be positive"),
        ["lr NaN"] = new(Search("--lr", "NaN"), 2, "lr must be positive"),
        ["arch-lr 0"] = new(Search("--arch-lr", "0"), 2, "arch_lr must be positive"),
        ["subset negative"] = new(Search("--subset", "-1"), 2, "subset must not be negative"),
        ["subset 1000000000"] = new(Search("--subset", "1000000000"), 2, "--subset 1000000000: synthetic:1x8x8:64 has only 64"),
        ["subset one too many"] = new(Search("--subset", "65"), 2, "has only 64"),
        ["subset beyond fashion-mnist"] = new(Search("--dataset", "fashion-mnist", "--subset", "70000"), 2, "has only 60,000"),
        // Data sets.
        ["dataset unknown"] = new(Search("--dataset", "bogus"), 2, "--dataset 'bogus': unknown data set"),
        ["dataset cifar10 without folder"] = new(Search("--dataset", "cifar10"), 2, "cifar10 needs the folder"),
        ["dataset cifar10 missing folder"] = new(Search("--dataset", "cifar10:{T}/no-such-dir"), 2, "no-such-dir"),
        ["dataset fashion-mnist missing folder"] = new(Search("--dataset", "fashion-mnist:{T}/no-such-dir"), 2, "no-such-dir"),
        ["synthetic too small"] = new(Search("--dataset", "synthetic:1x2x2"), 2, "at least 4x4"),
        ["synthetic zero channels"] = new(Search("--dataset", "synthetic:0x8x8"), 2, "positive integers"),
        ["synthetic one image"] = new(Search("--dataset", "synthetic:1x8x8:1"), 2, "count '1'"),
        ["synthetic count text"] = new(Search("--dataset", "synthetic:1x8x8:abc"), 2, "count 'abc'"),
        ["synthetic larger than memory"] = new(Search("--dataset", "synthetic:3x4096x4096:1000000"), 2, "needs at least"),
        // Methods.
        ["method unknown"] = new(Search("--method", "nope"), 2, "unknown method 'nope'"),
        ["method empty"] = new(Search("--method", ""), 2, "unknown method ''"),
        // One-shot limits (issue 15): negative, NaN, a limit on a method without an evolution, one below the smallest architecture.
        ["flops limit negative"] = new(Search("--method", "spos", "--flops-limit", "-1"), 2, "flops_limit must be 0 (none) or a positive number of MACs, got -1"),
        ["flops limit NaN"] = new(Search("--method", "spos", "--flops-limit", "NaN"), 2, "NaN"),
        ["flops limit on darts"] = new(Search("--flops-limit", "1000000"), 2, "flops_limit (1000000) and params_limit (0) bound the evolution of a one-shot method"),
        ["flops limit below the space"] = new(Search("--method", "spos", "--flops-limit", "1000"), 2, "flops_limit 1000 is below the smallest architecture of this spos space"),
        ["params limit below the space"] = new(Search("--method", "bs-nas", "--params-limit", "100"), 2, "params_limit 100 is below the smallest architecture of this bs-nas space"),
        ["config proxy fitness on mobile"] = new(Search("--method", "spos", "--config", "{T}/proxy-mobile.yaml"), 2,
            "fitness synflow (a zero-cost proxy) scores NB-201 cells only: it needs one_shot_space nb201, got one_shot_space mobile"),
        ["config fitness unknown"] = new(Search("--method", "spos", "--config", "{T}/proxy-fitness-bad.yaml"), 2, "'fitness' has value 'zen', expected one of"),
        ["config epochs 0 without a proxy"] = new(Search("--method", "spos", "--config", "{T}/untrained-accuracy.yaml"), 2,
            "epochs must be at least 1 (0, no supernet training, only with a zero-cost proxy fitness of a one-shot method), got 0"),
        ["config params limit negative"] = new(Search("--method", "spos", "--config", "{T}/params-limit-negative.yaml"), 2, "params_limit must be 0 (none) or a positive parameter count, got -5"),
        ["config grad clip mode"] = new(Search("--config", "{T}/clip-mode.yaml"), 2, "'grad_clip_mode' has value 'sideways', expected one of norm, value"),
        // Run folders and files.
        ["out is a file"] = new(Search("--out", "{T}/afile"), 2, "afile: is a file"),
        ["out below a file"] = new(Search("--out", "{T}/afile/run"), 2, "is a file, not a folder"),
        ["out holds a run"] = new(Search("--out", "{T}/oldrun"), 2, "already holds a run; continue it with `nas resume"),
        ["serve out is a file"] = new(Serve("--out", "{T}/afile"), 2, "is a file"),
        ["resume missing folder"] = new(["resume", "{T}/no-such-run"], 2, "no such run folder"),
        ["resume a file"] = new(["resume", "{T}/afile"], 2, "is a file"),
        ["resume without snapshots"] = new(["resume", "{T}/empty"], 4, "nothing to resume"),
        ["resume steps negative"] = new(["resume", "{T}/oldrun", "--steps", "-5"], 2, "--steps -5"),
        ["resume steps 0"] = new(["resume", "{T}/oldrun", "--steps", "0"], 2, "--steps 0"),
        ["resume snapshot-every negative"] = new(["resume", "{T}/oldrun", "--snapshot-every", "-1"], 2, "--snapshot-every -1"),
        // Config files.
        ["config missing"] = new(Search("--config", "{T}/none.yaml"), 2, "none.yaml: config file not found"),
        ["config malformed"] = new(Search("--config", "{T}/malformed.yaml"), 2, "malformed.yaml: line 3, column 1: malformed YAML"),
        ["config tab"] = new(Search("--config", "{T}/tab.yaml"), 2, "tab.yaml: line 1, column 9: malformed YAML"),
        ["config unknown key"] = new(Search("--config", "{T}/unknown-key.yaml"), 2, "unknown key 'layerz'"),
        ["config layers abc"] = new(Search("--config", "{T}/layers-abc.yaml"), 2, "'layers' has value 'abc', expected an integer"),
        ["config lr negative"] = new(Search("--config", "{T}/lr-negative.yaml"), 2, "lr must be positive, got -1"),
        ["config partial channels"] = new(Search("--config", "{T}/pc3.yaml"), 2, "partial_channels 3 must divide"),
        ["config drop rate bilevel"] = new(Search("--config", "{T}/drop-bilevel.yaml"), 2, "drop_rate 0.5 needs one_level"),
        ["config clr loss mode without power"] = new(Search("--config", "{T}/clr-loss-no-power.yaml"), 2, "confident_lr_mode loss needs confident_lr_power > 0"),
        ["config skip space on darts"] = new(Search("--config", "{T}/skip-space-darts.yaml"), 2, "dropnas_space three_skip needs method dropnas"),
        ["config skip space unknown"] = new(Search("--config", "{T}/skip-space-bad.yaml"), 2, "'dropnas_space' has value 'two_skip', expected one of original, one_skip, three_skip"),
        ["config r_np out of range"] = new(Search("--config", "{T}/rnp-out-of-range.yaml"), 2, "drop_rate_parameter_free must be in [0, 1)"),
        ["config second order one level"] = new(Search("--config", "{T}/second-one.yaml"), 2, "second_order needs the bilevel split"),
        ["config method unknown"] = new(Search("--config", "{T}/method-nope.yaml"), 2, "unknown method 'nope'"),
        ["config train portion"] = new(Search("--config", "{T}/portion.yaml"), 2, "train_portion must be between 0 and 1"),
        ["config list"] = new(Search("--config", "{T}/list.yaml"), 2, "expected a mapping"),
        ["config nested value"] = new(Search("--config", "{T}/nested.yaml"), 2, "'layers' must be a single value"),
        ["config method disagrees"] = new(Search("--config", "{T}/method-pc.yaml"), 2, "--method darts disagrees with method 'pc-darts'"),
        ["config snapshot keep 0"] = new(Search("--config", "{T}/keep0.yaml"), 2, "snapshot_keep must be at least 1"),
        ["config facets"] = new(Search("--config", "{T}/facets.yaml"), 2, "facets must be letters from e, t, u"),
        ["config integer beyond int"] = new(Search("--config", "{T}/huge-int.yaml"), 2, "'batch' has value '99999999999'"),
        ["config NaN"] = new(Search("--config", "{T}/nan.yaml"), 2, "'lr' has value 'NaN', expected a number"),
        ["config bool"] = new(Search("--config", "{T}/bool.yaml"), 2, "expected true or false"),
        ["config enum"] = new(Search("--config", "{T}/enum.yaml"), 2, "'forward' has value 'sideways', expected one of"),
        ["config grad clip"] = new(Search("--config", "{T}/clip.yaml"), 2, "grad_clip must be positive"),
        ["config lr min"] = new(Search("--config", "{T}/lrmin.yaml"), 2, "lr_min must be between 0 and lr"),
        ["config warmup"] = new(Search("--config", "{T}/warm.yaml", "--epochs", "2"), 2, "warmup_epochs must be in 0..epochs-1"),
        ["config nodes"] = new(Search("--config", "{T}/nodes.yaml"), 2, "nodes must be at least 2"),
        ["config snapshot every"] = new(Search("--config", "{T}/snapshot-every.yaml"), 2, "snapshot_every must not be negative, got -3"),
        ["config device"] = new(Search("--config", "{T}/device.yaml"), 2, "--device tpu"),
        // The environment.
        ["hold not a number"] = new(Search(), 2, "$NAS_HOLD_AFTER_SNAPSHOT = 'abc'", Env("NAS_HOLD_AFTER_SNAPSHOT", "abc")),
        ["hold negative"] = new(Search(), 2, "$NAS_HOLD_AFTER_SNAPSHOT = '-1'", Env("NAS_HOLD_AFTER_SNAPSHOT", "-1")),
        ["resume hold not a number"] = new(["resume", "{T}/oldrun"], 2, "NAS_HOLD_AFTER_SNAPSHOT", Env("NAS_HOLD_AFTER_SNAPSHOT", "x")),
        ["token too short"] = new(Serve(), 2, "is 5 characters long", Env("NAS_TOKEN", "short")),
        ["token with space"] = new(Serve(), 2, "whitespace", Env("NAS_TOKEN", "a token with spaces inside")),
        // Data parallelism (docs/distributed.md): flags and torchrun's variables.
        ["nproc zero"] = new(Search("--nproc", "0"), 2, "--nproc 0: must be at least 1"),
        ["nproc with rank"] = new(Search("--nproc", "2", "--rank", "1"), 2, "leave out --world-size, --rank and --master"),
        ["rank outside the world"] = new(Search("--world-size", "2", "--rank", "2", "--master", "127.0.0.1:29500"), 2, "rank 2: must be in 0..1"),
        ["world without master"] = new(Search("--world-size", "2", "--rank", "0"), 2, "needs rank 0's store"),
        ["master without port"] = new(Search("--master", "somehost"), 2, "--master somehost: expected ADDR:PORT"),
        ["master port 0"] = new(Search("--master", "127.0.0.1:0"), 2, "master port '0'"),
        ["dist timeout zero"] = new(Search("--dist-timeout", "0"), 2, "--dist-timeout 0"),
        ["check every negative"] = new(Search("--check-every", "-1"), 2, "--check-every -1"),
        ["env rank not a number"] = new(Search(), 2, "$RANK='abc'", Env("RANK", "abc")),
        ["serve nproc zero"] = new(Serve("--nproc", "0"), 2, "--nproc 0"),
        ["resume nproc zero"] = new(["resume", "{T}/oldrun", "--nproc", "0"], 2, "--nproc 0"),
        // The daemon's own flags.
        ["serve port 99999"] = new(Serve("--urls", "http://127.0.0.1:99999"), 2, "port 99999 is outside 0..65535"),
        ["serve not http"] = new(Serve("--urls", "ftp://127.0.0.1:21"), 2, "only http://HOST:PORT"),
        ["serve no address"] = new(Serve("--urls", ";"), 2, "give at least one address"),
        ["serve exposed without token"] = new(Serve("--urls", "http://0.0.0.0:0"), 2, "no token is set"),
        ["serve token flag too short"] = new(Serve("--token", "abc"), 2, "is 3 characters long"),
        ["serve minutes negative"] = new(Serve("--snapshot-every-minutes", "-1"), 2, "--snapshot-every-minutes"),
        ["serve minutes NaN"] = new(Serve("--snapshot-every-minutes", "NaN"), 2, "--snapshot-every-minutes"),
        ["serve threads 100000"] = new(Serve("--threads", "100000"), 2, "--threads 100000"),
        ["serve device tpu"] = new(Serve("--device", "tpu"), 2, "--device tpu"),
        ["serve batch int max"] = new(Serve("--batch", "2147483647"), 2, "needs at least"),
        // Other commands.
        ["info method unknown"] = new(["info", "--method", "nope"], 2, "unknown method 'nope'"),
        ["info input malformed"] = new(["info", "--input", "3x32"], 2, "--input '3x32'"),
        ["bench input malformed"] = new(["bench", "--input", "3x", "--steps", "1"], 2, "--input"),
        ["bench threads 100000"] = new(["bench", "--threads", "100000", "--steps", "1"], 2, "--threads 100000: at most"),
        ["train threads 100000"] = new(["train", "--genotype", "{T}/afile", "--threads", "100000"], 2, "--threads 100000: must be in 1.."),
        ["train literal without space"] = new(["train", "--genotype", "{T}/cell.txt", "--out", "{OUT}"], 2, "pass --space stacked"),
        ["train space unknown"] = new(["train", "--genotype", "{T}/cell.txt", "--space", "sideways", "--out", "{OUT}"], 2, "--space 'sideways'"),
        ["train broad with head"] = new(["train", "--genotype", "{T}/cell.txt", "--space", "broad", "--auxiliary-weight", "0.4", "--out", "{OUT}"], 2, "no auxiliary head"),
        ["info genotype stacked enhancement"] = new(["info", "--genotype", "{T}/cell.txt", "--space", "stacked", "--enhancement", "2"], 2, "--enhancement 2"),
        ["info space without genotype"] = new(["info", "--space", "broad"], 2, "needs --genotype"),
        ["train kernels unknown"] = new(["train", "--genotype", "{T}/afile", "--kernels", "turbo"], 2, "--kernels turbo: expected reference or fast"),
        ["bench forward unknown"] = new(["bench", "--method", "spos", "--forward", "turbo", "--steps", "1"], 2, "--forward turbo: expected batched or reference"),
    };
}
