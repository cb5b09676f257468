// The broad (BCNN) network as a walkable program (methods.md §4.2, §4.3): stem, cells, taps and their reductions, classifier, in forward order.
using Nas.Systems.Spaces.Darts;

namespace Nas.Systems.Spaces.Broad;

/// <summary>Convolution cells take the genotype's <c>normal</c> list (alpha_normal); enhancement cells its <c>reduce</c> list (alpha_reduce), §4.9 pitfall 1.</summary>
public enum BroadCellKind { Convolution, Enhancement }

/// <summary>Gap taps feed the classifier from the convolution blocks; enhancement taps feed enhancement cell 0; output taps carry enhancement cells to the classifier.</summary>
public enum TapKind { Gap, Enhancement, Output }

/// <summary>
/// One step of the forward pass. It produces one value whose id is <see cref="Id"/> (its index in the step list);
/// inputs name earlier values, <see cref="BroadSteps.Image"/> is the network input. <see cref="Channels"/> and <see cref="Size"/> describe the output.
/// </summary>
public abstract record BroadStep(int Id, int Channels, int Size);

/// <summary>3×3 conv (pad 1) InChannels → Channels and an affine BN, on the image.</summary>
public sealed record StemStep(int Id, int InChannels, int Channels, int Size) : BroadStep(Id, Channels, Size);

/// <summary>A DARTS cell (§1.3) on values Input0 (s0) and Input1 (s1); its shape is <see cref="Layout"/>, its output Multiplier·C channels.</summary>
public sealed record CellStep(int Id, BroadCellKind Kind, int KindIndex, int Input0, int Input1, CellLayout Layout, int Channels)
    : BroadStep(Id, Channels, Layout.OutputSize)
{
    /// <summary>True when this cell takes the genotype's normal list / alpha_normal; false for reduce / alpha_reduce.</summary>
    public bool UsesNormalGenotype => Kind == BroadCellKind.Convolution;
}

/// <summary>ReLU → 1×1 conv InChannels → Channels → affine BN, at the input's resolution. Slot = the tap's position among taps of its kind.</summary>
public sealed record TapStep(int Id, TapKind Kind, int Slot, int Input, int InChannels, int Channels, int Size) : BroadStep(Id, Channels, Size);

/// <summary>An affine FactorizedReduce(Channels → Channels) that halves an earlier tap's resolution; it replaces that tap's value.</summary>
public sealed record TapReduceStep(int Id, TapKind Kind, int Slot, int Input, int Channels, int InputSize) : BroadStep(Id, Channels, InputSize / 2);

/// <summary>Channel concat of Inputs (gap taps, then output taps), global average pool, Linear(InChannels → Classes) with bias.</summary>
public sealed record ClassifierStep(int Id, IReadOnlyList<int> Inputs, int InChannels, int Classes) : BroadStep(Id, Classes, 1);

public static class BroadSteps
{
    public const int Image = -1;

    /// <summary>
    /// Checks that every step's inputs exist earlier and agree in channels and resolution with what the step expects, and that every
    /// halving sees an even size (FactorizedReduce, §1.2). Throws with the step named.
    /// </summary>
    public static void Validate(IReadOnlyList<BroadStep> steps)
    {
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            if (step.Id != i) throw new InvalidOperationException($"step {i} carries id {step.Id}");
            BroadStep Value(int id) => id >= 0 && id < i ? steps[id] : throw new InvalidOperationException($"step {i} ({step.GetType().Name}) reads value {id}, which is not computed before it");
            void Expect(bool ok, string what) { if (!ok) throw new ArgumentException($"step {i} ({step.GetType().Name}): {what}"); }
            switch (step)
            {
                case CellStep c:
                    var s0 = Value(c.Input0);
                    var s1 = Value(c.Input1);
                    Expect(s0.Channels == c.Layout.CPrevPrev && s1.Channels == c.Layout.CPrev, $"inputs have {s0.Channels} and {s1.Channels} channels, the cell expects {c.Layout.CPrevPrev} and {c.Layout.CPrev}");
                    Expect(s1.Size == c.Layout.InputSize, $"s1 is {s1.Size}x{s1.Size}, the cell expects {c.Layout.InputSize}x{c.Layout.InputSize}");
                    Expect(s0.Size == (c.Layout.ReductionPrev ? 2 * c.Layout.InputSize : c.Layout.InputSize), $"s0 is {s0.Size}x{s0.Size}, which preprocessing cannot bring to {c.Layout.InputSize}x{c.Layout.InputSize}");
                    Expect(!c.Layout.Reduction || c.Layout.InputSize % 2 == 0, $"a reduction cell on a {c.Layout.InputSize}x{c.Layout.InputSize} map: FactorizedReduce needs even sizes; use another input size or fewer blocks");
                    break;
                case TapStep t:
                    var input = Value(t.Input);
                    Expect(input.Channels == t.InChannels && input.Size == t.Size, $"reads {input.Channels}ch {input.Size}x{input.Size}, expects {t.InChannels}ch {t.Size}x{t.Size}");
                    break;
                case TapReduceStep r:
                    var tap = Value(r.Input);
                    Expect(tap.Channels == r.Channels && tap.Size == r.InputSize, $"reads {tap.Channels}ch {tap.Size}x{tap.Size}, expects {r.Channels}ch {r.InputSize}x{r.InputSize}");
                    Expect(r.InputSize % 2 == 0 && r.Channels % 2 == 0, $"FactorizedReduce of {r.Channels}ch {r.InputSize}x{r.InputSize} needs an even size and channel count; use another input size or fewer blocks");
                    break;
                case ClassifierStep k:
                    var values = k.Inputs.Select(Value).ToList();
                    Expect(values.Sum(v => v.Channels) == k.InChannels, $"inputs sum to {values.Sum(v => v.Channels)} channels, the classifier expects {k.InChannels}");
                    Expect(values.Select(v => v.Size).Distinct().Count() == 1, $"inputs have different sizes ({string.Join(", ", values.Select(v => v.Size))}) and cannot be concatenated");
                    break;
                case StemStep:
                    break;
                default:
                    throw new InvalidOperationException($"unknown step {step.GetType().Name}");
            }
        }
    }
}

/// <summary>Appends steps with consecutive ids; used by the two layouts.</summary>
internal sealed class StepList
{
    private readonly List<BroadStep> _steps = [];

    public IReadOnlyList<BroadStep> Steps => _steps;

    public int Add(Func<int, BroadStep> make)
    {
        var step = make(_steps.Count);
        _steps.Add(step);
        return step.Id;
    }

    public BroadStep this[int id] => _steps[id];

    public int Tap(TapKind kind, int slot, int input, int channels) =>
        Add(id => new TapStep(id, kind, slot, input, _steps[input].Channels, channels, _steps[input].Size));

    /// <summary>Halves taps 0..count−1 of <paramref name="taps"/> (their values are replaced), as the reference does each time a tap is added.</summary>
    public void ReduceTaps(TapKind kind, List<int> taps, int count)
    {
        for (var k = 0; k < count; k++)
        {
            var input = taps[k];
            taps[k] = Add(id => new TapReduceStep(id, kind, k, input, _steps[input].Channels, _steps[input].Size));
        }
    }
}
