// A network's forward pass as data (issue 13): steps over numbered values, built once from the stacked, broad or an evaluation (stacked or BCNN) layout (the one-shot steps: OneShotSteps.cs).
using Nas.Systems.Spaces.Broad;
using Nas.Systems.Spaces.Darts;
using Nas.Systems.Spaces.Eval;
using Nas.Torch;

namespace Nas.Systems.Spaces.Forward;

/// <summary>One step: it computes value <see cref="Id"/> (its index in the program) from values of earlier steps.</summary>
public abstract partial record ProgramStep(int Id)
{
    /// <summary>3×3 conv (pad 1) and affine BN on the image.</summary>
    public sealed record Stem(int Id, Tensor Conv, BatchNormTensors Bn) : ProgramStep(Id);

    /// <summary>A search cell (§1.3) of mixed edges, weighted by the normal cell type's mix or the reduce one's.</summary>
    public sealed record MixedCell(int Id, int Input0, int Input1, CellPlan Cell, bool Normal, int Nodes) : ProgramStep(Id);

    /// <summary>A genotype's cell (§1.7): two chosen ops per node, drop-path in training.</summary>
    public sealed record GenotypeCell(int Id, int Input0, int Input1, EvalCell Cell) : ProgramStep(Id);

    /// <summary>The broad network's taps: ReLU → 1×1 conv → BN, or with <see cref="Reduce"/> a FactorizedReduce halving an earlier tap.</summary>
    public sealed record Tap(int Id, int Input, OpTensors Tensors, bool Reduce) : ProgramStep(Id);

    /// <summary>The auxiliary head on a cell output, in training only: its value is the second output, read by no later step.</summary>
    public sealed record Auxiliary(int Id, int Input, AuxiliaryHead Head) : ProgramStep(Id);

    /// <summary>Channel concat of the inputs, global average pool, Linear: the program's output.</summary>
    public sealed record Classifier(int Id, int[] Inputs, Tensor Weight, Tensor Bias) : ProgramStep(Id);
}

/// <summary>The steps in forward order (the last is the classifier) and PC-DARTS's K for the mixed cells (1: no partial channels).</summary>
public sealed record ForwardProgram(IReadOnlyList<ProgramStep> Steps, int PartialChannels)
{
    /// <summary>The search supernet's program: the broad wiring when <paramref name="broad"/> is given, else the stacked macro (§1.5).</summary>
    public static ForwardProgram Of(SupernetPlan net, BroadPlan? broad) => broad is null ? Stacked(net) : Broad(net, broad);

    public static ForwardProgram Stacked(SupernetPlan net)
    {
        var steps = new List<ProgramStep> { new ProgramStep.Stem(0, net.StemConv, net.StemBn) };
        int s0 = 0, s1 = 0;
        foreach (var cell in net.Cells)
        {
            var id = steps.Count;
            steps.Add(new ProgramStep.MixedCell(id, s0, s1, cell, Normal: !cell.Layout.Reduction, Nodes(cell)));
            (s0, s1) = (s1, id);
        }
        steps.Add(new ProgramStep.Classifier(steps.Count, [s1], net.ClassifierWeight, net.ClassifierBias));
        return new ForwardProgram(steps, net.PartialChannels);
    }

    /// <summary>The BCNN's program (§4.2): the layout's steps with their tensors; convolution cells mix alpha_normal, enhancement cells alpha_reduce.</summary>
    public static ForwardProgram Broad(SupernetPlan shared, BroadPlan broad)
    {
        var steps = broad.Steps.Select(step => step switch
        {
            StemStep => new ProgramStep.Stem(step.Id, shared.StemConv, shared.StemBn),
            CellStep c => new ProgramStep.MixedCell(c.Id, c.Input0, c.Input1, broad.Cells[c.Id], c.UsesNormalGenotype, Nodes(broad.Cells[c.Id])),
            TapStep t => new ProgramStep.Tap(t.Id, t.Input, broad.Taps[t.Id], Reduce: false),
            TapReduceStep r => new ProgramStep.Tap(r.Id, r.Input, broad.Taps[r.Id], Reduce: true),
            ClassifierStep k => (ProgramStep)new ProgramStep.Classifier(k.Id, k.Inputs.ToArray(), shared.ClassifierWeight, shared.ClassifierBias),
            _ => throw new InvalidOperationException($"unknown broad step {step.GetType().Name}"),
        }).ToList();
        return new ForwardProgram(steps, shared.PartialChannels);
    }

    /// <summary>The evaluation network's program (§1.7): stem, genotype cells, the auxiliary head after cell ⌊2L/3⌋ when it has one, classifier.</summary>
    public static ForwardProgram Eval(EvalNetwork net)
    {
        var steps = new List<ProgramStep> { new ProgramStep.Stem(0, net.StemConv, net.StemBn) };
        int s0 = 0, s1 = 0;
        for (var i = 0; i < net.Cells.Count; i++)
        {
            var id = steps.Count;
            steps.Add(new ProgramStep.GenotypeCell(id, s0, s1, net.Cells[i]));
            (s0, s1) = (s1, id);
            if (i == net.AuxiliaryCell && net.Auxiliary is { } head) steps.Add(new ProgramStep.Auxiliary(steps.Count, s1, head));
        }
        steps.Add(new ProgramStep.Classifier(steps.Count, [s1], net.ClassifierWeight, net.ClassifierBias));
        return new ForwardProgram(steps, PartialChannels: 1);
    }

    /// <summary>The BCNN evaluation network's program (§4.3): the layout's steps with genotype cells (deep cells the normal list, enhancement cells the reduce list), taps, classifier.</summary>
    public static ForwardProgram BroadEval(BroadEvalNetwork net)
    {
        var steps = net.Steps.Select(step => step switch
        {
            StemStep => new ProgramStep.Stem(step.Id, net.StemConv, net.StemBn),
            CellStep c => new ProgramStep.GenotypeCell(c.Id, c.Input0, c.Input1, net.Cells[c.Id]),
            TapStep t => new ProgramStep.Tap(t.Id, t.Input, net.Taps[t.Id], Reduce: false),
            TapReduceStep r => new ProgramStep.Tap(r.Id, r.Input, net.Taps[r.Id], Reduce: true),
            ClassifierStep k => (ProgramStep)new ProgramStep.Classifier(k.Id, k.Inputs.ToArray(), net.ClassifierWeight, net.ClassifierBias),
            _ => throw new InvalidOperationException($"unknown broad step {step.GetType().Name}"),
        }).ToList();
        return new ForwardProgram(steps, PartialChannels: 1);
    }

    private static int Nodes(CellPlan cell) => cell.Edges.Max(e => e.Node) + 1;
}
