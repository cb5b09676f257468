// The stacked DARTS macro-architecture (§1.5): stem, L cells with reductions at L/3 and 2L/3, global pool and classifier.
namespace Nas.Systems.Spaces.Darts;

/// <summary>One cell of the stack: its channels per node and the channels of its two inputs.</summary>
public readonly record struct CellLayout(int Index, bool Reduction, bool ReductionPrev, int CPrevPrev, int CPrev, int C, int InputSize)
{
    public int OutputSize => Reduction ? (InputSize + 1) / 2 : InputSize;
}

public sealed record StackedLayout(int Layers, int Channels, int InputChannels, int InputSize, int Classes, int StemMultiplier = 3, int Nodes = 4, int Multiplier = 4)
{
    public int StemChannels => StemMultiplier * Channels;

    public static bool IsReduction(int cell, int layers) => cell == layers / 3 || cell == 2 * layers / 3;

    public IReadOnlyList<CellLayout> Cells()
    {
        var cells = new List<CellLayout>(Layers);
        int cpp = StemChannels, cp = StemChannels, c = Channels, size = InputSize;
        var reductionPrev = false;
        for (var i = 0; i < Layers; i++)
        {
            var reduction = IsReduction(i, Layers);
            if (reduction) c *= 2;
            var cell = new CellLayout(i, reduction, reductionPrev, cpp, cp, c, size);
            cells.Add(cell);
            size = cell.OutputSize;
            reductionPrev = reduction;
            (cpp, cp) = (cp, Multiplier * c);
        }
        return cells;
    }

    public int ClassifierInputs => Multiplier * Cells()[^1].C;

    public ConvShape Stem => new(InputChannels, StemChannels, 3, 1, 1);

    public void Validate()
    {
        if (Layers < 1) throw new ArgumentException($"layers must be at least 1, got {Layers}");
        if (Channels < 1) throw new ArgumentException($"channels must be at least 1, got {Channels}");
        foreach (var cell in Cells())
            if (cell.Reduction && cell.InputSize % 2 != 0)
                throw new ArgumentException($"cell {cell.Index} reduces a {cell.InputSize}x{cell.InputSize} map: FactorizedReduce needs even sizes (§1.2); use another input size or fewer layers");
    }
}
