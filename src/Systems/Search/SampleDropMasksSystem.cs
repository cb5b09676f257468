// Sample: draws this step's DropNAS masks (§5.3) per cell type from the run's "drop" random stream, and tags the dropped op entities.
using Nas.Components;
using Nas.Systems.Spaces.Darts;
using Nas.Systems.Techniques;
using Nas.World;

namespace Nas.Systems.Search;

public sealed class SampleDropMasksSystem : ISystem
{
    public string Name => "sample-drop-masks";
    public Access Access { get; } = new Access().Read<DropNasSettings>().Read<ArchOptimizerSettings>().Read<SearchClock>().Read<SupernetRuntime>()
        .Read<CandidateOp>().Read<Edge>().Read<Cell>().Read<CellArchitecture>()
        .Write<RngStreams>().Write<DropMasks>().Write<Dropped>();

    public void Run(World.World world, in SystemContext ctx)
    {
        var rates = world.ReadResource<DropNasSettings>();
        var clock = world.ReadResource<SearchClock>();
        var net = world.ReadResource<SupernetRuntime>();
        var edges = Genotypes.Derivation.EdgeCount(net.Plan.Layout.Nodes);
        DropMasks masks;
        if (clock.Epoch < world.ReadResource<ArchOptimizerSettings>().WarmupEpochs)
        {
            // The reference's drop rate is 0 during warm-up: every op kept.
            masks = new DropMasks(DropMaskSampler.KeepAll(edges, net.Ops.Count), DropMaskSampler.KeepAll(edges, net.Ops.Count));
        }
        else
        {
            var groups = DropGroups.For(net.Ops, rates.RateParameterised, rates.RateParameterFree);
            var rng = world.Rng(RandomStreams.Drop);
            var normal = DropMaskSampler.Sample(groups, edges, rng); // normal first, then reduce, as the reference's alpha lists
            var reduce = DropMaskSampler.Sample(groups, edges, rng);
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
