// Feed: draws this step's training batch (and architecture batch for bilevel methods) and records the streams' positions.
using Nas.Systems.Data;
using Nas.World;

namespace Nas.Systems.Search;

/// <summary>The batch streams' positions after this step's draw: part of every snapshot, so a resumed run sees the same batches.</summary>
[Resource("nas.data.positions", 1)]
public sealed record StreamPositions([SnapshotKey("Train")] BatchStreamState Train, [SnapshotKey("Val")] BatchStreamState? Val);

public sealed class FeedBatchesSystem : ISystem
{
    public string Name => "feed-batches";
    public Access Access { get; } = new Access().Write<DataFeed>().Write<StepTensors>().Write<StreamPositions>();

    public void Run(World.World world, in SystemContext ctx)
    {
        var feed = world.Resource<DataFeed>();
        var step = world.Resource<StepTensors>();
        step.Renew();
        step.Train = feed.Train.Next(step.Scope);
        step.Val = feed.Val?.Next(step.Scope);
        world.SetResource(new StreamPositions(feed.Train.State, feed.Val?.State));
    }
}
