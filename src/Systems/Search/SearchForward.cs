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
        return Run(net, images, normal, reduce, training: true, scope, mode, profile);
    }

    /// <summary>
    /// The space's forward program (stacked or broad, built with the runtime) over the kernel set of <paramref name="mode"/>;
    /// with a <paramref name="profile"/> the set is timed per primitive and the whole forward is counted.
    /// </summary>
    public static Tensor Run(SupernetRuntime net, Tensor images, CellWeights normal, CellWeights reduce, bool training, TensorScope scope,
        ForwardMode mode = ForwardMode.Batched, ForwardProfile? profile = null)
    {
        var start = ForwardProfile.Now(profile);
        var kernels = Kernels.For(mode, scope, profile);
        var (logits, _) = ForwardInterpreter.Run(net.Program, images, kernels, new ForwardArgs(training, normal, reduce));
        profile?.AddForward(start);
        return logits;
    }

    /// <summary>The op and edge weights of both cell types from the stored alpha (and beta), with masks when given.</summary>
    public static (CellWeights Normal, CellWeights Reduce) CellWeightsOf(World.World world, SupernetRuntime net, DropMasks? masks, TensorScope scope)
    {
        var nodes = net.Plan.Layout.Nodes;
        var normal = ArchWeights.For(world.Tensors.Get(net.NormalArch, "alpha"), Beta(world, net.NormalArch), nodes, masks?.Normal, scope);
        var reduce = ArchWeights.For(world.Tensors.Get(net.ReduceArch, "alpha"), Beta(world, net.ReduceArch), nodes, masks?.Reduce, scope);
        return (normal, reduce);
    }

    private static Tensor? Beta(World.World world, World.Entity arch) => world.Tensors.TryGet(arch, "beta", out var b) ? b : null;
}


