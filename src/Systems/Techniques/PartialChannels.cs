// PC-DARTS partial channel connections (methods.md §3.1a): which K an edge's channel count admits. The split and shuffle themselves are the forward's (ForwardInterpreter.PartialEdge over a kernel set's Split and ShuffleJoin).
namespace Nas.Systems.Techniques;

public static class PartialChannels
{
    /// <summary>Refuses a K that does not split <paramref name="channels"/> into an even mixed part, naming <paramref name="where"/> and both numbers.</summary>
    public static void Validate(int channels, int k, string where = "edge")
    {
        if (k < 1) throw new ArgumentException($"{where}: partial-channel K must be at least 1, got {k}");
        if (channels < 1) throw new ArgumentException($"{where}: channel count must be at least 1, got {channels}");
        if (k == 1) return;
        if (channels % k != 0)
            throw new ArgumentException($"{where}: partial-channel K = {k} must divide the edge's {channels} channels (§3.1)");
        if (channels / k % 2 != 0)
            throw new ArgumentException($"{where}: {channels}/{k} = {channels / k} channels go through the mixed op, which must be even: the stride-2 skip is a FactorizedReduce (§3.1); use a K that leaves an even count");
    }
}
