// Spawns the one-shot supernets as entities: a network entity with the fixed tensors and one entity per candidate op, weights in the store.
using Nas.Components;
using Nas.Systems.OneShot.Mobile;
using Nas.Systems.OneShot.NasBench201;
using Nas.Systems.Spaces.Darts;
using Nas.Torch;
using Nas.World;

namespace Nas.Systems.OneShot.Supernet;

/// <summary>What to build and which parameters train.</summary>
public sealed record SupernetSpec(OneShotNetwork Network, bool BnOnly, BnScope Scope);

public static class SupernetSpawn
{
    public static OneShotSupernet Spawn(World.World world, SupernetSpec spec, Generator g)
    {
        var n = spec.Network;
        var network = world.Create(n);
        var added = new List<(Entity Owner, string Name, Tensor Tensor, bool IsOp)>();
        void Add(Entity owner, string name, Tensor t, bool isOp) => added.Add((owner, name, world.Tensors.Add(owner, name, t), isOp));
        void Bn(Entity owner, string prefix, int c, bool isOp)
        {
            foreach (var (name, t) in ParamInit.Named(prefix, ParamInit.BatchNorm(c, affine: true))) Add(owner, name, t, isOp);
        }

        if (n.Space == OneShotSpaceKind.Mobile) SpawnMobile(world, n, g, Add, Bn, network);
        else SpawnNb201(world, n, g, Add, Bn, network);

        // BN-only training (§2.3): frozen tensors get no gradient at all, so backward skips their weight products.
        foreach (var (owner, name, t, isOp) in added)
            if (!OneShotSupernet.IsRunningStat(name))
                t.SetRequiresGrad(OneShotSupernet.Trains(name, isOp, spec.BnOnly, spec.Scope));
        foreach (var owner in added.Select(a => a.Owner).Distinct())
        {
            var own = added.Where(a => a.Owner == owner && !OneShotSupernet.IsRunningStat(a.Name)).ToList();
            if (own.Count > 0 && own.All(a => !a.Tensor.RequiresGrad)) world.Add(owner, new Frozen());
        }
        return new OneShotSupernet(world);
    }

    /// <summary>He fan-out normal, std = √(2 / (k·k·C_out)) (BN-NAS's init, §2.3); the depthwise fan-out is its channel count.</summary>
    public static Tensor HeConv(long cout, long cinPerGroup, int k, Generator g)
    {
        using var r = Tensor.Randn([cout, cinPerGroup, k, k], g);
        return r.Mul(Math.Sqrt(2.0 / (k * k * cout)));
    }

    private static void SpawnMobile(World.World world, OneShotNetwork n, Generator g, Action<Entity, string, Tensor, bool> add,
        Action<Entity, string, int, bool> bn, Entity network)
    {
        var layers = MobileSpace.Tiny28(identity: true, n.Classes).LayerSpecs;
        int Max(int c) => n.Spring ? BsNas.Spring.Widths(c).Max() : c;
        const int stem = 16, head = 128;
        add(network, "stem", HeConv(stem, n.InputChannels, 3, g), false);
        bn(network, "stem_bn", stem, false);
        int maxIn = stem;
        for (int l = 0; l < layers.Count; l++)
        {
            var layer = layers[l];
            int maxOut = Max(layer.Out);
            if (layer.Identity != IdentityRule.Never)
            {
                var id = world.Create(new ChoiceOp(l, -1, 0));
                if (n.Unbiased) bn(id, "out", Math.Max(maxIn, maxOut), true); // BNNAS++: identity then BN (§3.2)
            }
            for (int o = 0; o < MobileSpace.Ops.Count; o++)
            {
                var op = MobileSpace.Ops[o];
                int m = op.Expansion * maxIn;
                var e = world.Create(new ChoiceOp(l, o, 0));
                add(e, "expand", HeConv(m, maxIn, 1, g), true);
                bn(e, "bn_expand", m, true);
                add(e, "dw", HeConv(m, 1, op.Kernel, g), true);
                bn(e, "bn_dw", m, true);
                add(e, "project", HeConv(maxOut, m, 1, g), true);
                bn(e, "out", maxOut, true);
            }
            maxIn = maxOut;
        }
        add(network, "head", HeConv(head, maxIn, 1, g), false);
        bn(network, "head_bn", head, false);
        add(network, "fc_w", ParamInit.Uniform([n.Classes, head], head, g), false);
        add(network, "fc_b", ParamInit.Uniform([n.Classes], head, g), false);
    }

    private static void SpawnNb201(World.World world, OneShotNetwork n, Generator g, Action<Entity, string, Tensor, bool> add,
        Action<Entity, string, int, bool> bn, Entity network)
    {
        int c = n.Channels;
        add(network, "stem", HeConv(c, n.InputChannels, 3, g), false);
        bn(network, "stem_bn", c, false);
        int cell = 0;
        for (int stage = 0; stage < 3; stage++)
        {
            int ch = c << stage;
            if (stage > 0)
            {
                var p = $"res{stage - 1}";
                add(network, p + ".conv_a", HeConv(ch, ch / 2, 3, g), false);
                bn(network, p + ".bn_a", ch, false);
                add(network, p + ".conv_b", HeConv(ch, ch, 3, g), false);
                bn(network, p + ".bn_b", ch, false);
                add(network, p + ".short", HeConv(ch, ch / 2, 1, g), false);
            }
            for (int i = 0; i < n.CellsPerStage; i++, cell++)
                for (int e = 0; e < Nb201Cell.EdgeCount; e++)
                    for (int o = 0; o < Nb201Cell.OpCount; o++)
                    {
                        var op = world.Create(new ChoiceOp(e, o, cell));
                        switch ((Nb201Op)o)
                        {
                            case Nb201Op.NorConv1x1: add(op, "conv", HeConv(ch, ch, 1, g), true); bn(op, "out", ch, true); break;
                            case Nb201Op.NorConv3x3: add(op, "conv", HeConv(ch, ch, 3, g), true); bn(op, "out", ch, true); break;
                            case Nb201Op.SkipConnect or Nb201Op.AvgPool3x3 when n.Unbiased: bn(op, "out", ch, true); break; // §3.2
                        }
                    }
        }
        bn(network, "head_bn", 4 * c, false);
        add(network, "fc_w", ParamInit.Uniform([n.Classes, 4 * c], 4 * c, g), false);
        add(network, "fc_b", ParamInit.Uniform([n.Classes], 4 * c, g), false);
    }
}
