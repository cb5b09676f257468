// One single-path forward of the mobile (MBConv choice blocks, spring-sliced widths) or NB-201 supernet.
using Nas.Components;
using Nas.Systems.OneShot.Mobile;
using Nas.Systems.OneShot.NasBench201;
using Nas.Torch;
using Nas.World;

namespace Nas.Systems.OneShot.Supernet;

internal sealed class ForwardPass(OneShotSupernet net, bool training, double bnMomentum, TensorScope scope, ActivationProbe? probe)
{
    private Tensor T(Entity owner, string name) => net.Store.Get(owner, name);

    /// <summary>The first <paramref name="n"/> entries along <paramref name="dim"/> (SPOS first-k slicing, §1.2 / §4.3); the tensor itself when whole.</summary>
    private Tensor Lead(Tensor t, int dim, long n) => t.Size(dim) == n ? t : scope.Own(t.Narrow(dim, 0, n));

    private Tensor Bn(Entity owner, string prefix, Tensor x)
    {
        long c = x.Size(1);
        var bn = net.Tensors.BatchNorms[(owner, prefix)];
        return scope.Own(x.BatchNorm(bn.Weight is null ? null : Lead(bn.Weight, 0, c), bn.Bias is null ? null : Lead(bn.Bias, 0, c),
            Lead(bn.Mean, 0, c), Lead(bn.Var, 0, c), training, bnMomentum));
    }

    private Tensor Relu(Tensor x)
    {
        probe?.PreActivations.Add(x);
        return scope.Own(x.Relu());
    }

    private Tensor Relu6(Tensor x)
    {
        probe?.PreActivations.Add(x);
        return scope.Own(x.Clamp(0, 6));
    }

    private Tensor Conv(Tensor x, Tensor w, int stride = 1, int padding = 0, int groups = 1) => scope.Own(x.Conv2d(w, null, stride, padding, 1, groups));

    private Tensor Head(Tensor x, Entity n)
    {
        var pooled = scope.Own(scope.Own(x.AdaptiveAvgPool2d(1, 1)).Flatten(1));
        return scope.Own(pooled.Linear(T(n, "fc_w"), T(n, "fc_b")));
    }

    /// <summary>Stem 3×3 conv + BN + ReLU6; per layer an MBConv (expand, BN, ReLU6, depthwise, BN, ReLU6, project, out BN) sliced to the path's widths; head 1×1 conv + BN + ReLU6, pool, FC.</summary>
    public Tensor Mobile(PathStep[] path, Tensor images)
    {
        var n = net.Network;
        var x = Relu6(Bn(n, "stem_bn", Conv(images, T(n, "stem"), padding: 1)));
        for (int l = 0; l < path.Length; l++)
        {
            var (op, width) = (path[l].Op, path[l].Width);
            long cin = x.Size(1);
            if (op == -1)
            {
                if (net.TryOp(l, -1, 0, out var id) && net.Tensors.OutputBns.ContainsKey(id)) x = Bn(id, "out", x); // BNNAS++ §3.2
                continue;
            }
            var e = net.Op(l, op);
            var spec = MobileSpace.Ops[op];
            var layer = net.MobileLayers[l];
            long m = spec.Expansion * cin;
            var h = Relu6(Bn(e, "bn_expand", Conv(x, Lead(Lead(T(e, "expand"), 0, m), 1, cin))));
            h = Relu6(Bn(e, "bn_dw", Conv(h, Lead(T(e, "dw"), 0, m), layer.Stride, spec.Kernel / 2, (int)m)));
            h = Bn(e, "out", Conv(h, Lead(Lead(T(e, "project"), 0, width), 1, m)));
            x = layer.Stride == 1 && cin == width ? scope.Own(h.Add(x)) : h;
        }
        var head = Relu6(Bn(n, "head_bn", Conv(x, Lead(T(n, "head"), 1, x.Size(1)))));
        return Head(head, n);
    }

    /// <summary>§5.2: stem conv + BN; three stages of cells sharing the genotype, residual blocks between them; BN, ReLU, pool, linear.</summary>
    public Tensor Nb201(PathStep[] path, Tensor images)
    {
        var n = net.Network;
        var x = Bn(n, "stem_bn", Conv(images, T(n, "stem"), padding: 1));
        int cell = 0;
        for (int stage = 0; stage < 3; stage++)
        {
            if (stage > 0)
            {
                var p = $"res{stage - 1}";
                var a = Bn(n, p + ".bn_a", Conv(Relu(x), T(n, p + ".conv_a"), 2, 1));
                a = Bn(n, p + ".bn_b", Conv(Relu(a), T(n, p + ".conv_b"), 1, 1));
                var shortcut = Conv(scope.Own(x.AvgPool2d(2, 2)), T(n, p + ".short"));
                x = scope.Own(a.Add(shortcut));
            }
            for (int i = 0; i < net.Spec.CellsPerStage; i++) x = Cell(path, x, cell++);
        }
        return Head(Relu(Bn(n, "head_bn", x)), n);
    }

    private Tensor Cell(PathStep[] path, Tensor input, int cell)
    {
        var nodes = new Tensor[Nb201Cell.Nodes];
        nodes[0] = input;
        for (int j = 1; j < Nb201Cell.Nodes; j++)
        {
            Tensor? sum = null;
            for (int e = 0; e < Nb201Cell.EdgeCount; e++)
            {
                var (from, to) = Nb201Cell.Edges[e];
                if (to != j) continue;
                var y = Edge(e, (Nb201Op)path[e].Op, nodes[from], cell);
                sum = sum is null ? y : scope.Own(sum.Add(y));
            }
            nodes[j] = sum!;
        }
        return nodes[^1];
    }

    private Tensor Edge(int edge, Nb201Op op, Tensor x, int cell)
    {
        var e = net.Op(edge, (int)op, cell);
        bool hasBn = net.Tensors.OutputBns.ContainsKey(e);
        return op switch
        {
            Nb201Op.None => scope.Own(x.ZerosLike()),
            Nb201Op.SkipConnect => hasBn ? Bn(e, "out", x) : x,
            Nb201Op.AvgPool3x3 => hasBn ? Bn(e, "out", scope.Own(x.AvgPool2d(3, 1, 1, countIncludePad: false))) : scope.Own(x.AvgPool2d(3, 1, 1, countIncludePad: false)),
            Nb201Op.NorConv1x1 => Bn(e, "out", Conv(Relu(x), T(e, "conv"))),
            _ => Bn(e, "out", Conv(Relu(x), T(e, "conv"), 1, 1)),
        };
    }
}
