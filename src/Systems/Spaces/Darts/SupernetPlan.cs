// The stacked supernet resolved to tensors, in forward order: built from the world's entities, rebuilt when they change.
using Nas.Components;
using Nas.Torch;

namespace Nas.Systems.Spaces.Darts;

public sealed record OpPlan(OpKind Kind, int Column, OpTensors Tensors);

public sealed record EdgePlan(int Node, int Input, int Row, int Stride, OpPlan[] Ops);

public sealed record CellPlan(
    CellLayout Layout,
    OpTensors Pre0, // FactorizedReduce (2 convs) after a reduction cell, else ReLUConvBN (1 conv)
    OpTensors Pre1,
    EdgePlan[] Edges);

public sealed record SupernetPlan(
    StackedLayout Layout,
    Tensor StemConv, BatchNormTensors StemBn,
    CellPlan[] Cells,
    Tensor ClassifierWeight, Tensor ClassifierBias,
    int PartialChannels);

/// <summary>
/// The architecture weights one forward uses for one cell type: per-edge op weights (rows = edges, columns = ops),
/// optional per-edge weights from beta, and which ops are kept this step (null = all).
/// </summary>
public sealed record CellWeights(Tensor OpWeights, Tensor? EdgeWeights = null, bool[][]? Kept = null);
