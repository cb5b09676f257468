// Runs a forward program over a kernel set: the one place the DARTS math (ops, mixed edges, cells, networks) is composed (§1.2–1.5, §1.7, §3.1, §4.2); the one-shot steps in ForwardInterpreter.OneShot.cs.
using Nas.Components;
using Nas.Systems.Spaces.Darts;
using Nas.Systems.Spaces.Eval;
using Nas.Torch;

namespace Nas.Systems.Spaces.Forward;

/// <summary>
/// What a forward needs besides the program and the image: training or eval mode, the two cell types' architecture weights
/// (search programs only), drop-path's probability and generator (evaluation programs, training only), and for the one-shot
/// programs the sampled path and the BatchNorms' momentum (BN recalibration runs at 1/(i+1), BNNAS++'s probe at 0).
/// </summary>
public readonly record struct ForwardArgs(bool Training, CellWeights? Normal = null, CellWeights? Reduce = null, double DropPath = 0,
    Generator? Generator = null, PathStep[]? Path = null, double BnMomentum = OpForward.BnMomentum);

public static partial class ForwardInterpreter
{
    /// <summary>The logits and, when the program has an auxiliary head and runs in training, its logits.</summary>
    public static (Tensor Logits, Tensor? Auxiliary) Run(ForwardProgram program, Tensor x, IKernels k, ForwardArgs args)
    {
        if (args.Training && args.DropPath > 0 && args.Generator is null) throw new ArgumentException("drop-path needs a generator", nameof(args));
        var normal = args.Normal is { } n ? k.Mix(n) : null;
        var reduce = args.Reduce is { } r ? k.Mix(r) : null;
        var input = k.Input(x);
        var values = new Tensor?[program.Steps.Count];
        Tensor? auxiliary = null;
        foreach (var step in program.Steps)
        {
            Tensor Value(int id) => id == ProgramStep.Image ? input : values[id] ?? throw new InvalidOperationException($"step {step.Id} reads value {id}, which no earlier step computed");
            values[step.Id] = step switch
            {
                ProgramStep.Stem s => k.Stem(input, s.Conv, s.Bn, args.Training),
                ProgramStep.MixedCell c => MixedCell(c, Value(c.Input0), Value(c.Input1),
                    (c.Normal ? normal : reduce) ?? throw new ArgumentException("a search program needs the architecture weights of both cell types", nameof(args)),
                    program.PartialChannels, k, args.Training),
                ProgramStep.GenotypeCell c => GenotypeCell(c.Cell, Value(c.Input0), Value(c.Input1), k, args.Training,
                    args.Training ? args.DropPath : 0, args.Generator),
                ProgramStep.Tap t => t.Reduce ? FactorizedReduce(k.Relu(Value(t.Input)), t.Tensors, k, args.Training)
                    : ReluConvBn(Value(t.Input), t.Tensors, k, args.Training),
                ProgramStep.Auxiliary h => args.Training ? auxiliary = k.Auxiliary(h.Head, Value(h.Input), args.Training) : null,
                ProgramStep.Classifier c => k.Classifier(c.Inputs.Select(Value).ToArray(), c.Weight, c.Bias),
                ProgramStep.ConvBnAct s => ConvBnAct(s, Value(s.Input), k, args),
                ProgramStep.BnAct s => BnAct(s, Value(s.Input), k, args),
                ProgramStep.ChoiceBlock s => ChoiceBlock(s, Value(s.Input), k, args),
                ProgramStep.ResidualBlock s => ResidualBlock(s, Value(s.Input), k, args),
                ProgramStep.ChoiceCell s => ChoiceCell(s, Value(s.Input), k, args),
                ProgramStep.DartsPathCell s => DartsPathCell(s, Value(s.Input0), Value(s.Input1), k, args),
                _ => throw new InvalidOperationException($"unknown program step {step.GetType().Name}"),
            };
        }
        return (values[^1] ?? throw new InvalidOperationException("the program's last step computed no value"), auxiliary);
    }

    /// <summary>A search cell: preprocessing, then each node the sum of its incoming mixed edges (β-weighted with edge normalization), then the nodes' concat.</summary>
    public static Tensor MixedCell(ProgramStep.MixedCell step, Tensor s0, Tensor s1, CellMix mix, int partialK, IKernels k, bool training)
    {
        var cell = step.Cell;
        var states = new List<Tensor>(2 + step.Nodes) { Preprocess0(cell.Layout, cell.Pre0, s0, k, training), ReluConvBn(s1, cell.Pre1, k, training) };
        var ys = new List<Tensor>();
        var betas = new List<Tensor>();
        var e = 0;
        for (var node = 0; node < step.Nodes; node++)
        {
            Tensor? sum = null;
            ys.Clear();
            betas.Clear();
            for (; e < cell.Edges.Length && cell.Edges[e].Node == node; e++)
            {
                var edge = cell.Edges[e];
                var y = partialK > 1 ? PartialEdge(edge, states[edge.Input], mix, partialK, k, training) : MixedEdge(edge, states[edge.Input], mix, k, training);
                if (mix.EdgeWeights is { } beta)
                {
                    ys.Add(y);
                    betas.Add(beta[edge.Row]);
                }
                else sum = sum is null ? y : k.Add(sum, y, temporaries: true);
            }
            if (ys.Count > 0) sum = k.WeightedSum(ys, betas);
            states.Add(sum ?? throw new InvalidOperationException($"node {node} of cell {cell.Layout.Index} has no incoming edge"));
        }
        return k.Cat(states.GetRange(2, step.Nodes).ToArray());
    }

    /// <summary>Σ_o w_o · o(x) over the kept ops; `none` contributes exactly zero and is skipped (so are ops of weight 0 where the set skips them).</summary>
    public static Tensor MixedEdge(EdgePlan edge, Tensor x, CellMix mix, IKernels k, bool training)
    {
        var weights = mix.Scalars[edge.Row];
        var values = k.SkipsZeroWeights ? mix.Values?[edge.Row] : null;
        var kept = mix.Kept?[edge.Row];
        var outputs = new List<OpOutput>(edge.Ops.Length);
        foreach (var op in edge.Ops)
        {
            if (op.Kind == OpKind.None || (kept is not null && !kept[op.Column]) || values?[op.Column] == 0f) continue;
            var (y, closing) = Op(op.Kind, x, edge.Stride, op.Tensors, k, training);
            if (closing is { } bn && !k.Fuses(bn, training)) (y, closing) = (k.Bn(y, bn, training), null);
            outputs.Add(new OpOutput(y, closing, weights[op.Column]));
        }
        // Nothing ran (only `none` kept): the edge outputs zeros of the strided shape, still tied to x.
        return outputs.Count == 0 ? k.Zeros(x, edge.Stride) : k.MixedSum(outputs);
    }

    /// <summary>
    /// PC-DARTS edge (§3.1): the first C/K channels go through the mixed op, the rest bypass it (2x2 max-pool at stride 2),
    /// then the channel shuffle maps output channel c to input channel (c mod K)·(C/K) + ⌊c/K⌋.
    /// </summary>
    public static Tensor PartialEdge(EdgePlan edge, Tensor x, CellMix mix, int partialK, IKernels k, bool training)
    {
        var (mixed, others) = k.Split(x, partialK);
        var y = MixedEdge(edge, mixed, mix, k, training);
        var bypass = edge.Stride == 1 ? others : k.Bypass(others);
        return k.ShuffleJoin(y, bypass, partialK);
    }

    /// <summary>A genotype cell: preprocessing, then each node the sum of its two ops (drop-path on all but identities), then the concat states.</summary>
    public static Tensor GenotypeCell(EvalCell cell, Tensor s0, Tensor s1, IKernels k, bool training, double dropPath, Generator? g)
    {
        var states = new List<Tensor>(2 + cell.Ops.Length / 2) { Preprocess0(cell.Layout, cell.Pre0, s0, k, training), ReluConvBn(s1, cell.Pre1, k, training) };
        for (var i = 0; i < cell.Ops.Length; i += 2)
        {
            var a = ChosenOp(cell.Ops[i], states, k, training, dropPath, g);
            var b = ChosenOp(cell.Ops[i + 1], states, k, training, dropPath, g);
            states.Add(k.Add(a, b, temporaries: false)); // an identity op's output is a state itself
        }
        return k.Cat(cell.Concat.Select(c => states[c]).ToArray());
    }

    private static Tensor ChosenOp(EvalOp op, List<Tensor> states, IKernels k, bool training, double dropPath, Generator? g)
    {
        var (y, closing) = Op(op.Edge.Op, states[op.Edge.Input], op.Stride, op.Tensors, k, training);
        if (closing is { } bn) y = k.Bn(y, bn, training);
        return dropPath > 0 && !op.IsIdentity ? k.DropPath(y, dropPath, g!) : y;
    }

    /// <summary>
    /// One candidate op (§1.2) up to its closing BatchNorm, which is returned instead of applied (a mixed edge may fuse it
    /// into its sum). A stride-1 skip returns x itself. `none` is never run: its output is zero. <paramref name="momentum"/>
    /// is the inner BatchNorm's (the one-shot DARTS supernet recalibrates at 1/(i+1)).
    /// </summary>
    public static (Tensor Value, BatchNormTensors? Closing) Op(OpKind kind, Tensor x, int stride, OpTensors t, IKernels k, bool training,
        double momentum = OpForward.BnMomentum)
    {
        switch (kind)
        {
            case OpKind.MaxPool3x3 or OpKind.AvgPool3x3:
                return (k.Pool(x, kind == OpKind.MaxPool3x3, stride), t.Norms.Length == 0 ? null : t.Norms[0]);
            case OpKind.SkipConnect:
                return stride == 1 ? (x, null) : (FactorizedReduceOpen(k.Relu(x), t, k), t.Norms[0]);
            case OpKind.SepConv3x3 or OpKind.SepConv5x5:
            {
                var pad = kind == OpKind.SepConv3x3 ? 1 : 2;
                var relu = k.Relu(x);
                var c = (int)relu.Size(1);
                var h = k.Conv(relu, t.Convs[0], stride, pad, 1, c);
                h = k.Conv(h, t.Convs[1], 1, 0, 1, 1);
                h = k.Bn(h, t.Norms[0], training, relu: true, momentum: momentum);
                h = k.Conv(h, t.Convs[2], 1, pad, 1, c);
                h = k.Conv(h, t.Convs[3], 1, 0, 1, 1);
                return (h, t.Norms[1]);
            }
            case OpKind.DilConv3x3 or OpKind.DilConv5x5:
            {
                var pad = kind == OpKind.DilConv3x3 ? 2 : 4;
                var relu = k.Relu(x);
                var h = k.Conv(relu, t.Convs[0], stride, pad, 2, (int)relu.Size(1));
                h = k.Conv(h, t.Convs[1], 1, 0, 1, 1);
                return (h, t.Norms[0]);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a runnable op");
        }
    }

    /// <summary>A cell's first input: FactorizedReduce after a reduction cell (the sizes differ), else ReLU → 1×1 conv → BN (§1.3).</summary>
    private static Tensor Preprocess0(CellLayout layout, OpTensors t, Tensor s0, IKernels k, bool training, double momentum = OpForward.BnMomentum) =>
        layout.ReductionPrev ? FactorizedReduce(k.Relu(s0), t, k, training, momentum) : ReluConvBn(s0, t, k, training, momentum);

    public static Tensor ReluConvBn(Tensor x, OpTensors t, IKernels k, bool training, double momentum = OpForward.BnMomentum) =>
        k.Bn(k.Conv(k.Relu(x), t.Convs[0], 1, 0, 1, 1), t.Norms[0], training, momentum: momentum);

    /// <summary>FactorizedReduce from an input that is already ReLU'd (so the ReLU can be shared with an edge's conv ops).</summary>
    public static Tensor FactorizedReduce(Tensor relu, OpTensors t, IKernels k, bool training, double momentum = OpForward.BnMomentum) =>
        k.Bn(FactorizedReduceOpen(relu, t, k), t.Norms[0], training, momentum: momentum);

    /// <summary>Two 1x1 stride-2 convs, the second on the input shifted by one pixel, concatenated (§1.2); the BN is the caller's.</summary>
    private static Tensor FactorizedReduceOpen(Tensor relu, OpTensors t, IKernels k)
    {
        Tensor a, b;
        if (k.EvenOddPixels(relu) is { } grids)
        {
            a = k.Conv(grids.Even, t.Convs[0], 1, 0, 1, 1);
            b = k.Conv(grids.Odd, t.Convs[1], 1, 0, 1, 1);
        }
        else
        {
            a = k.Conv(relu, t.Convs[0], 2, 0, 1, 1);
            b = k.Conv(k.ShiftPixels(relu), t.Convs[1], 2, 0, 1, 1);
        }
        return k.Cat([a, b]);
    }
}
