// Spawns a one-shot supernet from its layout: a network entity with the fixed tensors and one entity per candidate op, weights in the store.
using Nas.Components;
using Nas.Systems.Spaces.Darts;
using Nas.Torch;
using Nas.World;

namespace Nas.Systems.OneShot.Supernet;

/// <summary>What to build and which parameters train.</summary>
public sealed record SupernetSpec(OneShotNetwork Network, bool BnOnly, BnScope Scope);

public static class SupernetSpawn
{
    /// <summary>
    /// Creates the network entity, then walks <see cref="SupernetLayout.Of"/>: each op entity where it first appears,
    /// each layer's tensors drawn from <paramref name="g"/> in that order. Then BN-only training (§2.3) freezes what
    /// does not train (frozen tensors get no gradient at all, so backward skips their weight products) and tags owners
    /// with nothing to train <see cref="Frozen"/>. Sets the <see cref="SupernetTensors"/> cache and the owners' <see cref="WeightGrads"/>.
    /// </summary>
    public static OneShotSupernet Spawn(World.World world, SupernetSpec spec, Generator g)
    {
        // The layout declares each tensor's role: spawning writes the weights and the BN running statistics.
        world.Tensors.Use<Weights>(write: true);
        world.Tensors.Use<RunningStats>(write: true);
        var network = world.Create(spec.Network);
        var ops = new Dictionary<ChoiceOp, Entity>();
        var trains = new Dictionary<Entity, bool>();
        foreach (var (op, layer) in SupernetLayout.Of(spec.Network))
        {
            var owner = network;
            if (op is { } key && !ops.TryGetValue(key, out owner)) ops[key] = owner = world.Create(key);
            if (layer is null) continue;
            foreach (var (name, role, tensor) in Create(layer, g))
            {
                world.Tensors.Add(owner, name, tensor);
                if (SupernetLayout.IsRunningStatistic(role)) continue;
                bool t = SupernetLayout.Trains(role, layer, op is not null, spec.BnOnly, spec.Scope);
                tensor.SetRequiresGrad(t);
                trains[owner] = trains.GetValueOrDefault(owner) || t;
            }
        }
        foreach (var (owner, any) in trains)
            if (!any) world.Add(owner, new Frozen());
        var tensors = SupernetLayout.Index(world);
        world.SetResource(tensors);
        SupernetLayout.AttachGradients(world, tensors);
        return new OneShotSupernet(world);
    }

    /// <summary>A layer's tensors in <see cref="LayerDecl.Tensors"/> order, drawn from <paramref name="g"/> where random.</summary>
    private static IEnumerable<(string Name, TensorRole Role, Tensor Tensor)> Create(LayerDecl layer, Generator g)
    {
        switch (layer)
        {
            case ConvDecl c:
                yield return (c.Name, TensorRole.ConvWeight, HeConv(c.Out, c.InPerGroup, c.Kernel, g));
                break;
            case LinearDecl l:
                yield return (l.Weight, TensorRole.LinearWeight, ParamInit.Uniform([l.Out, l.In], l.In, g));
                yield return (l.Bias, TensorRole.LinearBias, ParamInit.Uniform([l.Out], l.In, g));
                break;
            case BnDecl b:
                var t = ParamInit.BatchNorm(b.Channels, affine: b.Affine);
                yield return (b.Key(TensorRole.BnMean), TensorRole.BnMean, t.RunningMean);
                yield return (b.Key(TensorRole.BnVar), TensorRole.BnVar, t.RunningVar);
                if (!b.Affine) break; // SPOS's supernet BN (§1.2): statistics only
                yield return (b.Key(TensorRole.BnWeight), TensorRole.BnWeight, t.Weight!);
                yield return (b.Key(TensorRole.BnBias), TensorRole.BnBias, t.Bias!);
                break;
            default:
                throw new ArgumentException($"unknown layer {layer}");
        }
    }

    /// <summary>He fan-out normal, std = √(2 / (k·k·C_out)) (BN-NAS's init, §2.3); the depthwise fan-out is its channel count.</summary>
    public static Tensor HeConv(long cout, long cinPerGroup, int k, Generator g)
    {
        using var r = Tensor.Randn([cout, cinPerGroup, k, k], g);
        return r.Mul(Math.Sqrt(2.0 / (k * k * cout)));
    }
}
