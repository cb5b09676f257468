// The BCNN evaluation network of a broad genotype (methods.md §4.3): the BroadEvalLayout's steps with their tensors, run as one forward program.
using Nas.Components;
using Nas.Systems.Genotypes;
using Nas.Systems.Spaces.Broad;
using Nas.Systems.Spaces.Darts;
using Nas.Systems.Spaces.Forward;
using Nas.Torch;

namespace Nas.Systems.Spaces.Eval;

/// <summary>
/// D deep cells (every one, normal or reduction, takes the genotype's <c>normal</c> list, the convolution-cell genotype), GAP and
/// enhancement taps, E enhancement cells (its <c>reduce</c> list, the enhancement-cell genotype, stride 1), GAP over the taps,
/// Linear; affine BN everywhere, no BN after pools, no auxiliary head (§4.3, §4.9 pitfall 1). Owns every tensor and frees them on
/// <see cref="Dispose"/>. Tensor names are the state_dict keys of tests/oracles/bcnn_eval.py's NetworkBCNN.
/// </summary>
public sealed class BroadEvalNetwork : IEvalNetwork
{
    public BroadEvalLayout Layout { get; }
    public Genotype Genotype { get; }
    /// <summary>The layout's steps; <see cref="Cells"/> and <see cref="Taps"/> are keyed by their ids.</summary>
    public IReadOnlyList<BroadStep> Steps { get; }
    public Tensor StemConv { get; }
    public BatchNormTensors StemBn { get; }
    public IReadOnlyDictionary<int, EvalCell> Cells { get; }
    public IReadOnlyDictionary<int, OpTensors> Taps { get; }
    public Tensor ClassifierWeight { get; }
    public Tensor ClassifierBias { get; }
    public AuxiliaryHead? Auxiliary => null;
    public ForwardProgram Program { get; }

    private BroadEvalNetwork(BroadEvalLayout layout, Genotype genotype, IReadOnlyList<BroadStep> steps, Tensor stemConv, BatchNormTensors stemBn,
        Dictionary<int, EvalCell> cells, Dictionary<int, OpTensors> taps, Tensor classifierWeight, Tensor classifierBias)
    {
        (Layout, Genotype, Steps, StemConv, StemBn, Cells, Taps, ClassifierWeight, ClassifierBias) =
            (layout, genotype, steps, stemConv, stemBn, cells, taps, classifierWeight, classifierBias);
        Program = ForwardProgram.BroadEval(this);
    }

    /// <summary>
    /// The layout for a genotype: D deep cells with P = 2 reductions, E enhancement cells; the cell width is the genotype's concat
    /// count (both lists must concatenate as many states). Throws naming the rule a size or genotype breaks.
    /// </summary>
    public static BroadEvalLayout LayoutFor(Genotype genotype, int deepCells, int channels, int enhancementCells, int inputChannels, int inputSize, int classes)
    {
        if (genotype.NormalConcat.Count != genotype.ReduceConcat.Count)
            throw new ArgumentException($"normal_concat has {genotype.NormalConcat.Count} states but reduce_concat has {genotype.ReduceConcat.Count}: " +
                "the BCNN's taps and enhancement cells need equal cell widths");
        var layout = new BroadEvalLayout(channels, deepCells, BroadEvalLayout.DefaultPoolTimes, enhancementCells, inputChannels, inputSize, classes,
            Nodes: genotype.Nodes, Multiplier: genotype.NormalConcat.Count);
        BroadSteps.Validate(layout.Steps());
        return layout;
    }

    /// <summary>Builds the network with PyTorch's default initialisation, drawing from <paramref name="g"/> in forward-step order.</summary>
    public static BroadEvalNetwork Create(BroadEvalLayout layout, Genotype genotype, Generator g)
    {
        var steps = layout.Steps();
        BroadSteps.Validate(steps);
        Tensor? stemConv = null, weight = null, bias = null;
        BatchNormTensors? stemBn = null;
        var cells = new Dictionary<int, EvalCell>();
        var taps = new Dictionary<int, OpTensors>();
        foreach (var step in steps)
            switch (step)
            {
                case StemStep s:
                    stemConv = ParamInit.Conv(new ConvShape(s.InChannels, s.Channels, 3, 1, 1), g);
                    stemBn = ParamInit.BatchNorm(s.Channels, affine: true);
                    break;
                case CellStep c:
                    cells[c.Id] = c.UsesNormalGenotype
                        ? EvalCell.Create(c.Layout, genotype.Normal, genotype.NormalConcat, "normal", bnAfterPool: false, g)
                        : EvalCell.Create(c.Layout, genotype.Reduce, genotype.ReduceConcat, "reduce", bnAfterPool: false, g);
                    break;
                case TapStep t:
                    taps[t.Id] = new OpTensors([ParamInit.Conv(OpLayers.ReluConvBn(t.InChannels, t.Channels)[0], g)], [ParamInit.BatchNorm(t.Channels, true)]);
                    break;
                case TapReduceStep r:
                    taps[r.Id] = new OpTensors(OpLayers.FactorizedReduce(r.Channels, r.Channels).Select(s => ParamInit.Conv(s, g)).ToArray(), [ParamInit.BatchNorm(r.Channels, true)]);
                    break;
                case ClassifierStep k:
                    weight = ParamInit.Uniform([k.Classes, k.InChannels], k.InChannels, g);
                    bias = ParamInit.Uniform([k.Classes], k.InChannels, g);
                    break;
                default:
                    throw new InvalidOperationException($"unknown step {step.GetType().Name}");
            }
        return new BroadEvalNetwork(layout, genotype, steps, stemConv!, stemBn!, cells, taps, weight!, bias!);
    }

    public (Tensor Logits, Tensor? AuxLogits) Forward(Tensor x, bool training, TensorScope scope, double dropPath = 0, Generator? g = null,
        ForwardMode mode = ForwardMode.Reference) =>
        ForwardInterpreter.Run(Program, x, Kernels.For(mode, scope), new ForwardArgs(training, DropPath: dropPath, Generator: g));

    /// <summary>
    /// Every tensor under its NetworkBCNN name: stem, deep.i and enhance.j cells (DARTS cell names), gap.k / en.k / out.j taps
    /// (`.conv.op.1` / `.conv.op.2`, each later halving `.reduces.m`), classifier. The head flag is there for the interface: there is no head.
    /// </summary>
    public IEnumerable<(string Name, Tensor Tensor)> Named(bool includeAuxiliary = true)
    {
        yield return ("stem.0.weight", StemConv);
        foreach (var t in EvalNames.Bn("stem.1", StemBn)) yield return t;
        var halvings = new Dictionary<(TapKind, int), int>();
        foreach (var step in Steps)
        {
            IEnumerable<(string, Tensor)> named = step switch
            {
                CellStep c => EvalNames.Cell($"{(c.Kind == BroadCellKind.Convolution ? "deep" : "enhance")}.{c.KindIndex}", Cells[c.Id]),
                TapStep t => EvalNames.ReluConvBn($"{TapModule(t.Kind)}.{t.Slot}.conv.op", Taps[t.Id]),
                TapReduceStep r => EvalNames.FactorizedReduce($"{TapModule(r.Kind)}.{r.Slot}.reduces.{Halving(halvings, r)}", Taps[r.Id]),
                _ => [],
            };
            foreach (var n in named) yield return n;
        }
        yield return ("classifier.weight", ClassifierWeight);
        yield return ("classifier.bias", ClassifierBias);
    }

    private static string TapModule(TapKind kind) => kind switch { TapKind.Gap => "gap", TapKind.Enhancement => "en", _ => "out" };

    private static int Halving(Dictionary<(TapKind, int), int> seen, TapReduceStep r)
    {
        var m = seen.GetValueOrDefault((r.Kind, r.Slot));
        seen[(r.Kind, r.Slot)] = m + 1;
        return m;
    }

    /// <summary>The trainable tensors (conv and linear weights, affine BN): what SGD steps.</summary>
    public Tensor[] Parameters() => EvalNames.Parameters(Named());

    /// <summary>Scalar parameters of the real tensors, as §1.8 counts them.</summary>
    public long ParameterCount() => Parameters().Sum(t => t.Numel);

    public void Dispose()
    {
        foreach (var (_, t) in Named()) t.Dispose();
    }
}
