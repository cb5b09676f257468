// A seeded random sequence of structural changes checked against a plain reference model after every step.
namespace Nas.World.Tests;

public sealed class WorldModelTests
{
    [Fact]
    public void QueriesAgreeWithAReferenceModelUnderRandomChurn()
    {
        // Reference: a sorted dictionary from sequence number to the entity's (charge?, frozen) state.
        var world = new World();
        var rng = new Rng(2024);
        var model = new SortedDictionary<long, (Entity E, int? Charge, bool Frozen)>();
        var q = world.Query<Charge>().Without<Frozen>();

        for (var step = 0; step < 3000; step++)
        {
            var keys = model.Keys.ToArray();
            var pick = keys.Length > 0 ? keys[rng.NextInt(keys.Length)] : -1;
            switch (rng.NextInt(6))
            {
                case 0 or 1:
                    var e = world.Create();
                    model[world.SequenceOf(e)] = (e, null, false);
                    break;
                case 2 when pick >= 0:
                    world.Destroy(model[pick].E);
                    model.Remove(pick);
                    break;
                case 3 when pick >= 0:
                    var (ce, charge, fz) = model[pick];
                    if (charge is null) world.Add(ce, new Charge(step)); else world.Remove<Charge>(ce);
                    model[pick] = (ce, charge is null ? step : null, fz);
                    break;
                case 4 when pick >= 0:
                    var (fe, fc, frozen) = model[pick];
                    if (frozen) world.Remove<Frozen>(fe); else world.Add(fe, new Frozen());
                    model[pick] = (fe, fc, !frozen);
                    break;
                case 5 when pick >= 0 && model[pick].Charge is not null:
                    world.Get<Charge>(model[pick].E).Value = -step;
                    model[pick] = model[pick] with { Charge = -step };
                    break;
            }
            if (step % 50 != 0) continue;
            var expected = model.Values.Where(v => v.Charge is not null && !v.Frozen).Select(v => (v.E, v.Charge!.Value)).ToList();
            var actual = new List<(Entity, int)>();
            q.ForEachReadOnly((Entity en, in Charge c) => actual.Add((en, c.Value)));
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void AQueryBuiltBeforeAnyEntityHasItsTypesSeesLaterEntities()
    {
        var world = new World();
        var q = world.Query<Position, Velocity>();
        Assert.Equal(0, q.Count());
        world.Create(new Position(1, 1), new Velocity(1, 1));
        Assert.Equal(1, q.Count());
    }
}
