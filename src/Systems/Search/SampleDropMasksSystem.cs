// Sample: draws this step's DropNAS masks (§5.3) per cell type from the run's mask generator, and tags the dropped op entities.
using Nas.Components;
using Nas.Systems.Spaces.Darts;
using Nas.Systems.Techniques;
using Nas.World;
using Sampler = Nas.Systems.Techniques.DropMasks;

namespace Nas.Systems.Search;

/// <summary>The DropNAS mask generator's state (xoshiro256**): part of every snapshot, so a resumed run draws the same masks.</summary>
[Resource("nas.dropnas.rng", 1)]
public sealed record DropRngState(
    [SnapshotKey("S0")] ulong S0,
    [SnapshotKey("S1")] ulong S1,
    [SnapshotKey("S2")] ulong S2,
    [SnapshotKey("S3")] ulong S3)
{
    /// <summary>Stream 0x44524F50 ("DROP") of the run's seed, separate from the data and weight streams.</summary>
    public static DropRngState FromSeed(ulong seed) => From(Xoshiro256StarStar.FromSeed(seed, 0x44524F50));

    public static DropRngState From(Xoshiro256StarStar r) => new(r.S0, r.S1, r.S2, r.S3);

    public Xoshiro256StarStar Generator => new(S0, S1, S2, S3);
}

public sealed class SampleDropMasksSystem : ISystem
{
    public string Name => "sample-drop-masks";
    public Access Access { get; } = new Access().Read<DropNasSettings>().Read<ArchOptimizerSettings>().Read<SearchClock>().Read<SupernetRuntime>()
        .Read<CandidateOp>().Read<Edge>().Read<Cell>().Read<CellArchitecture>()
        .Write<DropRngState>().Write<DropMasks>().Write<Dropped>();

    public void Run(World.World world, in SystemContext ctx)
    {
        var rate = world.ReadResource<DropNasSettings>().Rate;
        var clock = world.ReadResource<SearchClock>();
        var net = world.ReadResource<SupernetRuntime>();
        var edges = Genotypes.Derivation.EdgeCount(net.Plan.Layout.Nodes);
        DropMasks masks;
        if (clock.Epoch < world.ReadResource<ArchOptimizerSettings>().WarmupEpochs)
        {
            // The reference's drop rate is 0 during warm-up: every op kept.
            masks = new DropMasks(Sampler.KeepAll(edges, net.Ops.Count), Sampler.KeepAll(edges, net.Ops.Count));
        }
        else
        {
            var groups = DropGroups.For(net.Ops, rate);
            var rng = world.Resource<DropRngState>().Generator;
            var normal = Sampler.Sample(groups, edges, ref rng); // normal first, then reduce, as the reference's alpha lists
            var reduce = Sampler.Sample(groups, edges, ref rng);
            world.SetResource(DropRngState.From(rng));
            masks = new DropMasks(normal, reduce);
        }
        world.SetResource(masks);
        Tag(world, masks);
    }

    /// <summary>Sets the <see cref="Dropped"/> tag on exactly the op entities the masks drop (all cells of a type share one mask set).</summary>
    public static void Tag(World.World world, DropMasks masks)
    {
        var add = new List<Entity>();
        var remove = new List<Entity>();
        foreach (var e in world.Query<CandidateOp>())
        {
            var op = world.Read<CandidateOp>(e);
            var edge = world.Read<Edge>(op.Edge);
            var kept = (StackedSpace.TypeOf(world, edge.Cell) == CellType.Normal ? masks.Normal : masks.Reduce)[edge.Row][op.Column];
            var tagged = world.Has<Dropped>(e);
            if (!kept && !tagged) add.Add(e);
            else if (kept && tagged) remove.Add(e);
        }
        foreach (var e in add) world.Add(e, new Dropped());
        foreach (var e in remove) world.Remove<Dropped>(e);
    }
}
