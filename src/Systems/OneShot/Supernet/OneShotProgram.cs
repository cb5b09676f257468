// The one-shot supernets as forward programs (issue 13): the mobile MBConv network and the NB-201 network (the DARTS cell supernet's: DartsSupernet), built from the world's tensors.
using Nas.Components;
using Nas.Systems.OneShot.Mobile;
using Nas.Systems.OneShot.NasBench201;
using Nas.Systems.Spaces.Darts;
using Nas.Systems.Spaces.Forward;
using Nas.World;

namespace Nas.Systems.OneShot.Supernet;

/// <summary>
/// Every candidate op of the supernet becomes part of one program; the sampled path, given to each forward in
/// <see cref="ForwardArgs.Path"/>, picks what runs. The program holds the store's tensors (it owns none), so rebuild it
/// after ops were destroyed (BS-NAS shrinking), as <see cref="OneShotSupernet"/> does with each view.
/// </summary>
public static class OneShotProgram
{
    public static ForwardProgram Of(OneShotSupernet net) => net.Spec.Space switch
    {
        OneShotSpaceKind.Mobile => Mobile(net),
        OneShotSpaceKind.Darts => Darts.DartsSupernet.Program(net),
        _ => Nb201(net),
    };

    /// <summary>Stem 3×3 conv + BN + ReLU6; a choice block per layer; head 1×1 conv + BN + ReLU6; pool, FC.</summary>
    public static ForwardProgram Mobile(OneShotSupernet net)
    {
        var n = net.Network;
        var steps = new List<ProgramStep> { new ProgramStep.ConvBnAct(0, ProgramStep.Image, net.Store.Get(n, "stem"), 1, 1, Bn(net, n, "stem_bn"), Activation.Relu6) };
        for (var l = 0; l < net.MobileLayers.Count; l++)
        {
            var choices = new MbConv?[MobileSpace.Ops.Count];
            for (var o = 0; o < choices.Length; o++)
            {
                if (!net.TryOp(l, o, 0, out var e)) continue; // pruned
                var spec = MobileSpace.Ops[o];
                choices[o] = new MbConv(spec.Expansion, spec.Kernel, net.Store.Get(e, "expand"), Bn(net, e, "bn_expand"), net.Store.Get(e, "dw"),
                    Bn(net, e, "bn_dw"), net.Store.Get(e, "project"), Bn(net, e, "out"));
            }
            var identityBn = net.TryOp(l, -1, 0, out var id) && net.Tensors.OutputBns.TryGetValue(id, out var ib) ? Of(ib) : null;
            steps.Add(new ProgramStep.ChoiceBlock(steps.Count, steps.Count - 1, l, net.MobileLayers[l].Stride, choices, identityBn));
        }
        steps.Add(new ProgramStep.ConvBnAct(steps.Count, steps.Count - 1, net.Store.Get(n, "head"), 1, 0, Bn(net, n, "head_bn"), Activation.Relu6));
        steps.Add(new ProgramStep.Classifier(steps.Count, [steps.Count - 1], net.Store.Get(n, "fc_w"), net.Store.Get(n, "fc_b")));
        return new ForwardProgram(steps, PartialChannels: 1);
    }

    /// <summary>§5.2: stem conv + BN; three stages of cells sharing the path, a residual block before stages 2 and 3; BN, ReLU, pool, linear.</summary>
    public static ForwardProgram Nb201(OneShotSupernet net)
    {
        var n = net.Network;
        var edges = Nb201Cell.Edges.ToArray();
        var steps = new List<ProgramStep> { new ProgramStep.ConvBnAct(0, ProgramStep.Image, net.Store.Get(n, "stem"), 1, 1, Bn(net, n, "stem_bn"), Activation.None) };
        var cell = 0;
        for (var stage = 0; stage < 3; stage++)
        {
            if (stage > 0)
            {
                var p = $"res{stage - 1}";
                steps.Add(new ProgramStep.ResidualBlock(steps.Count, steps.Count - 1, net.Store.Get(n, p + ".conv_a"), Bn(net, n, p + ".bn_a"),
                    net.Store.Get(n, p + ".conv_b"), Bn(net, n, p + ".bn_b"), net.Store.Get(n, p + ".short")));
            }
            for (var i = 0; i < net.Spec.CellsPerStage; i++, cell++)
                steps.Add(new ProgramStep.ChoiceCell(steps.Count, steps.Count - 1, cell, Nb201Cell.Nodes, edges, CellOps(net, cell)));
        }
        steps.Add(new ProgramStep.BnAct(steps.Count, steps.Count - 1, Bn(net, n, "head_bn"), Activation.Relu));
        steps.Add(new ProgramStep.Classifier(steps.Count, [steps.Count - 1], net.Store.Get(n, "fc_w"), net.Store.Get(n, "fc_b")));
        return new ForwardProgram(steps, PartialChannels: 1);
    }

    private static CellOp?[][] CellOps(OneShotSupernet net, int cell)
    {
        var ops = new CellOp?[Nb201Cell.EdgeCount][];
        for (var e = 0; e < ops.Length; e++)
        {
            ops[e] = new CellOp?[Nb201Cell.OpCount];
            for (var o = 0; o < Nb201Cell.OpCount; o++)
            {
                if (!net.TryOp(e, o, cell, out var entity)) continue;
                var bn = net.Tensors.OutputBns.TryGetValue(entity, out var b) ? Of(b) : null;
                ops[e][o] = (Nb201Op)o switch
                {
                    Nb201Op.None => new CellOp(CellOpKind.Zero, null, null),
                    Nb201Op.SkipConnect => new CellOp(CellOpKind.Identity, null, bn),
                    Nb201Op.AvgPool3x3 => new CellOp(CellOpKind.AvgPool3x3, null, bn),
                    Nb201Op.NorConv1x1 => new CellOp(CellOpKind.Conv1x1, net.Store.Get(entity, "conv"), bn),
                    _ => new CellOp(CellOpKind.Conv3x3, net.Store.Get(entity, "conv"), bn),
                };
            }
        }
        return ops;
    }

    private static BatchNormTensors Bn(OneShotSupernet net, Entity owner, string layer) => Of(net.Tensors.BatchNorms[(owner, layer)]);

    private static BatchNormTensors Of(BnLayer bn) => new(bn.Mean, bn.Var, bn.Weight, bn.Bias);
}
