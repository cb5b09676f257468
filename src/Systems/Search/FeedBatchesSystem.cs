// Feed: draws this step's training batch (and architecture batch for bilevel methods) and records the streams' positions.
using Nas.Components;
using Nas.Systems.Data;
using Nas.World;

namespace Nas.Systems.Search;

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
