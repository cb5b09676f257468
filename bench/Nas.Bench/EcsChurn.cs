// Benchmark: entity create/destroy churn (operations per second), with two components per entity.
namespace Nas.Bench;

// Inside namespace Nas.*, `World` alone names the namespace Nas.World; import the types at this level instead.
using Nas.World;

public static class EcsChurn
{
    public record struct Position(float X, float Y);
    public record struct Velocity(float X, float Y);

    /// <summary>Args: [batch = 100000] [rounds = 20]. Each round creates a batch and destroys it in a seeded random order.</summary>
    public static int Run(string[] args)
    {
        var batch = args.Length > 0 ? int.Parse(args[0]) : 100_000;
        var rounds = args.Length > 1 ? int.Parse(args[1]) : 20;
        using var world = new World();
        var rng = new Rng(1);
        var live = new Entity[batch];
        for (var i = 0; i < batch / 2; i++) world.Create(new Position(i, 0));   // survivors that must stay in order

        Console.WriteLine($"ECS churn: {rounds} rounds of create {batch:N0} (Position + Velocity) then destroy them in random order");
        Console.WriteLine($"{"phase (ops/s)",-36} {"wall median",14} {"wall best",14} {"cpu median",14} {"cpu best",14}");
        var create = new List<(double Wall, double Cpu)>();
        var destroy = new List<(double Wall, double Cpu)>();
        var pairs = new List<(double Wall, double Cpu)>();
        for (var r = 0; r < rounds; r++)
        {
            create.Add(EcsClock.Time(() => { for (var i = 0; i < batch; i++) live[i] = world.Create(new Position(i, 0), new Velocity(1, 1)); }));
            rng.Shuffle<Entity>(live);
            destroy.Add(EcsClock.Time(() => { for (var i = 0; i < batch; i++) world.Destroy(live[i]); }));
            pairs.Add(EcsClock.Time(() => { for (var i = 0; i < batch; i++) world.Destroy(world.Create(new Position(i, 0), new Velocity(1, 1))); }));
        }
        Print("create (with 2 components)", create, batch);
        Print("destroy (random order)", destroy, batch);
        Print("create+destroy pairs (2 ops each)", pairs, 2 * batch);
        Console.WriteLine($"live entities after churn: {world.Count:N0} (expected {batch / 2:N0})");
        return 0;
    }

    private static void Print(string name, List<(double Wall, double Cpu)> times, int ops)
    {
        var kept = times.Skip(1).ToArray();   // round 0 includes JIT and first growth
        var wall = kept.Select(t => ops / t.Wall * 1e9).ToArray();
        var cpu = kept.Select(t => ops / t.Cpu * 1e9).ToArray();
        Console.WriteLine($"{name,-36} {EcsClock.Median(wall),14:N0} {wall.Max(),14:N0} {EcsClock.Median(cpu),14:N0} {cpu.Max(),14:N0}");
    }
}
