// The settings of one train-from-scratch run (§1.7 DARTS protocol defaults; sizes chosen by the caller).
using Nas.Components;

namespace Nas.Systems.Train;

/// <summary><see cref="Kernels"/>: the evaluation program's kernel set (`nas train --kernels`); the reference by default.</summary>
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
    ForwardMode Kernels = ForwardMode.Reference)
{
    public bool Auxiliary => AuxiliaryWeight > 0;

    public IReadOnlyList<string> Problems()
    {
        var p = new List<string>();
        if (Layers < 3) p.Add($"layers must be at least 3 (two reductions), got {Layers}");
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
