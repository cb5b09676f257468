// The MobileNet-like choice-block space (§2.5(a)) and its 28×28 test-bed (§7): layers, op genes, FLOPs and params.
using Nas.Systems.OneShot.Search;
using Nas.Systems.Spaces.Darts;

namespace Nas.Systems.OneShot.Mobile;

/// <summary>Whether a layer may be the identity ("skip", gene −1).</summary>
public enum IdentityRule { Never, Searchable, Forced }

/// <summary>One choice layer: base channels in → out on a Size² input map, with a stride.</summary>
public readonly record struct MbLayer(int In, int Out, int Size, int Stride, IdentityRule Identity = IdentityRule.Never);

/// <summary>An inverted-residual block: 1×1 expand (skipped when e = 1), k×k depthwise (stride), 1×1 project; BN after each.</summary>
public readonly record struct MbOp(int Kernel, int Expansion)
{
    /// <summary>
    /// MACs (§2.5: H·W·C_in·m + H'·W'·m·k² + H'·W'·m·C_out, m = e·C_in) and params (convs + affine BNs).
    /// The residual add costs nothing here.
    /// </summary>
    public Cost Cost(int cin, int cout, int size, int stride)
    {
        int m = Expansion * cin;
        var dw = new ConvShape(m, m, Kernel, stride, Kernel / 2, 1, m);
        int outSize = dw.OutSize(size);
        var cost = Expansion == 1 ? Nas.Systems.Spaces.Darts.Cost.Zero : new Cost((long)cin * m + 2L * m, (long)size * size * cin * m);
        cost += new Cost(dw.Params + 2L * m, dw.Macs(size, size));
        return cost + new Cost((long)m * cout + 2L * cout, (long)outSize * outSize * m * cout);
    }
}

/// <summary>
/// Genes: −1 = identity, 0..5 = <see cref="Ops"/> in the order (3,3), (3,6), (5,3), (5,6), (7,3), (7,6) (§2.5).
/// FLOPs and params are additive over layers: fixed parts + Σ_l cost(l, gene_l), which is what makes the
/// knapsack oracle exact.
/// </summary>
public sealed class MobileSpace : IChoiceSpace
{
    public const int IdentityGene = -1;
    public static readonly IReadOnlyList<MbOp> Ops = [new(3, 3), new(3, 6), new(5, 3), new(5, 6), new(7, 3), new(7, 6)];

    private readonly int[][] _choices;

    public MobileSpace(string name, IReadOnlyList<MbLayer> layers, Cost fixedCost)
    {
        Name = name;
        LayerSpecs = layers;
        FixedCost = fixedCost;
        _choices = layers.Select((l, i) => l.Identity switch
        {
            IdentityRule.Forced => new[] { IdentityGene },
            IdentityRule.Searchable when l.Stride == 1 && l.In == l.Out => [IdentityGene, 0, 1, 2, 3, 4, 5],
            IdentityRule.Searchable => throw new ArgumentException($"layer {i} ({l.In}→{l.Out}, stride {l.Stride}) cannot be an identity"),
            _ => [0, 1, 2, 3, 4, 5],
        }).ToArray();
    }

    public string Name { get; }
    public IReadOnlyList<MbLayer> LayerSpecs { get; }
    /// <summary>Stem, any fixed block, head conv and classifier.</summary>
    public Cost FixedCost { get; }
    public int Layers => LayerSpecs.Count;
    public IReadOnlyList<int> Choices(int layer) => _choices[layer];
    public void Canonicalize(Span<int> genome) { }
    public double Flops(ReadOnlySpan<int> genome) => Cost(genome).Macs;
    public double Params(ReadOnlySpan<int> genome) => Cost(genome).Params;

    /// <summary>Costs are additive over layers, so the smallest network takes each layer's cheapest choice (per measure).</summary>
    public (double Flops, double Params) Smallest()
    {
        double flops = FixedCost.Macs, parameters = FixedCost.Params;
        for (int l = 0; l < Layers; l++)
        {
            flops += _choices[l].Min(g => LayerCost(l, g).Macs);
            parameters += _choices[l].Min(g => LayerCost(l, g).Params);
        }
        return (flops, parameters);
    }

    public Cost LayerCost(int layer, int gene)
    {
        if (Array.IndexOf(_choices[layer], gene) < 0)
            throw new ArgumentException($"gene {gene} is not a choice of layer {layer} (choices: {string.Join(", ", _choices[layer])})");
        var l = LayerSpecs[layer];
        return gene == IdentityGene ? Nas.Systems.Spaces.Darts.Cost.Zero : Ops[gene].Cost(l.In, l.Out, l.Size, l.Stride);
    }

    public Cost Cost(ReadOnlySpan<int> genome)
    {
        if (genome.Length != Layers) throw new ArgumentException($"{Name} has {Layers} layers, the genome has {genome.Length} genes");
        var cost = FixedCost;
        for (int l = 0; l < genome.Length; l++) cost += LayerCost(l, genome[l]);
        return cost;
    }

    /// <summary>
    /// §7's test-bed [I]: stem 3×3 conv 1→16 (stride 1) + BN; 8 layers 16,16,24,24,32,32,64,64 with stride 2 at
    /// layers 2 and 4 (28 → 14 → 7); head 1×1 conv to 128 + BN, global pool, FC 10 (with bias). With
    /// <paramref name="identity"/>, the layers where stride is 1 and widths match (0, 1, 3, 5, 7) may be identities.
    /// </summary>
    public static MobileSpace Tiny28(bool identity = true, int classes = 10)
    {
        int[] widths = [16, 16, 24, 24, 32, 32, 64, 64];
        var layers = new List<MbLayer>();
        int cin = 16, size = 28;
        for (int i = 0; i < widths.Length; i++)
        {
            int stride = i is 2 or 4 ? 2 : 1;
            var rule = identity && stride == 1 && cin == widths[i] ? IdentityRule.Searchable : IdentityRule.Never;
            layers.Add(new MbLayer(cin, widths[i], size, stride, rule));
            cin = widths[i];
            size = new ConvShape(1, 1, 3, stride, 1).OutSize(size);
        }
        var stem = new ConvShape(1, 16, 3, 1, 1);
        var head = new ConvShape(64, 128, 1);
        var fixedCost = new Cost(stem.Params + 32, stem.Macs(28, 28)) + new Cost(head.Params + 256, head.Macs(7, 7))
                      + new Cost(128L * classes + classes, 128L * classes);
        return new MobileSpace("mobile-tiny-28", layers, fixedCost);
    }

    /// <summary>
    /// The official BN-NAS space (§2.5(a), ProxylessNAS-GPU widths, 224×224): stem 3×3 s2 3→40, fixed block (e 1, k 3)
    /// 40→24, 21 choice layers, head 1×1 432→1728, FC 1728→1000. <paramref name="bnNasDepth"/> forces identity at
    /// layers 1, 5, 6, 9 (the repository's runs); otherwise identity is searchable except at 0, 4, 8, 12, 16, 20 (ABS).
    /// </summary>
    public static MobileSpace ImageNet(bool bnNasDepth = true)
    {
        (int In, int Out, int Size, int Stride)[] spec =
        [
            (24, 32, 112, 2), (32, 32, 56, 1), (32, 32, 56, 1), (32, 32, 56, 1),
            (32, 56, 56, 2), (56, 56, 28, 1), (56, 56, 28, 1), (56, 56, 28, 1),
            (56, 112, 28, 2), (112, 112, 14, 1), (112, 112, 14, 1), (112, 112, 14, 1),
            (112, 128, 14, 1), (128, 128, 14, 1), (128, 128, 14, 1), (128, 128, 14, 1),
            (128, 256, 14, 2), (256, 256, 7, 1), (256, 256, 7, 1), (256, 256, 7, 1),
            (256, 432, 7, 1),
        ];
        int[] forced = [1, 5, 6, 9], never = [0, 4, 8, 12, 16, 20];
        var layers = spec.Select((s, i) => new MbLayer(s.In, s.Out, s.Size, s.Stride,
            bnNasDepth ? (forced.Contains(i) ? IdentityRule.Forced : IdentityRule.Never)
                       : (never.Contains(i) ? IdentityRule.Never : IdentityRule.Searchable))).ToList();
        var stem = new ConvShape(3, 40, 3, 2, 1);
        var head = new ConvShape(432, 1728, 1);
        var fixedCost = new Cost(stem.Params + 80, stem.Macs(224, 224)) + new MbOp(3, 1).Cost(40, 24, 112, 1)
                      + new Cost(head.Params + 2 * 1728, head.Macs(7, 7)) + new Cost(1728L * 1000 + 1000, 1728L * 1000);
        return new MobileSpace(bnNasDepth ? "mobile-imagenet-bnnas" : "mobile-imagenet-abs", layers, fixedCost);
    }
}
