// Queries over one to four types with With/Without filters, their callbacks, and their creation-order iteration.
namespace Nas.World.Tests;

public sealed class QueryTests
{
    private static List<int> Charges(Query<Charge> q)
    {
        var seen = new List<int>();
        q.ForEachReadOnly((Entity _, in Charge c) => seen.Add(c.Value));
        return seen;
    }

    [Fact]
    public void AOneTypeQueryVisitsExactlyTheEntitiesWithThatType()
    {
        var world = new World();
        world.Create(new Charge(1));
        world.Create(new Mass(9));
        world.Create(new Charge(2), new Mass(9));

        Assert.Equal([1, 2], Charges(world.Query<Charge>()));
    }

    [Fact]
    public void WithoutExcludesEntitiesThatHaveTheType()
    {
        var world = new World();
        world.Create(new Charge(1));
        world.Create(new Charge(2), new Frozen());
        world.Create(new Charge(3), new Dropped());

        Assert.Equal([1], Charges(world.Query<Charge>().Without<Frozen>().Without<Dropped>()));
    }

    [Fact]
    public void WithRequiresATypeWithoutPassingIt()
    {
        var world = new World();
        world.Create(new Charge(1));
        world.Create(new Charge(2), new Frozen());

        Assert.Equal([2], Charges(world.Query<Charge>().With<Frozen>()));
    }

    [Fact]
    public void ATwoTypeQueryPassesMatchingComponentsAndSkipsExcludedOnes()
    {
        var world = new World();
        world.Create(new Position(1, 0), new Velocity(10, 0));
        world.Create(new Position(2, 0));
        world.Create(new Position(3, 0), new Velocity(30, 0), new Frozen());
        world.Create(new Velocity(40, 0));
        var q = world.Query<Position, Velocity>().Without<Frozen>();

        var seen = new List<(float, float)>();
        q.ForEach((Entity _, ref Position p, ref Velocity v) => seen.Add((p.X, v.X)));
        Assert.Equal([(1f, 10f)], seen);
    }

    [Fact]
    public void AThreeTypeQueryMatchesOnlyEntitiesWithAllThree()
    {
        var world = new World();
        world.Create(new Position(1, 0), new Velocity(1, 0), new Mass(1));
        world.Create(new Position(2, 0), new Velocity(2, 0));
        var e = world.Create(new Position(3, 0), new Velocity(3, 0), new Mass(3));
        world.Add(e, new Dropped());
        world.Create(new Position(4, 0), new Velocity(4, 0), new Mass(4));

        var seen = new List<float>();
        world.Query<Position, Velocity, Mass>().Without<Dropped>()
            .ForEachReadOnly((Entity _, in Position p, in Velocity v, in Mass m) => seen.Add(p.X + v.X + m.Value));
        Assert.Equal([3f, 12f], seen);
    }

    [Fact]
    public void AFourTypeQueryMatchesOnlyEntitiesWithAllFour()
    {
        var world = new World();
        for (var i = 0; i < 6; i++)
        {
            var e = world.Create(new Position(i, 0), new Velocity(0, 0), new Mass(1));
            if (i % 2 == 0) world.Add(e, new Charge(i));
            if (i == 4) world.Add(e, new Frozen());
        }

        var seen = new List<int>();
        world.Query<Position, Velocity, Mass, Charge>().Without<Frozen>()
            .ForEach((Entity _, ref Position _, ref Velocity _, ref Mass _, ref Charge c) => seen.Add(c.Value));
        Assert.Equal([0, 2], seen);
    }

    [Fact]
    public void WritesThroughQueryRefsAreStored()
    {
        var world = new World();
        var e = world.Create(new Position(1, 1), new Velocity(2, 3));
        world.Query<Position, Velocity>().ForEach((Entity _, ref Position p, ref Velocity v) => { p.X += v.X; p.Y += v.Y; });

        Assert.Equal(new Position(3, 4), world.Read<Position>(e));
    }

    private struct SumMass : IForEach<Mass>
    {
        public float Total;
        public void Invoke(Entity entity, ref Mass c1) => Total += c1.Value;
    }

    [Fact]
    public void AStructCallbackSeesEveryMatchAndKeepsItsState()
    {
        var world = new World();
        for (var i = 1; i <= 4; i++) world.Create(new Mass(i));
        var sum = new SumMass();
        world.Query<Mass>().ForEach(ref sum);

        Assert.Equal(10f, sum.Total);
    }

    [Fact]
    public void IterationOrderIsCreationOrderAndSurvivesDestroyAndRecycle()
    {
        var world = new World();
        var es = Enumerable.Range(0, 8).Select(i => world.Create(new Charge(i))).ToList();
        world.Destroy(es[1]);
        world.Destroy(es[5]);
        world.Create(new Charge(100));   // reuses slot 5 (last freed)
        world.Create(new Charge(101));   // reuses slot 1

        Assert.Equal([0, 2, 3, 4, 6, 7, 100, 101], Charges(world.Query<Charge>()));
    }

    [Fact]
    public void AddingAComponentToAnOlderEntityKeepsCreationOrder()
    {
        var world = new World();
        var a = world.Create();
        var b = world.Create();
        var c = world.Create();
        world.Add(c, new Charge(3));
        world.Add(a, new Charge(1));
        world.Add(b, new Charge(2));

        Assert.Equal([1, 2, 3], Charges(world.Query<Charge>()));
        Assert.Equal([a, b, c], world.Query<Charge>().ToList());
    }

    [Fact]
    public void AStructuralChangeDuringIterationThrowsAndTheGuardIsReleasedAfterwards()
    {
        var world = new World();
        world.Create(new Charge(1));
        var q = world.Query<Charge>();

        var ex = Assert.Throws<InvalidOperationException>(() => q.ForEach((Entity e, ref Charge _) => world.Add(e, new Mass(1))));
        Assert.Contains("CommandBuffer", ex.Message);
        Assert.Throws<InvalidOperationException>(() => { foreach (var e in q) world.Destroy(e); });
        world.Create(new Charge(2));   // allowed again once iteration ended
        Assert.Equal(2, q.Count());
    }

    [Fact]
    public void EnumeratingEntitiesFollowsTheFilters()
    {
        var world = new World();
        var a = world.Create(new Charge(1));
        world.Create(new Charge(2), new Frozen());
        var c = world.Create(new Charge(3));

        var seen = new List<Entity>();
        foreach (var e in world.Query<Charge>().Without<Frozen>()) seen.Add(e);
        Assert.Equal([a, c], seen);
    }
}
