// BS-NAS's spring block (§4.3): the width options, the first-k weight slices of one configuration, and the
// broadening schedule. All of §4.2–4.3 is our reference design [I]; the paper's body could not be read.
namespace Nas.Systems.OneShot.BsNas;

/// <summary>The leading slices a configuration takes from a layer's max-width weights (SPOS-style first-k slicing).</summary>
/// <param name="ExpandOut">expand conv W[:ExpandOut, :ExpandIn] (0 when e = 1: no expand conv)</param>
/// <param name="Depthwise">depthwise conv W[:Depthwise] and its BN [:Depthwise]</param>
/// <param name="ProjectOut">project conv W[:ProjectOut, :ProjectIn] and the output BN [:ProjectOut]</param>
/// <param name="Residual">add the input: only when stride is 1 and c_in = c_out (never pad or slice the shortcut)</param>
public readonly record struct SpringSlice(int ExpandOut, int ExpandIn, int Depthwise, int ProjectOut, int ProjectIn, bool Residual);

/// <summary>The broadening schedule (§4.3): E_w warm-up epochs at w = 1.0, then one more neighbour each side every E_b epochs.</summary>
public sealed record BroadeningSchedule(int WarmupEpochs, int StepEpochs)
{
    /// <summary>Defaults [I]: E_w = 10 % and E_b = 5 % of the epochs, each at least 1.</summary>
    public static BroadeningSchedule For(int totalEpochs) =>
        new(Math.Max(1, (int)Math.Round(0.10 * totalEpochs)), Math.Max(1, (int)Math.Round(0.05 * totalEpochs)));

    /// <summary>How many neighbours each side of 1.0 are admissible in this (0-based) epoch.</summary>
    public int Reach(int epoch) => epoch < WarmupEpochs ? 0 : 1 + (epoch - WarmupEpochs) / StepEpochs;

    /// <summary>Indices into <see cref="Spring.Multipliers"/> admissible in this epoch.</summary>
    public int[] AdmissibleMultipliers(int epoch)
    {
        int reach = Reach(epoch), centre = Spring.CentreMultiplier;
        int lo = Math.Max(0, centre - reach), hi = Math.Min(Spring.Multipliers.Count - 1, centre + reach);
        return Enumerable.Range(lo, hi - lo + 1).ToArray();
    }
}

public static class Spring
{
    /// <summary>W = {0.5, 0.75, 1.0, 1.25, 1.5} (§4.2).</summary>
    public static readonly IReadOnlyList<double> Multipliers = [0.5, 0.75, 1.0, 1.25, 1.5];
    public const int CentreMultiplier = 2;

    /// <summary>Nearest multiple of 8, halves rounded up, at least 8 [I].</summary>
    public static int RoundTo8(double channels) => Math.Max(8, (int)Math.Floor(channels / 8 + 0.5) * 8);

    /// <summary>A layer's width options: the distinct RoundTo8(base × w), ascending (16 × 0.75 and 16 × 1.0 both give 16).</summary>
    public static int[] Widths(int baseChannels) => Multipliers.Select(m => RoundTo8(baseChannels * m)).Distinct().Order().ToArray();

    /// <summary>The width indices (into <see cref="Widths"/>) the schedule admits in an epoch.</summary>
    public static int[] AdmissibleWidths(int baseChannels, BroadeningSchedule schedule, int epoch)
    {
        var widths = Widths(baseChannels);
        return schedule.AdmissibleMultipliers(epoch).Select(m => Array.IndexOf(widths, RoundTo8(baseChannels * Multipliers[m]))).Distinct().Order().ToArray();
    }

    public static SpringSlice Slice(int expansion, int cin, int cout, int stride)
    {
        int m = expansion * cin;
        return new SpringSlice(expansion == 1 ? 0 : m, expansion == 1 ? 0 : cin, m, cout, m, stride == 1 && cin == cout);
    }

    /// <summary>The weight store of one (layer, op): the slice at the maximum input and output widths.</summary>
    public static SpringSlice Store(int expansion, int maxIn, int maxOut, int stride) => Slice(expansion, maxIn, maxOut, stride) with { Residual = false };

    /// <summary>True when every slice dimension is within the store (a sliced config can never read past the weights).</summary>
    public static bool Fits(SpringSlice slice, SpringSlice store) =>
        slice.ExpandOut <= store.ExpandOut && slice.ExpandIn <= store.ExpandIn && slice.Depthwise <= store.Depthwise
        && slice.ProjectOut <= store.ProjectOut && slice.ProjectIn <= store.ProjectIn;
}
