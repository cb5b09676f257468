// What training and counting need of an evaluation network, stacked (§1.7) or broad (§4.3), and the tensor names both share.
using Nas.Components;
using Nas.Systems.Spaces.Darts;
using Nas.Systems.Spaces.Forward;
using Nas.Torch;

namespace Nas.Systems.Spaces.Eval;

/// <summary>An evaluation network: it owns its tensors (parameters and BN running statistics) and frees them on Dispose.</summary>
public interface IEvalNetwork : IDisposable
{
    /// <summary>The forward program, built once with the network.</summary>
    ForwardProgram Program { get; }

    /// <summary>The auxiliary head (stacked networks with a head only).</summary>
    AuxiliaryHead? Auxiliary { get; }

    /// <summary>Logits, and the auxiliary logits when training with a head; drop-path in training only, never on identities.</summary>
    (Tensor Logits, Tensor? AuxLogits) Forward(Tensor x, bool training, TensorScope scope, double dropPath = 0, Generator? g = null,
        ForwardMode mode = ForwardMode.Reference);

    /// <summary>Every tensor with a stable name (the state_dict key of the PyTorch model the oracle builds).</summary>
    IEnumerable<(string Name, Tensor Tensor)> Named(bool includeAuxiliary = true);

    /// <summary>The trainable tensors, head included: what SGD steps.</summary>
    Tensor[] Parameters();

    /// <summary>Scalar parameters of the real tensors as §1.8 counts them (head excluded).</summary>
    long ParameterCount();
}

/// <summary>The state_dict names of DARTS's operations.py modules, shared by both evaluation networks.</summary>
public static class EvalNames
{
    public static bool IsRunningStat(string name) =>
        name.EndsWith(".running_mean", StringComparison.Ordinal) || name.EndsWith(".running_var", StringComparison.Ordinal);

    public static Tensor[] Parameters(IEnumerable<(string Name, Tensor Tensor)> named) =>
        named.Where(n => !IsRunningStat(n.Name)).Select(n => n.Tensor).ToArray();

    public static IEnumerable<(string, Tensor)> Bn(string prefix, BatchNormTensors bn)
    {
        if (bn.Weight is not null) yield return ($"{prefix}.weight", bn.Weight);
        if (bn.Bias is not null) yield return ($"{prefix}.bias", bn.Bias);
        yield return ($"{prefix}.running_mean", bn.RunningMean);
        yield return ($"{prefix}.running_var", bn.RunningVar);
    }

    /// <summary>ReLUConvBN's `op` Sequential: ReLU at 0, conv at 1, BN at 2 (<paramref name="prefix"/> ends in `.op`).</summary>
    public static IEnumerable<(string, Tensor)> ReluConvBn(string prefix, OpTensors t)
    {
        yield return ($"{prefix}.1.weight", t.Convs[0]);
        foreach (var n in Bn($"{prefix}.2", t.Norms[0])) yield return n;
    }

    /// <summary>FactorizedReduce: conv_1, conv_2, bn.</summary>
    public static IEnumerable<(string, Tensor)> FactorizedReduce(string prefix, OpTensors t)
    {
        yield return ($"{prefix}.conv_1.weight", t.Convs[0]);
        yield return ($"{prefix}.conv_2.weight", t.Convs[1]);
        foreach (var n in Bn($"{prefix}.bn", t.Norms[0])) yield return n;
    }

    /// <summary>A cell: preprocess0 (FactorizedReduce after a reduction, else ReLUConvBN), preprocess1, then `_ops.j` in genotype order.</summary>
    public static IEnumerable<(string, Tensor)> Cell(string prefix, EvalCell cell)
    {
        var pre0 = cell.Layout.ReductionPrev ? FactorizedReduce($"{prefix}.preprocess0", cell.Pre0) : ReluConvBn($"{prefix}.preprocess0.op", cell.Pre0);
        foreach (var t in pre0) yield return t;
        foreach (var t in ReluConvBn($"{prefix}.preprocess1.op", cell.Pre1)) yield return t;
        for (var j = 0; j < cell.Ops.Length; j++)
            foreach (var t in Op($"{prefix}._ops.{j}", cell.Ops[j])) yield return t;
    }

    /// <summary>Module paths of DARTS's operations.py: SepConv/DilConv are `op` Sequentials (ReLU at 0), FactorizedReduce has conv_1/conv_2/bn.</summary>
    public static IEnumerable<(string, Tensor)> Op(string prefix, EvalOp op)
    {
        var t = op.Tensors;
        switch (op.Edge.Op)
        {
            case OpKind.SkipConnect when op.Stride == 2:
                foreach (var n in FactorizedReduce(prefix, t)) yield return n;
                break;
            case OpKind.SepConv3x3 or OpKind.SepConv5x5:
                yield return ($"{prefix}.op.1.weight", t.Convs[0]);
                yield return ($"{prefix}.op.2.weight", t.Convs[1]);
                foreach (var n in Bn($"{prefix}.op.3", t.Norms[0])) yield return n;
                yield return ($"{prefix}.op.5.weight", t.Convs[2]);
                yield return ($"{prefix}.op.6.weight", t.Convs[3]);
                foreach (var n in Bn($"{prefix}.op.7", t.Norms[1])) yield return n;
                break;
            case OpKind.DilConv3x3 or OpKind.DilConv5x5:
                yield return ($"{prefix}.op.1.weight", t.Convs[0]);
                yield return ($"{prefix}.op.2.weight", t.Convs[1]);
                foreach (var n in Bn($"{prefix}.op.3", t.Norms[0])) yield return n;
                break;
            case OpKind.MaxPool3x3 or OpKind.AvgPool3x3 when t.Norms.Length > 0:
                foreach (var n in Bn($"{prefix}.bn", t.Norms[0])) yield return n;
                break;
        }
    }
}
