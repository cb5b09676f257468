// The one-shot supernets' layout as data: every layer each owner (network or candidate op) holds, in spawn order, with the role of each tensor.
using Nas.Components;
using Nas.Systems.OneShot.Mobile;
using Nas.Systems.OneShot.NasBench201;
using Nas.Torch;
using Nas.World;

namespace Nas.Systems.OneShot.Supernet;

/// <summary>One layer a supernet owner holds; <see cref="Tensors"/> are its store keys with their roles, in creation order.</summary>
public abstract record LayerDecl(string Name)
{
    public abstract IEnumerable<(string Key, TensorRole Role)> Tensors { get; }
}

/// <summary>A convolution weight [out, in/groups, k, k] (He fan-out init, BN-NAS §2.3).</summary>
public sealed record ConvDecl(string Name, long Out, long InPerGroup, int Kernel) : LayerDecl(Name)
{
    public override IEnumerable<(string Key, TensorRole Role)> Tensors => [(Name, TensorRole.ConvWeight)];
}

/// <summary>The classifier: weight [out, in] and bias [out] (PyTorch's default uniform init).</summary>
public sealed record LinearDecl(string Weight, string Bias, int Out, int In) : LayerDecl(Weight)
{
    public override IEnumerable<(string Key, TensorRole Role)> Tensors => [(Weight, TensorRole.LinearWeight), (Bias, TensorRole.LinearBias)];
}

/// <summary>
/// A BatchNorm, affine unless <see cref="Affine"/> is false (SPOS's supernet, §1.2: running statistics only, no γ or β);
/// <see cref="Output"/> marks an op's output BN (the BN-NAS indicator BN, §2.2; BNNAS++'s unbiasing BN, §3.2).
/// </summary>
public sealed record BnDecl(string Name, int Channels, bool Output = false, bool Affine = true) : LayerDecl(Name)
{
    /// <summary>The store keys as the spawner has always named them (<c>ParamInit.Named</c>): snapshots are keyed by them.</summary>
    public override IEnumerable<(string Key, TensorRole Role)> Tensors => Affine
        ? [(Key(TensorRole.BnMean), TensorRole.BnMean), (Key(TensorRole.BnVar), TensorRole.BnVar), (Key(TensorRole.BnWeight), TensorRole.BnWeight), (Key(TensorRole.BnBias), TensorRole.BnBias)]
        : [(Key(TensorRole.BnMean), TensorRole.BnMean), (Key(TensorRole.BnVar), TensorRole.BnVar)];

    public string Key(TensorRole role) => role switch
    {
        TensorRole.BnMean => Name + ".mean",
        TensorRole.BnVar => Name + ".var",
        TensorRole.BnWeight => Name + ".weight",
        TensorRole.BnBias => Name + ".bias",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "a BatchNorm holds only γ, β and its running statistics"),
    };
}

public static class SupernetLayout
{
    /// <summary>The store key of a parameter's SGD momentum buffer (kept under this key so snapshots stay readable).</summary>
    public static string MomentumKey(string parameter) => parameter + ".momentum";

    /// <summary>The store key of a weight's frozen copy at initialisation (the angle criterion's reference, §4.4).</summary>
    public static string InitialKey(string weight) => weight + ".init";

    /// <summary>
    /// Every layer in spawn order, which is the order the generator is drawn in: (owner, layer), the owner null for the
    /// network entity; an op entity appears first where it is created, with a null layer when it holds none (an identity
    /// without BN, NB-201's none).
    /// </summary>
    public static IEnumerable<(ChoiceOp? Op, LayerDecl? Layer)> Of(OneShotNetwork n) =>
        (n.Space switch { OneShotSpaceKind.Mobile => Mobile(n), OneShotSpaceKind.Darts => Darts.DartsSupernet.Layout(n), _ => Nb201(n) }).Select(d => d.Item2 is BnDecl bn && n.NonAffineBn ? (d.Item1, bn with { Affine = false }) : d);

    /// <summary>Stem 3×3 conv + BN; per layer an identity (with BNNAS++'s output BN) where allowed, then six MBConvs; head 1×1 conv + BN; FC.</summary>
    private static IEnumerable<(ChoiceOp?, LayerDecl?)> Mobile(OneShotNetwork n)
    {
        var layers = MobileSpace.Tiny28(identity: !n.NoIdentity, n.Classes).LayerSpecs;
        int Max(int c) => n.Spring ? BsNas.Spring.Widths(c).Max() : c;
        const int stem = 16, head = 128;
        yield return (null, new ConvDecl("stem", stem, n.InputChannels, 3));
        yield return (null, new BnDecl("stem_bn", stem));
        int maxIn = stem;
        for (int l = 0; l < layers.Count; l++)
        {
            var layer = layers[l];
            int maxOut = Max(layer.Out);
            if (layer.Identity != IdentityRule.Never)
                yield return (new ChoiceOp(l, -1, 0), n.Unbiased ? new BnDecl("out", Math.Max(maxIn, maxOut), Output: true) : null); // §3.2
            for (int o = 0; o < MobileSpace.Ops.Count; o++)
            {
                var spec = MobileSpace.Ops[o];
                int m = spec.Expansion * maxIn;
                var op = new ChoiceOp(l, o, 0);
                yield return (op, new ConvDecl("expand", m, maxIn, 1));
                yield return (op, new BnDecl("bn_expand", m));
                yield return (op, new ConvDecl("dw", m, 1, spec.Kernel));
                yield return (op, new BnDecl("bn_dw", m));
                yield return (op, new ConvDecl("project", maxOut, m, 1));
                yield return (op, new BnDecl("out", maxOut, Output: true));
            }
            maxIn = maxOut;
        }
        yield return (null, new ConvDecl("head", head, maxIn, 1));
        yield return (null, new BnDecl("head_bn", head));
        yield return (null, new LinearDecl("fc_w", "fc_b", n.Classes, head));
    }

    /// <summary>§5.2: stem conv + BN; three stages of cells, residual blocks between them; head BN; FC.</summary>
    private static IEnumerable<(ChoiceOp?, LayerDecl?)> Nb201(OneShotNetwork n)
    {
        int c = n.Channels;
        yield return (null, new ConvDecl("stem", c, n.InputChannels, 3));
        yield return (null, new BnDecl("stem_bn", c));
        int cell = 0;
        for (int stage = 0; stage < 3; stage++)
        {
            int ch = c << stage;
            if (stage > 0)
            {
                var p = $"res{stage - 1}";
                yield return (null, new ConvDecl(p + ".conv_a", ch, ch / 2, 3));
                yield return (null, new BnDecl(p + ".bn_a", ch));
                yield return (null, new ConvDecl(p + ".conv_b", ch, ch, 3));
                yield return (null, new BnDecl(p + ".bn_b", ch));
                yield return (null, new ConvDecl(p + ".short", ch, ch / 2, 1));
            }
            for (int i = 0; i < n.CellsPerStage; i++, cell++)
                for (int e = 0; e < Nb201Cell.EdgeCount; e++)
                    for (int o = 0; o < Nb201Cell.OpCount; o++)
                    {
                        var op = new ChoiceOp(e, o, cell);
                        switch ((Nb201Op)o)
                        {
                            case Nb201Op.NorConv1x1 or Nb201Op.NorConv3x3:
                                yield return (op, new ConvDecl("conv", ch, ch, (Nb201Op)o == Nb201Op.NorConv1x1 ? 1 : 3));
                                yield return (op, new BnDecl("out", ch, Output: true));
                                break;
                            case Nb201Op.SkipConnect or Nb201Op.AvgPool3x3 when n.Unbiased:
                                yield return (op, new BnDecl("out", ch, Output: true)); // §3.2
                                break;
                            default:
                                yield return (op, null);
                                break;
                        }
                    }
        }
        yield return (null, new BnDecl("head_bn", 4 * c));
        yield return (null, new LinearDecl("fc_w", "fc_b", n.Classes, 4 * c));
    }

    /// <summary>Whether a tensor of this role trains: all of them, or under BN-only training those in the scope (§2.3).</summary>
    public static bool Trains(TensorRole role, LayerDecl layer, bool isChoiceOp, bool bnOnly, BnScope scope)
    {
        bool bnAffine = role is TensorRole.BnWeight or TensorRole.BnBias;
        return !bnOnly || scope switch
        {
            BnScope.LastBnPerOp => isChoiceOp && bnAffine && layer is BnDecl { Output: true },
            BnScope.AllBn => bnAffine,
            _ => bnAffine || role is TensorRole.LinearWeight or TensorRole.LinearBias,
        };
    }

    public static bool IsRunningStatistic(TensorRole role) => role is TensorRole.BnMean or TensorRole.BnVar;

    /// <summary>
    /// The supernet's tensors by role, from the world's entities and store (the cache <see cref="SupernetTensors"/>).
    /// Ops destroyed by shrinking are skipped; a momentum buffer or initial copy is picked up where the store holds one.
    /// A read of the <see cref="Weights"/>, <see cref="RunningStats"/>, <see cref="Momentum"/> and <see cref="InitialWeights"/>
    /// roles (checked against the running system's Access).
    /// </summary>
    public static SupernetTensors Index(World.World world)
    {
        Entity network = Entity.Null;
        OneShotNetwork spec = default;
        foreach (var e in world.Query<OneShotNetwork>()) { network = e; spec = world.Read<OneShotNetwork>(e); }
        if (network.IsNull) throw new InvalidOperationException("the world has no one-shot network entity");
        var ops = new Dictionary<ChoiceOp, Entity>();
        foreach (var e in world.Query<ChoiceOp>()) ops[world.Read<ChoiceOp>(e)] = e;

        var store = world.Tensors;
        // It reads tensors of every role the layout declares: checked role accesses (a system rebuilding the cache declares them).
        store.Use<Weights>(write: false);
        store.Use<RunningStats>(write: false);
        store.Use<Momentum>(write: false);
        store.Use<InitialWeights>(write: false);
        var parameters = new List<SupernetParameter>();
        var bns = new Dictionary<(Entity, string), BnLayer>();
        var outputs = new Dictionary<Entity, BnLayer>();
        var initial = new Dictionary<(Entity, string), Tensor>();
        foreach (var (op, layer) in Of(spec))
        {
            if (layer is null) continue;
            Entity owner = network;
            if (op is { } key && !ops.TryGetValue(key, out owner)) continue; // pruned and destroyed
            foreach (var (name, role) in layer.Tensors)
            {
                if (IsRunningStatistic(role)) continue;
                var p = new SupernetParameter(owner, name, role, store.Get(owner, name), MomentumKey(name));
                if (store.TryGet(owner, p.MomentumKey, out var buffer)) p.Momentum = buffer;
                parameters.Add(p);
                if (store.TryGet(owner, InitialKey(name), out var init)) initial[(owner, name)] = init;
            }
            if (layer is BnDecl bn)
            {
                var t = new BnLayer(bn.Affine ? store.Get(owner, bn.Key(TensorRole.BnWeight)) : null, bn.Affine ? store.Get(owner, bn.Key(TensorRole.BnBias)) : null,
                    store.Get(owner, bn.Key(TensorRole.BnMean)), store.Get(owner, bn.Key(TensorRole.BnVar)));
                bns[(owner, bn.Name)] = t;
                if (bn.Output && op is not null) outputs[owner] = t;
            }
        }
        // The order the one-system step used: owners by creation, then store key (ordinal); the clip norm sums in it.
        var ordered = parameters.OrderBy(p => world.SequenceOf(p.Owner)).ThenBy(p => p.Name, StringComparer.Ordinal).ToArray();
        return new SupernetTensors(store, ordered, bns, outputs, initial);
    }

    /// <summary>
    /// Gives every owner of a trainable tensor of <paramref name="tensors"/> (the network entity, the op entities) a
    /// <see cref="WeightGrads"/> with one entry per such tensor, in the cache's order; the path's backward writes them.
    /// Runtime-only components: attached on spawn and on resume; owners destroyed by shrinking take theirs along.
    /// Components that already fit are kept.
    /// </summary>
    public static void AttachGradients(World.World world, SupernetTensors tensors)
    {
        var counts = new Dictionary<Entity, int>();
        foreach (var p in tensors.Trainable) counts[p.Owner] = counts.GetValueOrDefault(p.Owner) + 1;
        foreach (var (owner, n) in counts)
            if (!world.TryGet<WeightGrads>(owner, out var g) || g.Values.Length != n) world.Set(owner, new WeightGrads(new Tensor?[n]));
    }
}

