// The gradient components in the flat order the clip and the optimizers use: gathered from the entities, a backward's flat result written onto them, spent ones released.
using Nas.Components;
using Nas.Torch;
using Nas.World;

namespace Nas.Systems.Search;

/// <summary>
/// Reads and writes <see cref="WeightGrads"/>, <see cref="AlphaGrad"/> and <see cref="BetaGrad"/> through queries, so
/// the calling system's Access is checked per type. The flat weight order is the owners of <see cref="WeightGrads"/> in
/// creation order, each owner's in its component's order: the order of <c>SupernetRuntime.Weights</c> and of
/// <c>SupernetTensors.Trainable</c>. The flat architecture order is per architecture entity in creation order its alpha,
/// then its beta when it has one: the order of <c>SupernetRuntime.Arch</c>. A gathered array holds the components' own
/// tensors, so changing them in place (clip, all-reduce, confident loss) changes the components; a system that does so
/// gathers with <c>write: true</c> and declares the write.
/// </summary>
public static class GradientComponents
{
    /// <summary>Every weight gradient in the flat order; <paramref name="write"/>: the caller changes them in place.</summary>
    public static Tensor?[] Weights(World.World world, bool write = false)
    {
        var flat = new List<Tensor?>();
        var q = world.Query<WeightGrads>();
        if (write) q.ForEach((Entity _, ref WeightGrads g) => flat.AddRange(g.Values));
        else q.ForEachReadOnly((Entity _, in WeightGrads g) => flat.AddRange(g.Values));
        return [.. flat];
    }

    /// <summary>Writes <paramref name="grads"/>[start, start + count) onto the weight gradient components, in the flat order.</summary>
    public static void SetWeights(World.World world, Tensor?[] grads, int start, int count)
    {
        var at = start;
        var end = start + count;
        world.Query<WeightGrads>().ForEach((Entity _, ref WeightGrads g) =>
        {
            if (at + g.Values.Length <= end) Array.Copy(grads, at, g.Values, 0, g.Values.Length);
            at += g.Values.Length;
        });
        if (at != end)
            throw new InvalidOperationException($"the backward computed {count} weight gradients but the WeightGrads components hold {at - start}: " +
                "the gradient components no longer match the network's trainable tensors");
    }

    /// <summary>Disposes the spent weight gradients now (not when the pass's scope is renewed: peak memory) and clears them.</summary>
    public static void ReleaseWeights(World.World world) =>
        world.Query<WeightGrads>().ForEach((Entity _, ref WeightGrads g) =>
        {
            for (var i = 0; i < g.Values.Length; i++)
            {
                g.Values[i]?.Dispose();
                g.Values[i] = null;
            }
        });

    /// <summary>Every architecture gradient in the flat order (alpha, then beta, per architecture); <paramref name="write"/> as for <see cref="Weights"/>.</summary>
    public static Tensor?[] Arch(World.World world, bool write = false)
    {
        var flat = new List<Tensor?>(4);
        foreach (var e in world.Query<AlphaGrad>())
        {
            flat.Add(write ? world.Get<AlphaGrad>(e).Value : world.Read<AlphaGrad>(e).Value);
            if (world.Has<BetaGrad>(e)) flat.Add(write ? world.Get<BetaGrad>(e).Value : world.Read<BetaGrad>(e).Value);
        }
        return [.. flat];
    }

    /// <summary>Writes <paramref name="grads"/>[start, start + count) onto the architecture gradient components, in the flat order.</summary>
    public static void SetArch(World.World world, Tensor?[] grads, int start, int count)
    {
        var at = start;
        var end = start + count;
        foreach (var e in world.Query<AlphaGrad>())
        {
            if (at < end) world.Get<AlphaGrad>(e) = new AlphaGrad(grads[at]);
            at++;
            if (!world.Has<BetaGrad>(e)) continue;
            if (at < end) world.Get<BetaGrad>(e) = new BetaGrad(grads[at]);
            at++;
        }
        if (at != end)
            throw new InvalidOperationException($"the backward computed {count} architecture gradients but the AlphaGrad/BetaGrad components hold {at - start}: " +
                "the gradient components no longer match the architecture tensors");
    }

    /// <summary>Disposes the spent architecture gradients now and clears them.</summary>
    public static void ReleaseArch(World.World world)
    {
        foreach (var e in world.Query<AlphaGrad>())
        {
            ref var alpha = ref world.Get<AlphaGrad>(e);
            alpha.Value?.Dispose();
            alpha = default;
            if (!world.Has<BetaGrad>(e)) continue;
            ref var beta = ref world.Get<BetaGrad>(e);
            beta.Value?.Dispose();
            beta = default;
        }
    }
}
