// Zero-cost proxies (issue 16 item 1): NASWOT, synflow, snip, grad_norm, params and FLOPs of one NB-201 architecture at initialisation, without training.
using Nas.Components;
using Nas.Systems.OneShot.Indicators;
using Nas.Systems.OneShot.NasBench201;
using Nas.Systems.OneShot.Supernet;
using Nas.Systems.Spaces.Forward;
using Nas.Torch;

namespace Nas.Systems.OneShot.Proxies;

/// <summary>The proxies; each is higher-is-better as its paper uses it (params and FLOPs: larger networks score higher).</summary>
public enum ProxyKind { Naswot, Synflow, Snip, GradNorm, Params, Flops }

/// <summary>
/// Each proxy scores one architecture of the NB-201 space at initialisation. The network is the one-shot supernet spawned
/// afresh from <c>new Generator(seed)</c> (what <see cref="Methods.OneShotSession.Create"/> does with the config's seed,
/// so it starts from the weights the stand-alone ground-truth training of the rank experiment starts from) run on the
/// architecture's fixed path: ops off the path get no gradient and add nothing. Gradient proxies sum over the conv and
/// linear weights only (no biases, no BN γ/β), as zero-cost-nas and NASLib do with <c>get_layer_metric_array</c>.
/// Every call spawns its own network, so no proxy sees another's changes (synflow rewrites the weights).
/// </summary>
public static class ZeroCostProxies
{
    public static IReadOnlyList<ProxyKind> All { get; } = Enum.GetValues<ProxyKind>();

    /// <summary>The proxy's name on the command line and in CSV headers.</summary>
    public static string Name(ProxyKind kind) => kind switch
    {
        ProxyKind.Naswot => "naswot",
        ProxyKind.Synflow => "synflow",
        ProxyKind.Snip => "snip",
        ProxyKind.GradNorm => "grad_norm",
        ProxyKind.Params => "params",
        ProxyKind.Flops => "flops",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown proxy"),
    };

    /// <summary>
    /// The proxy an evolution fitness names (fitness naswot, synflow, snip, grad_norm, params or flops: the same spelling),
    /// or null for the fitnesses of a trained supernet (accuracy, bn_indicator, composite).
    /// </summary>
    public static ProxyKind? OfFitness(OneShotFitness fitness) => fitness switch
    {
        OneShotFitness.Naswot => ProxyKind.Naswot,
        OneShotFitness.Synflow => ProxyKind.Synflow,
        OneShotFitness.Snip => ProxyKind.Snip,
        OneShotFitness.GradNorm => ProxyKind.GradNorm,
        OneShotFitness.Params => ProxyKind.Params,
        OneShotFitness.Flops => ProxyKind.Flops,
        _ => null,
    };

    public static ProxyKind Parse(string name) => All.FirstOrDefault(k => Name(k) == name.Trim().ToLowerInvariant(), (ProxyKind)(-1)) is var k && k >= 0 ? k
        : throw new ArgumentException($"unknown proxy '{name}'; expected one of {string.Join(", ", All.Select(Name))}");

    /// <summary>
    /// The score of <paramref name="genome"/> (six NB-201 op genes) under <paramref name="kind"/>. <paramref name="images"/>
    /// [N, C, H, W] float32 and <paramref name="labels"/> [N] int64 are the minibatch NASWOT, snip and grad_norm read
    /// (synflow reads only the image shape; params and FLOPs read nothing).
    /// </summary>
    public static double Score(ProxyKind kind, int[] genome, OneShotNetwork network, Tensor images, Tensor labels, ulong seed)
    {
        Check(genome, network, images, labels);
        if (kind is ProxyKind.Params or ProxyKind.Flops)
        {
            var cost = Nb201Network.NetworkCost(genome, LayoutOf(network));
            return kind == ProxyKind.Params ? cost.Params : cost.Macs;
        }
        using var world = new World.World();
        var net = Spawn(world, network, seed);
        return kind switch
        {
            ProxyKind.Naswot => Naswot(net, genome, images),
            ProxyKind.Synflow => Synflow(net, genome, images.Shape),
            ProxyKind.Snip => Gradients(net, genome, images, labels).Snip,
            ProxyKind.GradNorm => Gradients(net, genome, images, labels).GradNorm,
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown proxy"),
        };
    }

    /// <summary>
    /// Every proxy of <see cref="All"/>, in that order, equal to <see cref="Score"/> of each: NASWOT, snip and grad_norm share
    /// one network (NASWOT moves no weight and no running statistic; snip and grad_norm come from one backward), synflow
    /// gets its own.
    /// </summary>
    public static double[] ScoreAll(int[] genome, OneShotNetwork network, Tensor images, Tensor labels, ulong seed)
    {
        Check(genome, network, images, labels);
        var scores = new double[All.Count];
        var cost = Nb201Network.NetworkCost(genome, LayoutOf(network));
        scores[(int)ProxyKind.Params] = cost.Params;
        scores[(int)ProxyKind.Flops] = cost.Macs;
        using (var world = new World.World())
        {
            var net = Spawn(world, network, seed);
            scores[(int)ProxyKind.Naswot] = Naswot(net, genome, images);
            (scores[(int)ProxyKind.Snip], scores[(int)ProxyKind.GradNorm]) = Gradients(net, genome, images, labels);
        }
        using (var world = new World.World())
            scores[(int)ProxyKind.Synflow] = Synflow(Spawn(world, network, seed), genome, images.Shape);
        return scores;
    }

    /// <summary>The supernet drawn from <c>new Generator(seed)</c> into <paramref name="world"/>, every parameter trainable.</summary>
    public static OneShotSupernet Spawn(World.World world, OneShotNetwork network, ulong seed)
    {
        using var g = new Generator(seed);
        return SupernetSpawn.Spawn(world, new SupernetSpec(network, BnOnly: false, BnScope.LastBnPerOp), g);
    }

    public static Nb201Layout LayoutOf(OneShotNetwork n) => new(n.Channels, n.CellsPerStage, n.InputChannels, n.InputSize, n.Classes);

    /// <summary>
    /// NASWOT (Mellor et al. 2021): c = [x &gt; 0] of every ReLU's input over the minibatch (a tensor two ReLUs read counts
    /// twice, as each reader has its own ReLU module), K = Σ_ReLUs c cᵀ + (1−c)(1−c)ᵀ = N_A − Hamming, score = log|det K|.
    /// BN uses batch statistics (training mode, the network as built; the running statistics are not moved).
    /// K holds exact integer counts (<see cref="ActivationKernel"/>); its log-determinant is taken by LU in double (<see cref="Dense.LogAbsDet"/>).
    /// </summary>
    public static double Naswot(OneShotSupernet net, int[] genome, Tensor images)
    {
        using var _ = NoGrad.Enter();
        using var scope = new TensorScope();
        var acts = new ActivationProbe();
        net.Forward(genome, images, training: true, scope, bnMomentum: 0, probe: acts, mode: ForwardMode.Reference);
        int n = (int)images.Size(0);
        return Dense.LogAbsDet(ActivationKernel(n, acts.PreActivations.Select(a => (scope.Own(a.Contiguous()).ToFloatArray(), (int)(a.Numel / n)))));
    }

    /// <summary>
    /// K[i, j] = Σ_layers (units − Hamming(c_i, c_j)), c = [pre-activation &gt; 0]: the same matrix as
    /// <see cref="BnnasPlusPlus.ActivationKernel"/>, from codes packed 64 to a word and popcounts (libtorch's generic BLAS
    /// took 19 s for the two products per ReLU at the full NB-201 size; this takes well under a second). Exact integers.
    /// </summary>
    public static double[,] ActivationKernel(int n, IEnumerable<(float[] PreActivations, int Units)> layers)
    {
        var k = new double[n, n];
        foreach (var (pre, units) in layers)
        {
            if (pre.Length != (long)n * units) throw new ArgumentException($"a layer of {units} units over {n} images needs {(long)n * units} values, got {pre.Length}");
            int words = (units + 63) / 64;
            var bits = new ulong[n * words];
            for (int i = 0; i < n; i++)
                for (int u = 0; u < units; u++)
                    if (pre[i * units + u] > 0) bits[i * words + u / 64] |= 1UL << (u % 64);
            for (int i = 0; i < n; i++)
                for (int j = i; j < n; j++)
                {
                    int hamming = 0;
                    for (int w = 0; w < words; w++) hamming += System.Numerics.BitOperations.PopCount(bits[i * words + w] ^ bits[j * words + w]);
                    k[i, j] += units - hamming;
                    if (j != i) k[j, i] += units - hamming;
                }
        }
        return k;
    }

    /// <summary>
    /// Synflow (Tanaka et al. 2020), as zero-cost-nas / NASLib compute it: every weight replaced by |w| in float64, BatchNorm
    /// removed (their bn=False copy of the network), one all-ones input [1, C, H, W], R = Σ logits, score = Σ over conv and
    /// linear weights of |w ⊙ ∂R/∂w|. Float64 keeps R finite for any NB-201 size (no per-layer scaling needed).
    /// Rewrites the world's weights (|w|, float64): call it on a network spawned for it.
    /// </summary>
    public static double Synflow(OneShotSupernet net, int[] genome, long[] imageShape)
    {
        var world = net.World;
        var store = world.Tensors;
        store.Use<Weights>(write: true);
        foreach (var p in net.Tensors.Parameters)
        {
            Tensor positive;
            using (NoGrad.Enter())
            using (var abs = p.Value.Abs())
                positive = abs.To(DType.Float64);
            positive.SetRequiresGrad(p.Role is TensorRole.ConvWeight or TensorRole.LinearWeight);
            store.Replace(p.Owner, p.Name, positive);
        }
        world.SetResource(SupernetLayout.Index(world));
        net = new OneShotSupernet(world);
        using var scope = new TensorScope();
        using var ones = Tensor.Ones([1, .. imageShape[1..]], DType.Float64);
        var kernels = new WithoutBnKernels(Kernels.For(ForwardMode.Reference, scope));
        var (logits, _) = ForwardInterpreter.Run(net.Program, ones, kernels, new ForwardArgs(false, Path: net.Path(genome)));
        var r = scope.Own(logits.Sum());
        return SumOverWeights(net, r, (w, g) => scope.Own(scope.Own(scope.Own(w.Mul(g)).Abs()).Sum()).Item());
    }

    /// <summary>
    /// Snip (Lee et al. 2019; |w ⊙ ∂L/∂w| summed) and grad_norm (NASLib's <c>grad_norm</c>: Σ over layers of ‖∂L/∂W‖₂, the
    /// Frobenius norm of each conv or linear weight's gradient, summed) from one backward of the mean cross-entropy L of
    /// the minibatch with its labels, BN on batch statistics (training mode), float32.
    /// </summary>
    public static (double Snip, double GradNorm) Gradients(OneShotSupernet net, int[] genome, Tensor images, Tensor labels)
    {
        using var scope = new TensorScope();
        var logits = net.Forward(genome, images, training: true, scope, bnMomentum: 0, mode: ForwardMode.Reference);
        var loss = scope.Own(logits.CrossEntropy(labels));
        double norm = 0;
        double snip = SumOverWeights(net, loss, (w, g) =>
        {
            norm += scope.Own(g.Norm()).Item();
            return scope.Own(scope.Own(scope.Own(w.Mul(g)).Abs()).Sum()).Item();
        });
        return (snip, norm);
    }

    /// <summary>Σ over the conv and linear weights the output depends on of term(w, ∂output/∂w), in the supernet's parameter order, summed in double.</summary>
    private static double SumOverWeights(OneShotSupernet net, Tensor output, Func<Tensor, Tensor, double> term)
    {
        var weights = net.Tensors.Parameters.Where(p => p.Role is TensorRole.ConvWeight or TensorRole.LinearWeight).Select(p => p.Value).ToArray();
        var grads = Autograd.Grad([output], weights);
        double sum = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            using var g = grads[i];
            if (g is not null) sum += term(weights[i], g);
        }
        return sum;
    }

    private static void Check(int[] genome, OneShotNetwork network, Tensor images, Tensor labels)
    {
        if (network.Space != OneShotSpaceKind.Nb201) throw new ArgumentException($"zero-cost proxies score NB-201 cells; the network's space is {network.Space}");
        if (genome.Length != Nb201Cell.EdgeCount || genome.Any(g => g < 0 || g >= Nb201Cell.OpCount))
            throw new ArgumentException($"an NB-201 genome is {Nb201Cell.EdgeCount} op genes in 0..{Nb201Cell.OpCount - 1}; got [{string.Join(", ", genome)}]");
        var s = images.Shape;
        if (s.Length != 4 || s[1] != network.InputChannels || s[2] != network.InputSize || s[3] != network.InputSize)
            throw new ArgumentException($"images must be [N, {network.InputChannels}, {network.InputSize}, {network.InputSize}] for this network; got [{string.Join(", ", s)}]");
        if (labels.Shape is not [var n] || n != s[0])
            throw new ArgumentException($"labels must be [{s[0]}] (one per image); got [{string.Join(", ", labels.Shape)}]");
    }
}
