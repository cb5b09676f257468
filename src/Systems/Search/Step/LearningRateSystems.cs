// The step's learning rates: the weight lr by its cosine schedule, the architecture lr, and BNAS-v2's confident-lr factor on it.
using Nas.Components;
using Nas.Systems.Techniques;
using Nas.World;

namespace Nas.Systems.Search;

/// <summary>Weight lr of this epoch: lr_min + ½(lr − lr_min)(1 + cos(π·e/E)) (§2.3 step 4).</summary>
public sealed class WeightLrSystem : ISystem
{
    public string Name => "weight-lr";
    public Access Access { get; } = new Access().Read<WeightOptimizerSettings>().Read<SearchClock>().Write<WeightLr>().Write<StepMetrics>();

    public void Run(World.World world, in SystemContext ctx)
    {
        var o = world.ReadResource<WeightOptimizerSettings>();
        var clock = world.ReadResource<SearchClock>();
        var lr = LearningRate.Cosine(o.Lr, o.LrMin, clock.Epoch, clock.Epochs);
        world.SetResource(new WeightLr(lr));
        ref var m = ref world.Resource<StepMetrics>();
        m = m with { Lr = lr };
    }
}

/// <summary>The architecture optimizer's base lr; the confident-lr system, when scheduled after it, scales it.</summary>
public sealed class ArchLrSystem : ISystem
{
    public string Name => "arch-lr";
    public Access Access { get; } = new Access().Read<ArchOptimizerSettings>().Write<ArchLr>().Write<StepMetrics>();

    public void Run(World.World world, in SystemContext ctx)
    {
        var lr = world.ReadResource<ArchOptimizerSettings>().Lr;
        world.SetResource(new ArchLr(lr));
        ref var m = ref world.Resource<StepMetrics>();
        m = m with { ArchLr = lr };
    }
}

/// <summary>BNAS-v2's confident learning rate (§4.4): the arch lr times c(e) = ((e+1)/E)^p, so alpha moves little while the weights are young.</summary>
public sealed class ConfidentLrSystem : ISystem
{
    public string Name => "confident-lr";
    public Access Access { get; } = new Access().Read<ConfidentLrSettings>().Read<SearchClock>().Write<ArchLr>().Write<StepMetrics>();

    public void Run(World.World world, in SystemContext ctx)
    {
        var clock = world.ReadResource<SearchClock>();
        var power = world.ReadResource<ConfidentLrSettings>().Power;
        ref var lr = ref world.Resource<ArchLr>();
        lr = new ArchLr(lr.Value * ConfidentLr.Confidence(clock.Epoch, clock.Epochs, power));
        ref var m = ref world.Resource<StepMetrics>();
        m = m with { ArchLr = lr.Value };
    }
}

/// <summary>
/// The authors' second-order CLR (§4.4 pitfall): c(e) = ((e+1)/E)^p on the architecture loss instead of the lr. The loss's scale
/// reaches Adam only through the gradient, so this scales the architecture gradients in place (the same by linearity, and one
/// place for the first-order, unrolled and one-level gradients); the coupled weight decay Adam adds stays unscaled, as in their code.
/// </summary>
public sealed class ConfidentLossSystem : ISystem
{
    public string Name => "confident-loss";
    public Access Access { get; } = new Access().Read<ConfidentLrSettings>().Read<SearchClock>().Write<AlphaGrad>().Write<BetaGrad>();

    public void Run(World.World world, in SystemContext ctx)
    {
        var clock = world.ReadResource<SearchClock>();
        var c = ConfidentLr.Confidence(clock.Epoch, clock.Epochs, world.ReadResource<ConfidentLrSettings>().Power);
        foreach (var g in GradientComponents.Arch(world, write: true)) g?.MulInPlace(c);
    }
}
