// The BCNN search network's forward pass (§4.2): the layout's program run step by step, cells through the DARTS cell forward.
using Nas.Components;
using Nas.Systems.Spaces.Darts;
using Nas.Torch;

namespace Nas.Systems.Spaces.Broad;

public static class BroadForward
{
    /// <summary>
    /// Logits for a batch. Convolution cells mix with <paramref name="normal"/> (alpha_normal), enhancement cells with
    /// <paramref name="reduce"/> (alpha_reduce). Every temporary (and the result) is owned by <paramref name="scope"/>.
    /// <paramref name="mode"/> picks the cells' path: <see cref="ForwardMode.Batched"/> runs the program channels-last
    /// through <see cref="BatchedForward"/> (the same values, faster), <see cref="ForwardMode.Reference"/> through
    /// <see cref="SupernetForward"/>.
    /// </summary>
    public static Tensor Logits(SupernetPlan shared, BroadPlan broad, Tensor x, CellWeights normal, CellWeights reduce, bool training, TensorScope scope,
        ForwardMode mode = ForwardMode.Reference, ForwardProfile? profile = null)
    {
        if (mode == ForwardMode.Batched) return Batched(shared, broad, x, normal, reduce, training, scope, profile);
        var normalScalars = SupernetForward.Scalars(normal.OpWeights, scope);
        var reduceScalars = SupernetForward.Scalars(reduce.OpWeights, scope);
        var normalEdge = normal.EdgeWeights is null ? null : SupernetForward.Vector(normal.EdgeWeights, scope);
        var reduceEdge = reduce.EdgeWeights is null ? null : SupernetForward.Vector(reduce.EdgeWeights, scope);
        var values = new Tensor[broad.Steps.Count];
        foreach (var step in broad.Steps)
        {
            values[step.Id] = step switch
            {
                StemStep => OpForward.Bn(scope.Own(x.Conv2d(shared.StemConv, null, 1, 1)), shared.StemBn, training, scope),
                CellStep c => c.UsesNormalGenotype
                    ? SupernetForward.Cell(broad.Cells[c.Id], values[c.Input0], values[c.Input1], normalScalars, normalEdge, normal.Kept, shared.PartialChannels, training, scope)
                    : SupernetForward.Cell(broad.Cells[c.Id], values[c.Input0], values[c.Input1], reduceScalars, reduceEdge, reduce.Kept, shared.PartialChannels, training, scope),
                TapStep t => OpForward.ReluConvBn(values[t.Input], broad.Taps[t.Id].Convs[0], broad.Taps[t.Id].Norms[0], training, scope),
                TapReduceStep r => OpForward.FactorizedReduce(values[r.Input], broad.Taps[r.Id].Convs[0], broad.Taps[r.Id].Convs[1], broad.Taps[r.Id].Norms[0], training, scope),
                ClassifierStep k => Classifier(shared, k.Inputs.Select(i => values[i]).ToArray(), scope),
                _ => throw new InvalidOperationException($"unknown step {step.GetType().Name}"),
            };
        }
        return values[^1];
    }

    /// <summary>The program on the batched path: channels-last from the stem on, cells and taps by <see cref="BatchedForward"/>.</summary>
    private static Tensor Batched(SupernetPlan shared, BroadPlan broad, Tensor x, CellWeights normal, CellWeights reduce, bool training,
        TensorScope scope, ForwardProfile? profile)
    {
        var start = ForwardProfile.Now(profile);
        var normalMix = BatchedForward.CellMix.Of(normal, scope);
        var reduceMix = BatchedForward.CellMix.Of(reduce, scope);
        var once = new BatchedForward.Shared(scope, profile);
        var values = new Tensor[broad.Steps.Count];
        foreach (var step in broad.Steps)
        {
            var t = ForwardProfile.Now(profile);
            values[step.Id] = step switch
            {
                StemStep => BatchedForward.Stem(shared, x, training, scope, profile),
                CellStep c => BatchedForward.Cell(broad.Cells[c.Id], values[c.Input0], values[c.Input1], c.UsesNormalGenotype ? normalMix : reduceMix,
                    shared.PartialChannels, once, training, scope, profile),
                TapStep tap => BatchedForward.ReluConvBn(values[tap.Input], once, broad.Taps[tap.Id].Convs[0], broad.Taps[tap.Id].Norms[0], training,
                    scope, profile),
                TapReduceStep r => BatchedForward.FactorizedReduce(once.Relu(values[r.Input]), broad.Taps[r.Id].Convs[0],
                    broad.Taps[r.Id].Convs[1], broad.Taps[r.Id].Norms[0], training, scope, profile),
                ClassifierStep k => Classifier(shared, k.Inputs.Select(i => values[i]).ToArray(), scope),
                _ => throw new InvalidOperationException($"unknown step {step.GetType().Name}"),
            };
            if (step is ClassifierStep) profile?.Add(ProfileKind.Classifier, t);
        }
        profile?.AddForward(start);
        return values[^1];
    }

    /// <summary>Concatenate the taps along channels, global average pool, Linear (no ReLU or dropout in v2, §4.2 step 4).</summary>
    private static Tensor Classifier(SupernetPlan shared, Tensor[] inputs, TensorScope scope)
    {
        var cat = scope.Own(Tensor.Cat(inputs, 1));
        var pooled = scope.Own(cat.AdaptiveAvgPool2d(1, 1));
        var flat = scope.Own(pooled.Flatten(1));
        return scope.Own(flat.Linear(shared.ClassifierWeight, shared.ClassifierBias));
    }
}
