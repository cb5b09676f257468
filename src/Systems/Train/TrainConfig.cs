// The settings of one train-from-scratch run: the stacked network's §1.7 DARTS protocol or the BCNN's §4.3 protocol; sizes chosen by the caller.
using Nas.Components;

namespace Nas.Systems.Train;

/// <summary>
/// <see cref="Layers"/> is the stacked network's cell count or the BCNN's deep cells D; <see cref="EnhancementCells"/> (E) is read by
/// the broad space only. The defaults are the stacked network's; <see cref="For"/> gives each space's.
/// </summary>
public sealed record TrainConfig(
    int Layers = 8,
    int Channels = 16,
    int Epochs = 20,
    int Batch = 96,
    double Lr = 0.025,
    double Momentum = 0.9,
    double WeightDecay = 3e-4,
    double GradClip = 5,
    double DropPath = 0.2,
    double AuxiliaryWeight = 0.4,
    bool Cutout = true,
    ulong Seed = 0,
    int EvalBatch = 100,
    bool ChannelsLast = true,
    SearchSpace Space = SearchSpace.Stacked,
    int EnhancementCells = 2,
    ForwardMode Kernels = ForwardMode.Reference)
{
    public bool Auxiliary => AuxiliaryWeight > 0;

    /// <summary>
    /// A space's defaults. Stacked: 8 cells, C = 16, batch 96, drop-path 0.2, auxiliary head 0.4 (§1.7's protocol at toy size).
    /// Broad: the BNAS-v2 protocol of §4.3 (`train_b.py`): batch 128, drop-path 0.3, no auxiliary head, 6 deep and 2 enhancement
    /// cells; C = 16 is §7's toy size (the paper's 48 is `--channels 48`). Both: lr 0.025 cosine, momentum 0.9, wd 3e-4, clip 5,
    /// cutout, 20 epochs (the papers' 600 are a flag away).
    /// </summary>
    public static TrainConfig For(SearchSpace space) => space == SearchSpace.Broad
        ? new TrainConfig(Layers: 6, Batch: 128, DropPath: 0.3, AuxiliaryWeight: 0, Space: SearchSpace.Broad, EnhancementCells: 2)
        : new TrainConfig();

    public IReadOnlyList<string> Problems()
    {
        var p = new List<string>();
        if (Space == SearchSpace.Broad)
        {
            if (Layers < 2) p.Add($"layers (deep cells) must be at least 2 (two reductions), got {Layers}");
            if (EnhancementCells < 1) p.Add($"enhancement cells must be at least 1, got {EnhancementCells}");
            if (AuxiliaryWeight > 0) p.Add($"auxiliary-weight {AuxiliaryWeight}: the BCNN evaluation network has no auxiliary head (methods.md §4.3); use 0");
        }
        else if (Layers < 3) p.Add($"layers must be at least 3 (two reductions), got {Layers}");
        if (Channels < 1) p.Add($"channels must be positive, got {Channels}");
        if (Epochs < 1) p.Add($"epochs must be positive, got {Epochs}");
        if (Batch < 2) p.Add($"batch must be at least 2 (batch norm), got {Batch}");
        if (!(Lr > 0)) p.Add($"lr must be positive, got {Lr}");
        if (!(DropPath >= 0 && DropPath < 1)) p.Add($"drop-path must be in [0, 1), got {DropPath}");
        if (!(AuxiliaryWeight >= 0)) p.Add($"auxiliary-weight must be >= 0, got {AuxiliaryWeight}");
        return p;
    }
}

/// <summary>One epoch's figures (epochs.jsonl adds the wall time the command measured).</summary>
public readonly record struct EpochResult(int Epoch, double Lr, double DropPath, double TrainLoss, double TrainAcc, double TestLoss, double TestAcc);
