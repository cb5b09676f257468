// The registry of named benchmarks; each prints its own table.
namespace Nas.Bench;

public static class Benchmarks
{
    private static readonly Dictionary<string, (string What, Func<string[], int> Run)> All = new(StringComparer.Ordinal)
    {
        ["native-call"] = (NativeCallBench.What, NativeCallBench.Run),
        ["ecs-query"] = ("ECS query iteration over N entities with 2 components (ns/entity)", EcsQuery.Run),
        ["ecs-churn"] = ("ECS entity create/destroy churn (ops/s)", EcsChurn.Run),
        ["snapshot-io"] = ("snapshot write/read throughput of ~100 MB of bins vs a plain fsync'd write", SnapshotIo.Run),
        ["snapshot-world"] = (SnapshotWorld.What, SnapshotWorld.Run),
        ["scrape"] = (ScrapeLatency.What, ScrapeLatency.Run),
    };

    public static int Run(string[] args)
    {
        if (args.Length == 0 || !All.TryGetValue(args[0], out var bench))
        {
            Console.Error.WriteLine(args.Length == 0 ? "usage: Nas.Bench NAME [args]" : $"unknown benchmark '{args[0]}'");
            foreach (var (name, (what, _)) in All.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                Console.Error.WriteLine($"  {name,-16} {what}");
            return 2;
        }
        return bench.Run(args[1..]);
    }
}
