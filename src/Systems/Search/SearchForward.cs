// The forward a search step runs: architecture weights for both cell types, then the supernet (the one place the two meet).
using Nas.Components;
using Nas.Systems.Genotypes;
using Nas.Systems.Spaces.Darts;
using Nas.Systems.Spaces.Forward;
using Nas.Torch;

namespace Nas.Systems.Search;

public static class SearchForward
{
    /// <summary>Training-mode logits with this step's DropNAS masks (when the <see cref="DropMasks"/> resource is set); the unrolled gradient's forwards.</summary>
    public static Tensor Logits(World.World world, SupernetRuntime net, Tensor images, TensorScope scope)
    {
        var masks = world.TryResource<DropMasks>(out var d) ? d : null;
        var (normal, reduce) = CellWeightsOf(world, net, masks, scope);
        var mode = world.ReadResource<ForwardSettings>().Mode;
        // Profiling is a bench tool: absent (the normal case) it is not even looked up through the checked accessor.
        var profile = world.HasResource<ForwardProfile>() ? world.ReadResource<ForwardProfile>() : null;
        return Run(world, net, images, normal, reduce, training: true, scope, mode, profile);
    }

    /// <summary>
    /// The space's forward program (stacked or broad, built with the runtime) over the kernel set of <paramref name="mode"/>;
    /// with a <paramref name="profile"/> the set is timed per primitive and the whole forward is counted.
    /// </summary>
    public static Tensor Run(World.World world, SupernetRuntime net, Tensor images, CellWeights normal, CellWeights reduce, bool training, TensorScope scope,
        ForwardMode mode = ForwardMode.Batched, ForwardProfile? profile = null)
    {
        var start = ForwardProfile.Now(profile);
        var kernels = Kernels.For(mode, scope, profile);
        var (logits, _) = ForwardInterpreter.Run(net.Program(world, training), images, kernels, new ForwardArgs(training, normal, reduce));
        profile?.AddForward(start);
        return logits;
    }

    /// <summary>The op and edge weights of both cell types from the stored alpha (and beta), with masks when given.</summary>
    public static (CellWeights Normal, CellWeights Reduce) CellWeightsOf(World.World world, SupernetRuntime net, DropMasks? masks, TensorScope scope)
    {
        var nodes = net.Plan.Layout.Nodes;
        var normal = ArchWeights.For(net.Alpha(world, CellType.Normal), net.Beta(world, CellType.Normal), nodes, masks?.Normal, scope);
        var reduce = ArchWeights.For(net.Alpha(world, CellType.Reduce), net.Beta(world, CellType.Reduce), nodes, masks?.Reduce, scope);
        return (normal, reduce);
    }
}


