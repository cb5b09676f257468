// Where a forward's time goes per kind of primitive, when asked (`nas bench --profile`, through Forward.ProfilingKernels).
using System.Diagnostics;

namespace Nas.Components;

/// <summary>The primitives a forward is made of, for <see cref="ForwardProfile"/>.</summary>
public enum ProfileKind { Layout, Stem, DepthwiseConv, PointwiseConv, BatchNorm, Relu, Pool, WeightedSum, ChannelOps, Classifier }

/// <summary>
/// Accumulated wall time per <see cref="ProfileKind"/> over the forwards that were given this profile, on either kernel set.
/// Off (null) no kernel set is wrapped, so it costs nothing; libtorch on CPU runs each call synchronously, so a call's wall time is its cost.
/// </summary>
public sealed class ForwardProfile
{
    private readonly long[] _ticks = new long[Enum.GetValues<ProfileKind>().Length];
    private readonly long[] _calls = new long[Enum.GetValues<ProfileKind>().Length];

    public static long Now(ForwardProfile? profile) => profile is null ? 0 : Stopwatch.GetTimestamp();

    public void Add(ProfileKind kind, long start)
    {
        _ticks[(int)kind] += Stopwatch.GetTimestamp() - start;
        _calls[(int)kind]++;
    }

    private long _forwardTicks;

    /// <summary>Forwards run with this profile; their whole wall time (primitives plus the C# around them).</summary>
    public long Forwards { get; private set; }

    public double ForwardSeconds => (double)_forwardTicks / Stopwatch.Frequency;

    public void AddForward(long start)
    {
        _forwardTicks += Stopwatch.GetTimestamp() - start;
        Forwards++;
    }

    public double Seconds(ProfileKind kind) => (double)_ticks[(int)kind] / Stopwatch.Frequency;

    public long Calls(ProfileKind kind) => _calls[(int)kind];

    public double TotalSeconds => (double)_ticks.Sum() / Stopwatch.Frequency;

    public void Reset()
    {
        Array.Clear(_ticks);
        Array.Clear(_calls);
        _forwardTicks = 0;
        Forwards = 0;
    }
}
