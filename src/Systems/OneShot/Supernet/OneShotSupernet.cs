// The one-shot supernet as the step systems see it: candidate-op entities and fixed tensors resolved from the world, single-path forward (a forward program).
using Nas.Components;
using Nas.Systems.OneShot.BsNas;
using Nas.Systems.OneShot.Darts;
using Nas.Systems.OneShot.Mobile;
using Nas.Systems.OneShot.NasBench201;
using Nas.Systems.OneShot.Search;
using Nas.Systems.Spaces.Darts;
using Nas.Systems.Spaces.Forward;
using Nas.Torch;
using Nas.World;

namespace Nas.Systems.OneShot.Supernet;

/// <summary>Records ReLU and ReLU6 inputs during a forward (BNNAS++ expressivity) through <see cref="ProbeKernels"/>; tensors are owned by the forward's scope.</summary>
public sealed class ActivationProbe
{
    public List<Tensor> PreActivations { get; } = [];
}

/// <summary>
/// A view over the world, rebuilt on demand (cheap: a dictionary of op entities). Tensors stay in the world's store;
/// the view never owns any; it finds them by role through the <see cref="SupernetTensors"/> resource. Rebuild it after
/// entities were destroyed (BS-NAS shrinking).
/// </summary>
public sealed class OneShotSupernet
{
    private readonly Dictionary<(int Layer, int Choice, int Cell), Entity> _ops = [];

    public World.World World { get; }
    public Entity Network { get; }
    public OneShotNetwork Spec { get; }
    public IReadOnlyList<MbLayer> MobileLayers { get; }
    public IReadOnlyList<int[]> MobileWidths { get; }

    public OneShotSupernet(World.World world)
    {
        World = world;
        foreach (var e in world.Query<OneShotNetwork>()) { Network = e; Spec = world.Read<OneShotNetwork>(e); }
        if (Network.IsNull) throw new InvalidOperationException("the world has no one-shot network entity");
        foreach (var e in world.Query<ChoiceOp>())
        {
            var op = world.Read<ChoiceOp>(e);
            _ops[(op.Layer, op.Choice, op.Cell)] = e;
        }
        MobileLayers = MobileSpace.Tiny28(identity: true, Spec.Classes).LayerSpecs;
        MobileWidths = MobileLayers.Select(l => Spec.Spring ? Spring.Widths(l.Out) : [l.Out]).ToArray();
    }

    /// <summary>The network's layout record alone (for systems that read no tensors).</summary>
    public static OneShotNetwork SpecOf(World.World world)
    {
        foreach (var e in world.Query<OneShotNetwork>()) return world.Read<OneShotNetwork>(e);
        throw new InvalidOperationException("the world has no one-shot network entity");
    }

    public TensorStore Store => World.Tensors;

    private SupernetTensors? _tensors;

    /// <summary>The tensors by role (read on first use: describing a path needs none, so a loaded world's result text works without them).</summary>
    public SupernetTensors Tensors => _tensors ??= World.TryResource<SupernetTensors>(out var t) ? t
        : throw new InvalidOperationException("the world has no SupernetTensors cache: set it with SupernetLayout.Index(world) after spawning or loading");

    public int Layers => Spec.Space switch
    {
        OneShotSpaceKind.Mobile => MobileLayers.Count,
        OneShotSpaceKind.Darts => 2 * Spec.Nodes * DartsCellSpace.GenesPerNode,
        _ => Nb201Cell.EdgeCount,
    };
    public int CellCount => 3 * Spec.CellsPerStage;

    public bool TryOp(int layer, int choice, int cell, out Entity entity) => _ops.TryGetValue((layer, choice, cell), out entity);

    public Entity Op(int layer, int choice, int cell = 0) =>
        _ops.TryGetValue((layer, choice, cell), out var e) ? e : throw new InvalidOperationException($"no candidate op {choice} in layer {layer} (cell {cell}); was it pruned?");

    public IEnumerable<(ChoiceOp Op, Entity Entity)> Ops() => _ops.Select(kv => (new ChoiceOp(kv.Key.Layer, kv.Key.Choice, kv.Key.Cell), kv.Value));

    /// <summary>
    /// The choice space for the evolution: MobileSpace.Tiny28, the BS-NAS op+width space, or NB-201 (with its duplicate
    /// rule). NB-201's FLOPs are at the real input size; the mobile spaces count at 28×28, the size they are laid out for.
    /// Without identity (<see cref="OneShotNetwork.NoIdentity"/>) no mobile layer offers gene −1.
    /// </summary>
    public static IChoiceSpace ChoiceSpace(OneShotNetwork spec, ActiveOptions? active, Nb201Dedupe dedupe = Nb201Dedupe.None) => spec.Space switch
    {
        OneShotSpaceKind.Darts => DartsSupernet.Space(spec),
        OneShotSpaceKind.Nb201 => new Nb201Space(new Nb201Layout(spec.Channels, spec.CellsPerStage, spec.InputChannels, spec.InputSize, spec.Classes), dedupe),
        _ when spec.Spring => active is null ? BsNasSpace.Tiny28(spec.Classes, identity: !spec.NoIdentity) : BsNasSpace.Tiny28(spec.Classes).With(active),
        _ => MobileSpace.Tiny28(identity: !spec.NoIdentity, spec.Classes),
    };

    /// <summary>Decodes a genome into per-layer (op, width): NB-201 genes are ops, DARTS genes pass as they are (input pair, op, op per node); BS-NAS genes hold op and width (§4.5).</summary>
    public PathStep[] Path(ReadOnlySpan<int> genome)
    {
        if (genome.Length != Layers) throw new ArgumentException($"the supernet has {Layers} layers, the genome has {genome.Length} genes");
        var path = new PathStep[genome.Length];
        int cin = 16;
        for (int l = 0; l < genome.Length; l++)
        {
            if (Spec.Space is OneShotSpaceKind.Nb201 or OneShotSpaceKind.Darts) { path[l] = new PathStep(genome[l], 0); continue; }
            int op = Spec.Spring ? BsNasGene.Op(genome[l]) : genome[l];
            int width = op == -1 ? cin : Spec.Spring ? MobileWidths[l][BsNasGene.Width(genome[l])] : MobileLayers[l].Out;
            path[l] = new PathStep(op, width);
            cin = width;
        }
        return path;
    }

    private ForwardProgram? _program;

    /// <summary>The supernet as one forward program over every candidate op (<see cref="OneShotProgram"/>), built on first use from this view.</summary>
    public ForwardProgram Program => _program ??= OneShotProgram.Of(this);

    /// <summary>
    /// Logits of the single path <paramref name="genome"/>; train-mode BN uses batch statistics and updates the running ones
    /// with <paramref name="bnMomentum"/>. The kernel set is <paramref name="mode"/>'s when given, else the world's
    /// <see cref="ForwardSettings"/> (the reference set when it has none); a <see cref="ForwardProfile"/> resource
    /// (`nas bench --profile`) times it, and a <paramref name="probe"/> records the input of every activation.
    /// </summary>
    public Tensor Forward(ReadOnlySpan<int> genome, Tensor images, bool training, TensorScope scope, double bnMomentum = OpForward.BnMomentum,
        ActivationProbe? probe = null, ForwardMode? mode = null)
    {
        var path = Path(genome);
        // The program reads the weights; a training-mode forward moves the BN running statistics in place: a write of them.
        Store.Use<Weights>(write: false);
        Store.Use<RunningStats>(training);
        // Profiling is a bench tool: absent (the normal case) it is not even looked up through the checked accessor.
        var profile = World.HasResource<ForwardProfile>() ? World.ReadResource<ForwardProfile>() : null;
        var start = ForwardProfile.Now(profile);
        var kernels = Kernels.For(mode ?? (World.HasResource<ForwardSettings>() ? World.ReadResource<ForwardSettings>().Mode : ForwardMode.Reference), scope, profile);
        if (probe is not null) kernels = new ProbeKernels(kernels, probe.PreActivations);
        var (logits, _) = ForwardInterpreter.Run(Program, images, kernels, new ForwardArgs(training, Path: path, BnMomentum: bnMomentum));
        profile?.AddForward(start);
        return logits;
    }

    /// <summary>The tensors a genome's path reads from its candidate ops (for "only the sampled path changes" checks).</summary>
    public IEnumerable<Entity> PathOps(ReadOnlySpan<int> genome)
    {
        if (Spec.Space == OneShotSpaceKind.Darts) return DartsSupernet.PathOps(this, genome);
        var path = Path(genome);
        var list = new List<Entity>();
        for (int cell = 0; cell < (Spec.Space == OneShotSpaceKind.Nb201 ? CellCount : 1); cell++)
            for (int l = 0; l < path.Length; l++)
                if (TryOp(l, path[l].Op, cell, out var e)) list.Add(e);
        return list;
    }

    /// <summary>
    /// Stores a detached copy of every conv and linear weight (the weights a mobile path's angle reads: stem, head,
    /// classifier, and each op's three convolutions) under <see cref="SupernetLayout.InitialKey"/>, then refreshes the
    /// <see cref="SupernetTensors"/> cache. Called once right after spawning; the copies live in the world, so snapshots
    /// keep them and destroying a pruned op releases them.
    /// </summary>
    public void KeepInitialWeights()
    {
        if (Spec.Space != OneShotSpaceKind.Mobile) throw new InvalidOperationException("the angle criterion is built for the mobile (BS-NAS) space only");
        Store.Use<InitialWeights>(write: true);
        using (NoGrad.Enter())
            foreach (var p in Tensors.Parameters)
                if (p.Role is TensorRole.ConvWeight or TensorRole.LinearWeight && !Tensors.InitialCopies.ContainsKey((p.Owner, p.Name)))
                {
                    using var detached = p.Value.Detach();
                    Store.Add(p.Owner, SupernetLayout.InitialKey(p.Name), detached.Clone());
                }
        World.SetResource(_tensors = SupernetLayout.Index(World));
    }

    /// <summary>
    /// ABS's angle of a mobile path (§4.4): its weight vector is the stem, each non-identity layer's expand, depthwise and
    /// project convolutions sliced to the path's widths (as the forward reads them), the head conv sliced to the last
    /// width, and the classifier weight; no BatchNorm, no biases. Needs <see cref="KeepInitialWeights"/>.
    /// </summary>
    public double PathAngle(ReadOnlySpan<int> genome)
    {
        if (Spec.Space != OneShotSpaceKind.Mobile) throw new InvalidOperationException("the angle criterion is built for the mobile (BS-NAS) space only");
        var path = Path(genome);
        Store.Use<Weights>(write: false); // the current weights are read by store key below
        using var _ = NoGrad.Enter();
        using var scope = new TensorScope();
        Tensor Lead(Tensor t, int dim, long n) => t.Size(dim) == n ? t : scope.Own(t.Narrow(dim, 0, n));
        var pieces = new List<(Tensor Init, Tensor Now)>();
        void Piece(Entity owner, string name, Func<Tensor, Tensor> slice)
        {
            if (!Tensors.InitialCopies.TryGetValue((owner, name), out var init))
                throw new InvalidOperationException($"no initial copy of '{name}': the angle criterion keeps them when the supernet is spawned (shrink_criterion: angle)");
            pieces.Add((slice(init), slice(Store.Get(owner, name))));
        }
        Piece(Network, "stem", t => t);
        long cin = Store.Get(Network, "stem").Size(0);
        for (int l = 0; l < path.Length; l++)
        {
            if (path[l].Op == -1) continue; // identity: no weights, the width passes through
            var e = Op(l, path[l].Op);
            long m = MobileSpace.Ops[path[l].Op].Expansion * cin, width = path[l].Width;
            Piece(e, "expand", t => Lead(Lead(t, 0, m), 1, cin));
            Piece(e, "dw", t => Lead(t, 0, m));
            Piece(e, "project", t => Lead(Lead(t, 0, width), 1, m));
            cin = width;
        }
        Piece(Network, "head", t => Lead(t, 1, cin));
        Piece(Network, "fc_w", t => t);
        return BsNas.PathAngle.Of(pieces);
    }

    /// <summary>The parameters (not running statistics, optimizer state or initial copies) in the stable order: owners by creation, then store key.</summary>
    public IEnumerable<(Entity Owner, string Name, Tensor Tensor)> Parameters() => Tensors.Parameters.Select(p => (p.Owner, p.Name, p.Value));

    /// <summary>The parameters that train: all of them, or under BN-only training those in the scope (§2.3).</summary>
    public IReadOnlyList<(Entity Owner, string Name, Tensor Tensor)> Trainable() => Tensors.Trainable.Select(p => (p.Owner, p.Name, p.Value)).ToList();

    /// <summary>Every BatchNorm running mean and variance, reset to 0 and 1 (§1.4 step 1).</summary>
    public void ResetRunningStatistics()
    {
        Store.Use<RunningStats>(write: true);
        using var _ = NoGrad.Enter();
        foreach (var bn in Tensors.BatchNorms.Values)
        {
            bn.Mean.ZeroInPlace();
            bn.Var.FillInPlace(1);
        }
    }

    public Tensor[] BackupRunningStatistics(TensorScope scope) =>
        Tensors.BatchNorms.Values.SelectMany(bn => new[] { scope.Own(bn.Mean.Clone()), scope.Own(bn.Var.Clone()) }).ToArray();

    public void RestoreRunningStatistics(Tensor[] backup)
    {
        Store.Use<RunningStats>(write: true);
        using var _ = NoGrad.Enter();
        int i = 0;
        foreach (var bn in Tensors.BatchNorms.Values)
        {
            bn.Mean.CopyFrom(backup[i++]);
            bn.Var.CopyFrom(backup[i++]);
        }
    }

    /// <summary>
    /// §1.4: reset the statistics, then forward the recalibration batches in train mode without gradients. The
    /// momentum 1/(i+1) makes the running values the exact mean over the batches [I] (SPOS uses 200 batches at 0.1).
    /// </summary>
    public void Recalibrate(ReadOnlySpan<int> genome, IReadOnlyList<Tensor> batches)
    {
        ResetRunningStatistics();
        using var _ = NoGrad.Enter();
        for (int i = 0; i < batches.Count; i++)
        {
            using var scope = new TensorScope();
            Forward(genome, batches[i], training: true, scope, bnMomentum: 1.0 / (i + 1));
        }
    }

    /// <summary>Top-1 accuracy in eval mode over the given batches.</summary>
    public double Accuracy(ReadOnlySpan<int> genome, IReadOnlyList<(Tensor Images, Tensor Labels)> batches)
    {
        using var _ = NoGrad.Enter();
        double correct = 0, seen = 0;
        foreach (var (images, labels) in batches)
        {
            using var scope = new TensorScope();
            var logits = Forward(genome, images, training: false, scope);
            var hits = scope.Own(scope.Own(scope.Own(logits.Argmax(1)).Eq(labels)).To(DType.Float32));
            correct += scope.Own(hits.Sum()).Item();
            seen += labels.Size(0);
        }
        return correct / seen;
    }
}
