// The DARTS cell supernet's step (issue 15 item 6): a sampled path is a genotype cell whose ops read the supernet's (cell, edge, op) weights.
using Nas.Components;
using Nas.Torch;

namespace Nas.Systems.Spaces.Forward;

public static partial class ForwardInterpreter
{
    /// <summary>Genes per node of a DARTS path: the input pair, the op on its smaller input, the op on its larger input.</summary>
    public const int DartsGenesPerNode = 3;

    /// <summary>
    /// The cell as <see cref="GenotypeCell"/> runs it (preprocessing, each node the sum of its two ops, concat of all nodes),
    /// every BatchNorm at the forward's momentum, no drop-path. A stride-1 skip with an output BN (BNNAS++'s unbiased
    /// supernet, §3.2) is that BN of its input; a pool's BN is the op's closing BN.
    /// </summary>
    public static Tensor DartsPathCell(ProgramStep.DartsPathCell s, Tensor s0, Tensor s1, IKernels k, ForwardArgs args)
    {
        var path = PathOf(args);
        var type = s.Layout.Reduction ? 1 : 0;
        if (path.Length != 2 * s.Nodes * DartsGenesPerNode)
            throw new ArgumentException($"a DARTS path has {2 * s.Nodes * DartsGenesPerNode} genes for {s.Nodes} nodes, got {path.Length}", nameof(args));
        var m = args.BnMomentum;
        var states = new List<Tensor>(2 + s.Nodes)
        {
            Preprocess0(s.Layout, s.Pre0, s0, k, args.Training, m), ReluConvBn(s1, s.Pre1, k, args.Training, m),
        };
        for (var node = 0; node < s.Nodes; node++)
        {
            var at = (type * s.Nodes + node) * DartsGenesPerNode;
            var (first, second) = DartsInputPair(node, path[at].Op);
            var a = DartsPathOp(s, node, first, path[at + 1].Op, states[first], k, args);
            var b = DartsPathOp(s, node, second, path[at + 2].Op, states[second], k, args);
            states.Add(k.Add(a, b, temporaries: false)); // a stride-1 skip's output is a state itself
        }
        return k.Cat(states.GetRange(2, s.Nodes).ToArray());
    }

    /// <summary>The edge index of (node, input) in DARTS's order: node j's edges follow the j + 1 nodes before it, Σ_{n&lt;j} (n + 2) = j(j + 3)/2.</summary>
    public static int DartsEdge(int node, int input) => node * (node + 3) / 2 + input;

    /// <summary>The <paramref name="pair"/>-th pair (i, k), i &lt; k, of node <paramref name="node"/>'s j + 2 inputs, lexicographic (DartsCellSpace.InputPairs).</summary>
    public static (int First, int Second) DartsInputPair(int node, int pair)
    {
        var n = 0;
        for (var i = 0; i < node + 2; i++)
            for (var j = i + 1; j < node + 2; j++)
                if (n++ == pair) return (i, j);
        throw new ArgumentOutOfRangeException(nameof(pair), pair, $"node {node} has {n} input pairs");
    }

    private static Tensor DartsPathOp(ProgramStep.DartsPathCell s, int node, int input, int gene, Tensor x, IKernels k, ForwardArgs args)
    {
        var edge = DartsEdge(node, input);
        var t = (gene >= 0 && gene < s.Kinds.Count ? s.Ops[edge][gene] : null)
            ?? throw new InvalidOperationException($"no candidate op {gene} on edge {edge} (cell {s.Layout.Index})");
        var kind = s.Kinds[gene];
        var stride = s.Layout.Reduction && input < 2 ? 2 : 1;
        var (y, closing) = Op(kind, x, stride, t, k, args.Training, args.BnMomentum);
        if (closing is { } bn) return k.Bn(y, bn, args.Training, momentum: args.BnMomentum);
        return kind == OpKind.SkipConnect && stride == 1 && t.Norms.Length == 1 ? k.Bn(y, t.Norms[0], args.Training, momentum: args.BnMomentum) : y;
    }
}
