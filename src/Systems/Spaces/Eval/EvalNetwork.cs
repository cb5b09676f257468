// The evaluation ("train from scratch") network of a genotype (§1.7): stem, stacked genotype cells, optional auxiliary head, classifier.
using Nas.Components;
using Nas.Systems.Genotypes;
using Nas.Systems.Spaces.Darts;
using Nas.Systems.Spaces.Forward;
using Nas.Torch;

namespace Nas.Systems.Spaces.Eval;

/// <summary>One chosen op of a cell: node, input state, stride and its tensors.</summary>
public sealed record EvalOp(int Node, GenotypeEdge Edge, int Stride, OpTensors Tensors)
{
    /// <summary>A stride-1 skip is the identity: drop-path never touches it (§1.7).</summary>
    public bool IsIdentity => Edge.Op == OpKind.SkipConnect && Stride == 1;
}

public sealed record EvalCell(CellLayout Layout, OpTensors Pre0, OpTensors Pre1, EvalOp[] Ops, IReadOnlyList<int> Concat)
{
    /// <summary>
    /// A cell of the genotype's <paramref name="list"/> (its name is for messages): preprocessing, then each pair's op, drawn from
    /// <paramref name="g"/> in that order. Edges from s0/s1 of a reduction cell have stride 2; the zero op is refused.
    /// </summary>
    public static EvalCell Create(CellLayout cell, IReadOnlyList<GenotypeEdge> pairs, IReadOnlyList<int> concat, string list, bool bnAfterPool, Generator g)
    {
        var pre0 = cell.ReductionPrev
            ? new OpTensors(OpLayers.FactorizedReduce(cell.CPrevPrev, cell.C).Select(s => ParamInit.Conv(s, g)).ToArray(), [ParamInit.BatchNorm(cell.C, true)])
            : new OpTensors([ParamInit.Conv(OpLayers.ReluConvBn(cell.CPrevPrev, cell.C)[0], g)], [ParamInit.BatchNorm(cell.C, true)]);
        var pre1 = new OpTensors([ParamInit.Conv(OpLayers.ReluConvBn(cell.CPrev, cell.C)[0], g)], [ParamInit.BatchNorm(cell.C, true)]);
        var ops = new EvalOp[pairs.Count];
        for (var i = 0; i < pairs.Count; i++)
        {
            var stride = cell.Reduction && pairs[i].Input < 2 ? 2 : 1;
            if (pairs[i].Op == OpKind.None)
                throw new ArgumentException($"the genotype's {list} pair {i} is 'none': an evaluation cell cannot use the zero op");
            ops[i] = new EvalOp(i / 2, pairs[i], stride, ParamInit.Op(pairs[i].Op, cell.C, stride, affine: true, bnAfterPool, g));
        }
        return new EvalCell(cell, pre0, pre1, ops, concat);
    }
}

/// <summary>
/// Owns every tensor of the network (parameters and BN running statistics) and frees them on <see cref="Dispose"/>.
/// Tensor names follow the state_dict keys of DARTS's `cnn/model.py` (NetworkCIFAR), so a PyTorch model loads them as is.
/// </summary>
public sealed class EvalNetwork : IEvalNetwork
{
    public StackedLayout Layout { get; }
    public Genotype Genotype { get; }
    public Tensor StemConv { get; }
    public BatchNormTensors StemBn { get; }
    public IReadOnlyList<EvalCell> Cells { get; }
    public Tensor ClassifierWeight { get; }
    public Tensor ClassifierBias { get; }
    public AuxiliaryHead? Auxiliary { get; }
    /// <summary>The cell whose output feeds the auxiliary head: ⌊2L/3⌋ (§1.7).</summary>
    public int AuxiliaryCell => 2 * Layout.Layers / 3;

    private EvalNetwork(StackedLayout layout, Genotype genotype, Tensor stemConv, BatchNormTensors stemBn, EvalCell[] cells,
        Tensor classifierWeight, Tensor classifierBias, AuxiliaryHead? auxiliary)
    {
        (Layout, Genotype, StemConv, StemBn, Cells, ClassifierWeight, ClassifierBias, Auxiliary) =
            (layout, genotype, stemConv, stemBn, cells, classifierWeight, classifierBias, auxiliary);
        Program = ForwardProgram.Eval(this);
    }

    /// <summary>The layout of a genotype's network: the cell output is the concat of its `concat` states, so the multiplier is their count.</summary>
    public static StackedLayout LayoutFor(Genotype genotype, int layers, int channels, int inputChannels, int inputSize, int classes)
    {
        if (genotype.NormalConcat.Count != genotype.ReduceConcat.Count)
            throw new ArgumentException($"normal_concat has {genotype.NormalConcat.Count} states but reduce_concat has {genotype.ReduceConcat.Count}: the stacked macro needs equal cell widths");
        var layout = new StackedLayout(layers, channels, inputChannels, inputSize, classes, Nodes: genotype.Nodes, Multiplier: genotype.NormalConcat.Count);
        layout.Validate();
        return layout;
    }

    /// <summary>
    /// Builds the network with PyTorch's default initialisation drawn from <paramref name="g"/>. With
    /// <paramref name="auxiliary"/> the head is added when the map after cell ⌊2L/3⌋ allows one (<see cref="AuxPool.For"/>).
    /// </summary>
    public static EvalNetwork Create(StackedLayout layout, Genotype genotype, Generator g, bool auxiliary, bool bnAfterPool = false)
    {
        layout.Validate();
        var stemConv = ParamInit.Conv(layout.Stem, g);
        var stemBn = ParamInit.BatchNorm(layout.StemChannels, affine: true);
        var cells = new List<EvalCell>(layout.Layers);
        foreach (var cell in layout.Cells())
            cells.Add(cell.Reduction
                ? EvalCell.Create(cell, genotype.Reduce, genotype.ReduceConcat, "reduce", bnAfterPool, g)
                : EvalCell.Create(cell, genotype.Normal, genotype.NormalConcat, "normal", bnAfterPool, g));
        AuxiliaryHead? head = null;
        if (auxiliary)
        {
            var auxCell = cells[2 * layout.Layers / 3].Layout;
            if (AuxPool.For(auxCell.OutputSize) is { } pool)
                head = AuxiliaryHead.Create(layout.Multiplier * auxCell.C, pool, layout.Classes, g);
        }
        var fcIn = layout.ClassifierInputs;
        var weight = ParamInit.Uniform([layout.Classes, fcIn], fcIn, g);
        var bias = ParamInit.Uniform([layout.Classes], fcIn, g);
        return new EvalNetwork(layout, genotype, stemConv, stemBn, cells.ToArray(), weight, bias, head);
    }

    /// <summary>The forward program (stem, cells, auxiliary head, classifier), built once with the network.</summary>
    public ForwardProgram Program { get; }

    /// <summary>
    /// Logits, and the auxiliary logits when training with a head. Drop-path with probability <paramref name="dropPath"/>
    /// applies in training only, to every op output except identities, with masks drawn from <paramref name="g"/>.
    /// Every temporary and both results are owned by <paramref name="scope"/>. <paramref name="mode"/> picks the kernel set:
    /// the reference (NCHW libtorch, what `nas train` runs) or the fast one (channels-last, native kernels).
    /// </summary>
    public (Tensor Logits, Tensor? AuxLogits) Forward(Tensor x, bool training, TensorScope scope, double dropPath = 0, Generator? g = null,
        ForwardMode mode = ForwardMode.Reference) =>
        ForwardInterpreter.Run(Program, x, Kernels.For(mode, scope), new ForwardArgs(training, DropPath: dropPath, Generator: g));

    /// <summary>Every tensor with its DARTS state_dict name (BN running statistics included; the head under `auxiliary_head.`).</summary>
    public IEnumerable<(string Name, Tensor Tensor)> Named(bool includeAuxiliary = true)
    {
        yield return ("stem.0.weight", StemConv);
        foreach (var t in EvalNames.Bn("stem.1", StemBn)) yield return t;
        for (var i = 0; i < Cells.Count; i++)
            foreach (var t in EvalNames.Cell($"cells.{i}", Cells[i])) yield return t;
        yield return ("classifier.weight", ClassifierWeight);
        yield return ("classifier.bias", ClassifierBias);
        if (includeAuxiliary && Auxiliary is { } h)
        {
            yield return ("auxiliary_head.features.2.weight", h.Conv1);
            foreach (var t in EvalNames.Bn("auxiliary_head.features.3", h.Bn1)) yield return t;
            yield return ("auxiliary_head.features.5.weight", h.Conv2);
            foreach (var t in EvalNames.Bn("auxiliary_head.features.6", h.Bn2)) yield return t;
            yield return ("auxiliary_head.classifier.weight", h.Weight);
            yield return ("auxiliary_head.classifier.bias", h.Bias);
        }
    }

    /// <summary>The trainable tensors (conv and linear weights, affine BN), head included: what SGD steps.</summary>
    public Tensor[] Parameters() => EvalNames.Parameters(Named());

    /// <summary>Scalar parameters as §1.8 counts them: the head excluded.</summary>
    public long ParameterCount() => EvalNames.Parameters(Named(includeAuxiliary: false)).Sum(t => t.Numel);

    public void Dispose()
    {
        foreach (var (_, t) in Named()) t.Dispose();
    }
}
