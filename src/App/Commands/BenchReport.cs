// The text of `nas bench --profile`: a step's time per system, per forward primitive, and the framework's own share.
using Nas.Components;
using Nas.Systems.Spaces.Darts;

namespace Nas.App.Commands;

internal static class BenchReport
{
    public static void PrintProfile(BenchRun run)
    {
        var step = run.MeanStep;
        string Pct(double s) => $"{100 * s / step,5:0.0} %";
        Console.WriteLine();
        Console.WriteLine($"profile, {run.Mode} forward, mean of {run.Count} timed steps: {step:0.000} s/step (batch feeding excluded)");
        if (run.SystemsTimed)
        {
            foreach (var (system, s) in run.SystemSeconds)
                Console.WriteLine($"  system {system,-22} {s:0.0000} s");
            Console.WriteLine($"  ECS schedule around them    {run.ScheduleOverheadSeconds:0.000000} s  {Pct(run.ScheduleOverheadSeconds)}");
        }
        else
        {
            Console.WriteLine("  (this session type does not expose its schedule: systems not timed, feeding included in the step)");
        }
        if (run.Profile is not { Forwards: > 0 } p)
        {
            Console.WriteLine("  (no forward ran through the profiled kernel set: this session's forward is not a program yet)");
            return;
        }
        var perStep = (double)p.Forwards / run.Count;
        double Per(double total) => total / run.Count;
        Console.WriteLine($"  forward ({perStep:0} per step)           {Per(p.ForwardSeconds):0.000} s  {Pct(Per(p.ForwardSeconds))}");
        foreach (var kind in Enum.GetValues<ProfileKind>())
            Console.WriteLine($"    {Name(kind),-26} {Per(p.Seconds(kind)):0.0000} s  {Pct(Per(p.Seconds(kind)))}  {p.Calls(kind) / run.Count,6} calls");
        var outside = Per(p.ForwardSeconds - p.TotalSeconds);
        Console.WriteLine($"    {"C# around the primitives",-26} {outside:0.0000} s  {Pct(outside)}  (loops, weight scalars and their Select calls)");
        var rest = step - Per(p.ForwardSeconds) - (run.SystemsTimed ? run.ScheduleOverheadSeconds : 0);
        Console.WriteLine($"  loss, backward, optimizers  {rest:0.000} s  {Pct(rest)}  (libtorch autograd; not split per primitive)");
        var framework = outside + (run.SystemsTimed ? run.ScheduleOverheadSeconds : 0);
        Console.WriteLine($"  framework's own share (ECS schedule + forward C# outside primitives, an upper bound): {framework:0.0000} s = {Pct(framework).Trim()}");
    }

    private static string Name(ProfileKind kind) => kind switch
    {
        ProfileKind.Layout => "to channels-last",
        ProfileKind.Stem => "stem (conv + bn)",
        ProfileKind.DepthwiseConv => "conv depthwise/dilated",
        ProfileKind.PointwiseConv => "conv 1x1",
        ProfileKind.BatchNorm => "batch norm",
        ProfileKind.Relu => "relu",
        ProfileKind.Pool => "pool",
        ProfileKind.WeightedSum => "weighted sums (+ closing BNs)",
        ProfileKind.ChannelOps => "cat/narrow/shuffle",
        ProfileKind.Classifier => "classifier",
        _ => kind.ToString(),
    };

    /// <summary>The op profiler's step: self time per libtorch op (forward ops and backward nodes), the largest first.</summary>
    public static void PrintOps(ForwardMode mode, double stepSeconds, IReadOnlyList<Nas.Torch.OpTime> ops, int top = 25)
    {
        var recorded = ops.Sum(o => o.SelfSeconds);
        Console.WriteLine();
        Console.WriteLine($"libtorch ops, {mode} forward, one extra step under libtorch's profiler: {stepSeconds:0.000} s (the profiler adds its own cost), " +
            $"{recorded:0.000} s inside ops");
        Console.WriteLine($"  {"op (self time)",-44} {"seconds",8} {"share",7} {"calls",7}");
        foreach (var o in ops.Take(top))
            Console.WriteLine($"  {Trim(o.Name),-44} {o.SelfSeconds,8:0.0000} {100 * o.SelfSeconds / stepSeconds,6:0.0}% {o.Calls,7}");
        var rest = ops.Skip(top).ToList();
        if (rest.Count > 0) Console.WriteLine($"  {$"({rest.Count} more ops)",-44} {rest.Sum(o => o.SelfSeconds),8:0.0000} {100 * rest.Sum(o => o.SelfSeconds) / stepSeconds,6:0.0}%");
        var outside = stepSeconds - recorded;
        Console.WriteLine($"  {"outside libtorch ops (C#, ECS, binding, shim)",-44} {outside,8:0.0000} {100 * outside / stepSeconds,6:0.0}%");
    }

    private static string Trim(string name)
    {
        // The shim's own autograd functions show as CppNode<(anonymous namespace)::Name>: their backward passes.
        const string node = "torch::autograd::CppNode<(anonymous namespace)::";
        if (name.StartsWith(node, StringComparison.Ordinal)) name = $"native {name[node.Length..].TrimEnd('>')} backward";
        return name.Length <= 44 ? name : name[..41] + "...";
    }
}
