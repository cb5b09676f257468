// Components of a supernet: the network, its cells, edges and candidate ops, and the architecture entities holding alpha and beta.
using Nas.World;

namespace Nas.Components;

/// <summary>The network entity; it owns the stem and classifier tensors ("stem.conv", "stem.bn.*", "classifier.*").</summary>
[Component("nas.network", 1)]
public readonly record struct Network(
    [SnapshotKey("Layers")] int Layers,
    [SnapshotKey("Channels")] int Channels,
    [SnapshotKey("InputChannels")] int InputChannels,
    [SnapshotKey("InputSize")] int InputSize,
    [SnapshotKey("Classes")] int Classes,
    [SnapshotKey("Nodes")] int Nodes,
    [SnapshotKey("PartialChannels")] int PartialChannels);

/// <summary>A cell; it owns its preprocessing tensors ("pre0.*", "pre1.*").</summary>
[Component("nas.cell", 1)]
public readonly record struct Cell(
    [SnapshotKey("Index")] int Index,
    [SnapshotKey("Reduction")] bool Reduction,
    [SnapshotKey("ReductionPrev")] bool ReductionPrev);

/// <summary>An edge from state <see cref="Input"/> into intermediate node <see cref="Node"/>; <see cref="Row"/> is its alpha row (§1.3).</summary>
[Component("nas.edge", 1)]
public readonly record struct Edge(
    [SnapshotKey("Cell")] Entity Cell,
    [SnapshotKey("Node")] int Node,
    [SnapshotKey("Input")] int Input,
    [SnapshotKey("Row")] int Row,
    [SnapshotKey("Stride")] int Stride);

/// <summary>A candidate op on an edge; <see cref="Column"/> is its alpha column. It owns its weights ("conv0", "bn0.mean", ...).</summary>
[Component("nas.op", 1)]
public readonly record struct CandidateOp([SnapshotKey("Edge")] Entity Edge, [SnapshotKey("Kind")] OpKind Kind, [SnapshotKey("Column")] int Column);

public enum CellType { Normal = 0, Reduce = 1 }

/// <summary>The architecture parameters shared by all cells of one type (quark0/darts#163); owns "alpha" (edges×ops) and, with edge normalisation, "beta".</summary>
[Component("nas.architecture", 1)]
public readonly record struct Architecture([SnapshotKey("Type")] CellType Type, [SnapshotKey("Edges")] int Edges, [SnapshotKey("Ops")] int Ops);

/// <summary>Tag: the op is dropped for this step (DropNAS).</summary>
[Component("nas.dropped", 1)]
public readonly record struct Dropped;

/// <summary>Tag: the op was shrunk away (BS-NAS) and is destroyed at the end of the step.</summary>
[Component("nas.pruned", 1)]
public readonly record struct Pruned;

/// <summary>Tag: the tensor owner's weights are not trained (BN-only training).</summary>
[Component("nas.frozen", 1)]
public readonly record struct Frozen;

/// <summary>Marks the network entity of a broad (BCNN) supernet (§4.2); with <see cref="Network"/> it fixes the whole layout.</summary>
[Component("nas.broad_network", 1)]
public readonly record struct BroadNetwork([SnapshotKey("ConvBlocks")] int ConvBlocks, [SnapshotKey("EnhancementCells")] int EnhancementCells);

/// <summary>A tap or tap reduction of the broad network; <see cref="Step"/> is its id in the layout's forward program. It owns "conv0", ("conv1"), "bn0.*".</summary>
[Component("nas.tap", 1)]
public readonly record struct Tap([SnapshotKey("Step")] int Step);

/// <summary>Which architecture a cell uses, where it is not given by <see cref="Cell.Reduction"/> (broad cells: convolution cells reduce but use alpha_normal).</summary>
[Component("nas.cell_architecture", 1)]
public readonly record struct CellArchitecture([SnapshotKey("Type")] CellType Type);
