// The primitives a forward program is made of (issue 13): one interface, a reference set (plain libtorch, NCHW) and a fast set (channels-last, native kernels).
using Nas.Components;
using Nas.Systems.Spaces.Darts;
using Nas.Systems.Spaces.Eval;
using Nas.Torch;

namespace Nas.Systems.Spaces.Forward;

/// <summary>
/// A kernel set for one forward: every tensor it returns is owned by the forward's scope. An instance lives for one forward,
/// so a set may share per-tensor work between readers (the fast set's ReLU, split and bypass caches). The composition of
/// these calls into ops, edges, cells and networks is <see cref="ForwardInterpreter"/>'s, written once for every set.
/// </summary>
public interface IKernels
{
    /// <summary>The fast set skips ops whose mixing weight is exactly zero (see <see cref="FastKernels"/>); the reference runs them.</summary>
    bool SkipsZeroWeights { get; }

    /// <summary>True when <see cref="MixedSum"/> takes the op's closing BatchNorm into its fused sum; false: the op closes it with <see cref="Bn"/>.</summary>
    bool Fuses(BatchNormTensors bn, bool training);

    /// <summary>One cell type's architecture weights as the mixed edges read them, computed once per forward.</summary>
    CellMix Mix(CellWeights weights);

    /// <summary>The image in the set's memory layout.</summary>
    Tensor Input(Tensor x);

    /// <summary>3×3 conv (pad 1) and the stem's affine BatchNorm.</summary>
    Tensor Stem(Tensor x, Tensor conv, BatchNormTensors bn, bool training);

    /// <summary>ReLU of an op's or preprocessing's input (the fast set computes it once per tensor).</summary>
    Tensor Relu(Tensor x);

    /// <summary>ReLU6, min(max(x, 0), 6): the mobile blocks' activation.</summary>
    Tensor Relu6(Tensor x);

    /// <summary>The first <paramref name="n"/> entries of t along <paramref name="dim"/> (SPOS / BS-NAS first-k width slicing of weights and BN parameters, §1.2, §4.3); t itself when whole.</summary>
    Tensor Lead(Tensor t, int dim, long n);

    /// <summary>A bias-free convolution; groups &gt; 1 is depthwise.</summary>
    Tensor Conv(Tensor x, Tensor w, int stride, int pad, int dilation, int groups);

    /// <summary>BatchNorm (eps 1e-5; γ and β optional), followed by ReLU when <paramref name="relu"/>; training updates the running statistics with <paramref name="momentum"/>.</summary>
    Tensor Bn(Tensor x, BatchNormTensors bn, bool training, bool relu = false, double momentum = OpForward.BnMomentum);

    /// <summary>3×3 max or average pooling (padding 1, padding not counted in the average).</summary>
    Tensor Pool(Tensor x, bool max, int stride);

    /// <summary>2×2 average pooling, stride 2 (NB-201's residual shortcut).</summary>
    Tensor AvgPool2(Tensor x);

    /// <summary>2×2 max pooling of partial channels' bypass at a reduction edge.</summary>
    Tensor Bypass(Tensor x);

    /// <summary>FactorizedReduce's even and odd pixel grids in one op, or null: the op then runs stride-2 convs on x and <see cref="ShiftPixels"/>(x).</summary>
    (Tensor Even, Tensor Odd)? EvenOddPixels(Tensor x);

    /// <summary>x without its first row and column (FactorizedReduce's second path).</summary>
    Tensor ShiftPixels(Tensor x);

    Tensor Cat(Tensor[] xs);

    /// <summary>PC-DARTS's split (§3.1): the first C/K channels (through the mixed op) and the rest (the bypass).</summary>
    (Tensor Mixed, Tensor Others) Split(Tensor x, int k);

    /// <summary>Concatenates the mixed part and the bypass, then shuffles channels in <paramref name="k"/> groups (§3.1).</summary>
    Tensor ShuffleJoin(Tensor mixed, Tensor others, int k);

    /// <summary>Σ_o w_o · o(x) over an edge's op outputs; an output with a closing BN has it applied inside the sum.</summary>
    Tensor MixedSum(List<OpOutput> outputs);

    /// <summary>Zeros of the edge's output shape, tied to x: the edge whose ops were all skipped.</summary>
    Tensor Zeros(Tensor x, int stride);

    /// <summary>Zeros shaped like x and not tied to it (NB-201's none: no gradient flows through it).</summary>
    Tensor ZerosLike(Tensor x);

    /// <summary>a + b. With <paramref name="temporaries"/> no one else reads a or b, so a set may free them now.</summary>
    Tensor Add(Tensor a, Tensor b, bool temporaries);

    /// <summary>Σ_e β_e · y_e over a node's incoming edges (edge normalization, §3.1b); the y_e are temporaries.</summary>
    Tensor WeightedSum(List<Tensor> ys, List<Tensor> betas);

    /// <summary>Drop-path (§1.7) with masks from <paramref name="g"/>.</summary>
    Tensor DropPath(Tensor y, double p, Generator g);

    /// <summary>The evaluation network's auxiliary head on a cell output (§1.7).</summary>
    Tensor Auxiliary(AuxiliaryHead head, Tensor x, bool training);

    /// <summary>Channel concat of the inputs (when more than one), global average pool, Linear.</summary>
    Tensor Classifier(Tensor[] inputs, Tensor weight, Tensor bias);
}

/// <summary>One op's output before its closing BatchNorm (null: closed already, or the op has none) and its mixing weight.</summary>
public readonly record struct OpOutput(Tensor Value, BatchNormTensors? Closing, Tensor Weight);

/// <summary>
/// One cell type's architecture weights as the mixed cells read them: each op weight as a scalar tensor, the same as floats
/// (only for a set that skips ops of weight exactly zero), the edge weights (beta) and the DropNAS masks.
/// </summary>
public sealed record CellMix(Tensor[][] Scalars, float[][]? Values, Tensor[]? EdgeWeights, bool[][]? Kept)
{
    public static CellMix Of(CellWeights w, TensorScope scope, bool values) => new(Rows(w.OpWeights, scope), values ? Floats(w.OpWeights) : null,
        w.EdgeWeights is null ? null : Elements(w.EdgeWeights, scope), w.Kept);

    /// <summary>Each element of a rows×ops weight matrix as its own scalar tensor, shared by all cells of a type.</summary>
    public static Tensor[][] Rows(Tensor matrix, TensorScope scope)
    {
        var rows = (int)matrix.Size(0);
        var cols = (int)matrix.Size(1);
        var result = new Tensor[rows][];
        for (var r = 0; r < rows; r++)
        {
            var row = scope.Own(matrix.Select(0, r));
            result[r] = new Tensor[cols];
            for (var o = 0; o < cols; o++) result[r][o] = scope.Own(row.Select(0, o));
        }
        return result;
    }

    public static Tensor[] Elements(Tensor vector, TensorScope scope)
    {
        var n = (int)vector.Size(0);
        var result = new Tensor[n];
        for (var i = 0; i < n; i++) result[i] = scope.Own(vector.Select(0, i));
        return result;
    }

    /// <summary>The weight matrix as rows of floats, read once per forward to know which ops have weight exactly zero.</summary>
    public static float[][] Floats(Tensor matrix)
    {
        var rows = (int)matrix.Size(0);
        var cols = (int)matrix.Size(1);
        var flat = matrix.ToFloatArray();
        var result = new float[rows][];
        for (var r = 0; r < rows; r++) result[r] = flat.AsSpan(r * cols, cols).ToArray();
        return result;
    }
}
