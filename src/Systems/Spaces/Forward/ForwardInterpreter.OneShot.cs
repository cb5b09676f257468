// The one-shot spaces' steps over a kernel set: SPOS/BS-NAS mobile choice blocks with first-k width slicing, NB-201 cells (§1.2, §4.3, §5.2).
using Nas.Systems.Spaces.Darts;
using Nas.Torch;

namespace Nas.Systems.Spaces.Forward;

public static partial class ForwardInterpreter
{
    private static PathStep[] PathOf(ForwardArgs args) =>
        args.Path ?? throw new ArgumentException("a one-shot program needs the sampled path", nameof(args));

    /// <summary>Conv with its weight's first input channels (as many as x has), BN sliced to the output's channels, activation.</summary>
    public static Tensor ConvBnAct(ProgramStep.ConvBnAct s, Tensor x, IKernels k, ForwardArgs args)
    {
        var w = k.Lead(s.Conv, 1, x.Size(1));
        return Activate(SlicedBn(k.Conv(x, w, s.Stride, s.Pad, 1, 1), s.Bn, k, args), s.Act, k);
    }

    public static Tensor BnAct(ProgramStep.BnAct s, Tensor x, IKernels k, ForwardArgs args) => Activate(SlicedBn(x, s.Bn, k, args), s.Act, k);

    /// <summary>
    /// The path's MBConv at the path's width: with c_in the input's channels and m = expansion·c_in, the first m expand
    /// filters over the first c_in inputs, the first m depthwise filters, the first `width` project filters over the first m
    /// inputs, each BN sliced alike; a residual add where the stride is 1 and the width is kept. Identity (−1) passes x on.
    /// </summary>
    public static Tensor ChoiceBlock(ProgramStep.ChoiceBlock s, Tensor x, IKernels k, ForwardArgs args)
    {
        var (op, width) = PathOf(args)[s.Layer];
        if (op == -1) return s.IdentityBn is { } bn ? SlicedBn(x, bn, k, args) : x; // BNNAS++ §3.2
        var c = (op >= 0 && op < s.Choices.Length ? s.Choices[op] : null)
            ?? throw new InvalidOperationException($"no candidate op {op} in layer {s.Layer} (cell 0); was it pruned?");
        long cin = x.Size(1), m = c.Expansion * cin;
        var h = Activate(SlicedBn(k.Conv(x, k.Lead(k.Lead(c.Expand, 0, m), 1, cin), 1, 0, 1, 1), c.ExpandBn, k, args), Activation.Relu6, k);
        h = Activate(SlicedBn(k.Conv(h, k.Lead(c.Depthwise, 0, m), s.Stride, c.Kernel / 2, 1, (int)m), c.DepthwiseBn, k, args), Activation.Relu6, k);
        h = SlicedBn(k.Conv(h, k.Lead(k.Lead(c.Project, 0, width), 1, m), 1, 0, 1, 1), c.Out, k, args);
        return s.Stride == 1 && cin == width ? k.Add(h, x, temporaries: false) : h;
    }

    public static Tensor ResidualBlock(ProgramStep.ResidualBlock s, Tensor x, IKernels k, ForwardArgs args)
    {
        var a = SlicedBn(k.Conv(k.Relu(x), s.ConvA, 2, 1, 1, 1), s.BnA, k, args);
        a = SlicedBn(k.Conv(k.Relu(a), s.ConvB, 1, 1, 1, 1), s.BnB, k, args);
        var shortcut = k.Conv(k.AvgPool2(x), s.Shortcut, 1, 0, 1, 1);
        return k.Add(a, shortcut, temporaries: true);
    }

    /// <summary>Each node the sum of its incoming edges' path ops, in edge order; an identity's output is an earlier node itself, so sums never free their terms.</summary>
    public static Tensor ChoiceCell(ProgramStep.ChoiceCell s, Tensor input, IKernels k, ForwardArgs args)
    {
        var path = PathOf(args);
        var nodes = new Tensor[s.Nodes];
        nodes[0] = input;
        for (var j = 1; j < s.Nodes; j++)
        {
            Tensor? sum = null;
            for (var e = 0; e < s.Edges.Length; e++)
            {
                var (from, to) = s.Edges[e];
                if (to != j) continue;
                var y = CellEdge(s, e, path[e].Op, nodes[from], k, args);
                sum = sum is null ? y : k.Add(sum, y, temporaries: false);
            }
            nodes[j] = sum ?? throw new InvalidOperationException($"node {j} of cell {s.Cell} has no incoming edge");
        }
        return nodes[^1];
    }

    private static Tensor CellEdge(ProgramStep.ChoiceCell s, int edge, int gene, Tensor x, IKernels k, ForwardArgs args)
    {
        var op = (gene >= 0 && gene < s.Ops[edge].Length ? s.Ops[edge][gene] : null)
            ?? throw new InvalidOperationException($"no candidate op {gene} in layer {edge} (cell {s.Cell}); was it pruned?");
        return op.Kind switch
        {
            CellOpKind.Zero => k.ZerosLike(x),
            CellOpKind.Identity => op.Out is { } bn ? SlicedBn(x, bn, k, args) : x,
            CellOpKind.AvgPool3x3 => op.Out is { } bn ? SlicedBn(k.Pool(x, max: false, 1), bn, k, args) : k.Pool(x, max: false, 1),
            CellOpKind.Conv1x1 => SlicedBn(k.Conv(k.Relu(x), op.Conv!, 1, 0, 1, 1), op.Out!, k, args),
            CellOpKind.Conv3x3 => SlicedBn(k.Conv(k.Relu(x), op.Conv!, 1, 1, 1, 1), op.Out!, k, args),
            _ => throw new ArgumentOutOfRangeException(nameof(gene), op.Kind, "not an NB-201 op"),
        };
    }

    /// <summary>BatchNorm over x's channels with the first that many entries of γ, β and the running statistics (a whole BN when x is as wide as it).</summary>
    private static Tensor SlicedBn(Tensor x, BatchNormTensors bn, IKernels k, ForwardArgs args)
    {
        var c = x.Size(1);
        var sliced = bn.RunningMean.Size(0) == c ? bn : new BatchNormTensors(k.Lead(bn.RunningMean, 0, c), k.Lead(bn.RunningVar, 0, c),
            bn.Weight is null ? null : k.Lead(bn.Weight, 0, c), bn.Bias is null ? null : k.Lead(bn.Bias, 0, c));
        return k.Bn(x, sliced, args.Training, momentum: args.BnMomentum);
    }

    private static Tensor Activate(Tensor x, Activation act, IKernels k) => act switch
    {
        Activation.None => x,
        Activation.Relu => k.Relu(x),
        Activation.Relu6 => k.Relu6(x),
        _ => throw new ArgumentOutOfRangeException(nameof(act), act, "unknown activation"),
    };
}
