// The BS-NAS space (§4.2 [I]): each layer picks an op and a width; one gene holds both so they mutate jointly (§4.5).
using Nas.Components;
using Nas.Systems.OneShot.Mobile;
using Nas.Systems.OneShot.Search;
using Nas.Systems.Spaces.Darts;

namespace Nas.Systems.OneShot.BsNas;

/// <summary>gene = (op + 1) · 8 + widthIndex, op ∈ {−1 identity, 0..5 MobileSpace.Ops}, widthIndex into the layer's widths.</summary>
public static class BsNasGene
{
    public const int WidthSlots = 8;
    public static int Encode(int op, int widthIndex) => (op + 1) * WidthSlots + widthIndex;
    public static int Op(int gene) => gene / WidthSlots - 1;
    public static int Width(int gene) => gene % WidthSlots;
}

/// <summary>
/// Layers at base widths (from a MobileSpace layout); identity is admissible where stride is 1 and the base widths
/// match, and forces the output width to the input width (its width gene is canonicalized to 0). Layer 0's input
/// is the stem's fixed width. FLOPs = stem + Σ_l MBConv(c_in, c_out) + head conv from the last width + FC;
/// the residual is added only when c_in = c_out (never padded), so the count is exact.
/// </summary>
public sealed class BsNasSpace : IChoiceSpace
{
    private readonly int[][] _widths;
    private readonly int[][] _choices;

    public BsNasSpace(IReadOnlyList<MbLayer> layers, int stemChannels, Cost stemCost, int headChannels, int headSize, int classes, ActiveOptions? active = null)
    {
        LayerSpecs = layers;
        StemChannels = stemChannels;
        StemCost = stemCost;
        HeadChannels = headChannels;
        HeadSize = headSize;
        Classes = classes;
        _widths = layers.Select(l => Spring.Widths(l.Out)).ToArray();
        Active = active ?? Full(layers, _widths);
        if (Active.Ops.Length != layers.Count || Active.Widths.Length != layers.Count)
            throw new ArgumentException($"active options cover {Active.Ops.Length} layers, the space has {layers.Count}");
        _choices = new int[layers.Count][];
        for (int l = 0; l < layers.Count; l++)
        {
            if (Active.Ops[l].Length == 0 || Active.Widths[l].Length == 0) throw new ArgumentException($"layer {l} has no active op or width");
            if (Active.Ops[l].Contains(-1) && !IdentityAllowed(l)) throw new ArgumentException($"layer {l} cannot be an identity");
            _choices[l] = Active.Ops[l].Order()
                .SelectMany(op => op == -1 ? [BsNasGene.Encode(-1, 0)] : Active.Widths[l].Order().Select(w => BsNasGene.Encode(op, w)))
                .ToArray();
        }
    }

    public IReadOnlyList<MbLayer> LayerSpecs { get; }
    public int StemChannels { get; }
    public Cost StemCost { get; }
    public int HeadChannels { get; }
    public int HeadSize { get; }
    public int Classes { get; }
    public ActiveOptions Active { get; }
    public int Layers => LayerSpecs.Count;
    public IReadOnlyList<int> Choices(int layer) => _choices[layer];
    public IReadOnlyList<int> Widths(int layer) => _widths[layer];
    public bool IdentityAllowed(int layer) => LayerSpecs[layer].Stride == 1 && LayerSpecs[layer].In == LayerSpecs[layer].Out;

    /// <summary>The same space with other active options (after shrinking, or per the broadening schedule).</summary>
    public BsNasSpace With(ActiveOptions active) => new(LayerSpecs, StemChannels, StemCost, HeadChannels, HeadSize, Classes, active);

    public void Canonicalize(Span<int> genome)
    {
        for (int l = 0; l < genome.Length; l++)
            if (BsNasGene.Op(genome[l]) == -1) genome[l] = BsNasGene.Encode(-1, 0);
    }

    public double Flops(ReadOnlySpan<int> genome) => Cost(genome).Macs;
    public double Params(ReadOnlySpan<int> genome) => Cost(genome).Params;

    /// <summary>
    /// Exact minima by dynamic programming over the layers: a layer's cost depends only on its gene and its input width
    /// (the previous layer's output), so the state is that width; the head conv reads the last one.
    /// </summary>
    public (double Flops, double Params) Smallest() => (Min(c => c.Macs), Min(c => c.Params));

    private double Min(Func<Cost, long> measure)
    {
        var best = new Dictionary<int, double> { [StemChannels] = measure(StemCost) };
        for (int l = 0; l < Layers; l++)
        {
            var next = new Dictionary<int, double>();
            var spec = LayerSpecs[l];
            foreach (var (cin, sofar) in best)
                foreach (var gene in _choices[l])
                {
                    int op = BsNasGene.Op(gene);
                    int cout = op == -1 ? cin : _widths[l][BsNasGene.Width(gene)];
                    double total = sofar + (op == -1 ? 0 : measure(MobileSpace.Ops[op].Cost(cin, cout, spec.Size, spec.Stride)));
                    if (!next.TryGetValue(cout, out var known) || total < known) next[cout] = total;
                }
            best = next;
        }
        return best.Min(kv =>
        {
            var head = new ConvShape(kv.Key, HeadChannels, 1);
            return kv.Value + measure(new Cost(head.Params + 2L * HeadChannels, head.Macs(HeadSize, HeadSize)))
                            + measure(new Cost((long)HeadChannels * Classes + Classes, (long)HeadChannels * Classes));
        });
    }

    /// <summary>Output width of every layer for a genome (identity passes its input width on).</summary>
    public int[] OutputWidths(ReadOnlySpan<int> genome)
    {
        if (genome.Length != Layers) throw new ArgumentException($"the space has {Layers} layers, the genome has {genome.Length} genes");
        var outs = new int[Layers];
        int cin = StemChannels;
        for (int l = 0; l < Layers; l++)
        {
            int op = BsNasGene.Op(genome[l]);
            if (op < -1 || op >= MobileSpace.Ops.Count) throw new ArgumentException($"gene {genome[l]} of layer {l} has no op {op}");
            if (op == -1 && !IdentityAllowed(l)) throw new ArgumentException($"layer {l} cannot be an identity");
            outs[l] = cin = op == -1 ? cin : _widths[l][BsNasGene.Width(genome[l])];
        }
        return outs;
    }

    public Cost Cost(ReadOnlySpan<int> genome)
    {
        var outs = OutputWidths(genome);
        var cost = StemCost;
        int cin = StemChannels;
        for (int l = 0; l < Layers; l++)
        {
            int op = BsNasGene.Op(genome[l]);
            var spec = LayerSpecs[l];
            if (op >= 0) cost += MobileSpace.Ops[op].Cost(cin, outs[l], spec.Size, spec.Stride);
            cin = outs[l];
        }
        var head = new ConvShape(cin, HeadChannels, 1);
        return cost + new Cost(head.Params + 2L * HeadChannels, head.Macs(HeadSize, HeadSize))
                    + new Cost((long)HeadChannels * Classes + Classes, (long)HeadChannels * Classes);
    }

    /// <summary>
    /// §7's 28×28 test-bed with width choices: the same layers, stem and head as MobileSpace.Tiny28. Without
    /// <paramref name="identity"/>, no layer starts with the identity among its active ops (fixed depth).
    /// </summary>
    public static BsNasSpace Tiny28(int classes = 10, bool identity = true)
    {
        var stem = new ConvShape(1, 16, 3, 1, 1);
        var layers = MobileSpace.Tiny28(identity: false).LayerSpecs;
        var active = identity ? null : Full(layers, layers.Select(l => Spring.Widths(l.Out)).ToArray(), identity: false);
        return new BsNasSpace(layers, 16, new Cost(stem.Params + 32, stem.Macs(28, 28)), 128, 7, classes, active);
    }

    private static ActiveOptions Full(IReadOnlyList<MbLayer> layers, int[][] widths, bool identity = true) => new(
        layers.Select(l => (identity && l.Stride == 1 && l.In == l.Out ? new[] { -1 } : []).Concat(Enumerable.Range(0, MobileSpace.Ops.Count)).ToArray()).ToArray(),
        widths.Select(w => Enumerable.Range(0, w.Length).ToArray()).ToArray());
}
