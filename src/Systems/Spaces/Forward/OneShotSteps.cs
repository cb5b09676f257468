// The one-shot supernets' steps (issue 13): mobile MBConv choice blocks, NB-201 cells and DARTS path cells, with the sampled path given per forward.
using Nas.Components;
using Nas.Systems.Spaces.Darts;
using Nas.Torch;

namespace Nas.Systems.Spaces.Forward;

/// <summary>One layer of a sampled path: the op gene (−1 identity) and, for mobile layers, the output width.</summary>
public readonly record struct PathStep(int Op, int Width);

/// <summary>The activation after a one-shot step's BatchNorm.</summary>
public enum Activation { None, Relu, Relu6 }

/// <summary>An NB-201 candidate op as the interpreter runs it (the benchmark's five ops, §5.1).</summary>
public enum CellOpKind { Zero, Identity, Conv1x1, Conv3x3, AvgPool3x3 }

/// <summary>
/// An MBConv choice (§1.2): 1×1 expand, BN, ReLU6, k×k depthwise, BN, ReLU6, 1×1 project, output BN. The tensors are the
/// supernet's widest; a path slices the first channels it uses (SPOS / BS-NAS first-k width slicing, §4.3).
/// </summary>
public sealed record MbConv(int Expansion, int Kernel, Tensor Expand, BatchNormTensors ExpandBn, Tensor Depthwise, BatchNormTensors DepthwiseBn,
    Tensor Project, BatchNormTensors Out);

/// <summary>An NB-201 candidate op on one edge of one cell: a ReLU-conv-BN's conv and BN, or BNNAS++'s output BN of a skip or pool (§3.2).</summary>
public sealed record CellOp(CellOpKind Kind, Tensor? Conv, BatchNormTensors? Out);

public abstract partial record ProgramStep
{
    /// <summary>The value id of the program's input image (in the set's memory layout), read by the one-shot stems.</summary>
    public const int Image = -1;

    /// <summary>Conv (its weight's first input channels, as many as the input has), BN sliced to its output, activation: the one-shot stems and the mobile head.</summary>
    public sealed record ConvBnAct(int Id, int Input, Tensor Conv, int Stride, int Pad, BatchNormTensors Bn, Activation Act) : ProgramStep(Id);

    /// <summary>BN and activation alone (NB-201's last BN and ReLU before the classifier).</summary>
    public sealed record BnAct(int Id, int Input, BatchNormTensors Bn, Activation Act) : ProgramStep(Id);

    /// <summary>
    /// One mobile layer: the path's op picks one of <see cref="Choices"/> (null where shrinking pruned it) at the path's
    /// width, or with −1 the identity, which passes the input through (BNNAS++'s output BN on it when <see cref="IdentityBn"/> is set).
    /// </summary>
    public sealed record ChoiceBlock(int Id, int Input, int Layer, int Stride, MbConv?[] Choices, BatchNormTensors? IdentityBn) : ProgramStep(Id);

    /// <summary>NB-201's residual block between stages: ReLU-conv3×3(stride 2)-BN, ReLU-conv3×3-BN, plus a 2×2 average pool and 1×1 conv shortcut.</summary>
    public sealed record ResidualBlock(int Id, int Input, Tensor ConvA, BatchNormTensors BnA, Tensor ConvB, BatchNormTensors BnB, Tensor Shortcut) : ProgramStep(Id);

    /// <summary>
    /// An NB-201 cell (§5.1): node 0 is the input, node j the sum over the edges into it of the path's op on that edge
    /// (the path's genes are the edges' ops, shared by every cell); the output is the last node. <see cref="Ops"/> is
    /// [edge][op gene], null where the op has no entity (pruned).
    /// </summary>
    public sealed record ChoiceCell(int Id, int Input, int Cell, int Nodes, (int From, int To)[] Edges, CellOp?[][] Ops) : ProgramStep(Id);

    /// <summary>
    /// A cell of the DARTS cell supernet (issue 15 item 6): preprocessing as a DARTS cell, then, for each node, the two inputs
    /// and ops the path names for this cell type, each op run on the supernet's weights of (cell, edge, op); the output is
    /// the concat of all nodes. The path holds three genes per node (input pair, first op, second op), normal cells first
    /// (DartsCellSpace's genome). <see cref="Ops"/> is [edge][op gene] (null: no entity); <see cref="Kinds"/> names each op gene.
    /// </summary>
    public sealed record DartsPathCell(int Id, int Input0, int Input1, CellLayout Layout, int Nodes, OpTensors Pre0, OpTensors Pre1,
        OpTensors?[][] Ops, IReadOnlyList<OpKind> Kinds) : ProgramStep(Id);
}
