// Benchmark: query iteration over N entities with two components (ns per entity), in each iteration form.
namespace Nas.Bench;

// Inside namespace Nas.*, `World` alone names the namespace Nas.World; import the types at this level instead.
using Nas.World;

public static class EcsQuery
{
    public record struct Position(float X, float Y);
    public record struct Velocity(float X, float Y);

    private struct Integrate : IForEach<Position, Velocity>
    {
        public void Invoke(Entity entity, ref Position p, ref Velocity v) { p.X += v.X; p.Y += v.Y; }
    }

    /// <summary>Args: [entities = 1000000] [repetitions = 15]. Prints the median and minimum ns per entity.</summary>
    public static int Run(string[] args)
    {
        var n = args.Length > 0 ? int.Parse(args[0]) : 1_000_000;
        var reps = args.Length > 1 ? int.Parse(args[1]) : 15;
        using var world = new World();
        for (var i = 0; i < n; i++) world.Create(new Position(i, 0), new Velocity(1, 2));
        var q = world.Query<Position, Velocity>();

        Console.WriteLine($"ECS query over {n:N0} entities with (Position, Velocity); {reps} repetitions; ns/entity");
        Console.WriteLine($"{"form",-40} {"wall med",9} {"wall min",9} {"cpu med",9} {"cpu min",9}");
        Report("ForEach(ref struct callback)", n, reps, () => { var f = new Integrate(); q.ForEach(ref f); });
        Report("ForEach(delegate with ref params)", n, reps,
            () => q.ForEach((Entity _, ref Position p, ref Velocity v) => { p.X += v.X; p.Y += v.Y; }));
        Report("foreach entity + world.Get<T> x2", n, reps, () =>
        {
            foreach (var e in q)
            {
                ref var p = ref world.Get<Position>(e);
                var v = world.Read<Velocity>(e);
                p.X += v.X; p.Y += v.Y;
            }
        });
        var ps = new Position[n];
        var vs = new Velocity[n];
        Report("baseline: two plain arrays, no ECS", n, reps, () =>
        {
            for (var i = 0; i < ps.Length; i++) { ps[i].X += vs[i].X; ps[i].Y += vs[i].Y; }
        });

        // Fragmented: destroy every other entity, recreate as many; survivors and newcomers interleave in slots
        // but iterate in sequence order.
        var all = world.Query<Position>().ToList();
        for (var i = 0; i < all.Count; i += 2) world.Destroy(all[i]);
        for (var i = 0; i < all.Count; i += 2) world.Create(new Position(i, 0), new Velocity(1, 2));
        Report("ForEach(ref struct) after 50 % recycle", n, reps, () => { var f = new Integrate(); q.ForEach(ref f); });
        return 0;
    }

    private static void Report(string name, int n, int reps, Action body)
    {
        body(); // warm-up (JIT, first normalization)
        var times = Enumerable.Range(0, reps).Select(_ => EcsClock.Time(body)).ToArray();
        var wall = times.Select(t => t.Wall / n).ToArray();
        var cpu = times.Select(t => t.Cpu / n).ToArray();
        Console.WriteLine($"{name,-40} {EcsClock.Median(wall),9:F2} {wall.Min(),9:F2} {EcsClock.Median(cpu),9:F2} {cpu.Min(),9:F2}");
    }
}
