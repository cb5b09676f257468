// Resources of a one-shot run: the sampled path, the BN score table, the facet pool (snapshotted), and the fixed evaluation batches (runtime only).
using Nas.Torch;
using Nas.World;

namespace Nas.Systems.OneShot.Systems;

/// <summary>This step's single path (one gene per layer), drawn from the world's RNG.</summary>
[Resource("nas.oneshot.path", 1)]
public sealed record SampledPath([SnapshotKey("Genes")] int[] Genes);

/// <summary>BN-NAS's L × |O| table of mean |γ| (§2.8: built once after training, snapshotted with the supernet).</summary>
[Resource("nas.oneshot.bn_table", 1)]
public sealed record BnScoreTable([SnapshotKey("Table")] double[][] Table);

/// <summary>BNNAS++'s reference pool (§3.3): E, T, U of uniformly drawn genomes, fixed so fitness is stable across generations.</summary>
[Resource("nas.oneshot.facet_pool", 1)]
public sealed record FacetPoolState([SnapshotKey("E")] double[] E, [SnapshotKey("T")] double[] T, [SnapshotKey("U")] double[] U);

/// <summary>
/// Fixed batches for scoring (never snapshotted; rebuilt from the data): recalibration images from the training split,
/// labelled evaluation batches from the held-out split, both unaugmented and in dataset order.
/// </summary>
public sealed class EvalData(TensorScope scope, IReadOnlyList<Tensor> recalibration, IReadOnlyList<(Tensor Images, Tensor Labels)> eval) : IDisposable
{
    public IReadOnlyList<Tensor> Recalibration { get; } = recalibration;
    public IReadOnlyList<(Tensor Images, Tensor Labels)> Eval { get; } = eval;
    public void Dispose() => scope.Dispose();
}
