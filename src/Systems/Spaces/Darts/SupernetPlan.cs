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
