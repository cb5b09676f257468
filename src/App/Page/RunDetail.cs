// What the run page shows beyond /status: the architecture weights as the forward mixes them, one-shot search progress, run facts.
using Nas.Components;
using Nas.Systems.Genotypes;
using Nas.Systems.Methods;
using Nas.Systems.OneShot;
using Nas.Systems.OneShot.BsNas;
using Nas.Systems.OneShot.Search;
using Nas.Systems.Search;
using Nas.Systems.Spaces.Darts;
using Nas.Torch;

namespace Nas.App.Page;

/// <summary>One cell type's architecture: rows are edges (§1.3 order), columns ops. <see cref="Weights"/> is what the forward
/// mixes with: softmax(alpha), times the normalised beta of the edge under edge normalization, renormalised over the kept ops
/// under DropNAS (dropped ops get 0 and <see cref="Kept"/> false). <see cref="Beta"/> is softmax(beta) over each node's inputs.</summary>
public sealed record CellArchitectureView(string Type, string[] Edges, float[][] Weights, float[]? Beta, bool[][]? Kept);

public sealed record ArchitectureView(string[] Ops, string Weighting, CellArchitectureView[] Cells);

public sealed record GenerationView(int Generation, double Best, double Mean, int Evaluated);

/// <summary>A one-shot run's search: the phase, the evolution's generations, the FLOPs of the current population against the
/// limit (null when unlimited), the BS-NAS active space size (null without shrinking), and the best architecture's FLOPs and
/// params with the params limit (null before the evolution, or when unlimited).</summary>
public sealed record OneShotView(string Phase, int Generations, GenerationView[] History, double[] PopulationFlops, double? FlopsLimit,
    double? ActiveSpaceSize, string? FitnessKind, double? ParamsLimit = null, double? BestFlops = null, double? BestParams = null);

/// <summary>Run facts and the architecture state, read on the step thread between steps (or from a snapshot's world).</summary>
public sealed record RunDetail(string Method, string Dataset, int Epochs, long StepsPerEpoch, double Lr, double ArchLr, bool OneShot)
{
    public ArchitectureView? Architecture { get; init; }
    public OneShotView? Search { get; init; }

    /// <summary>The detail of a search world: a live session's or one read from a snapshot (no data set needed).</summary>
    public static RunDetail Of(World.World world, SearchConfig config)
    {
        var clock = world.Resource<SearchClock>();
        var oneShot = OneShotMethod.IsOneShot(config.Method);
        return new RunDetail(config.Method, config.Dataset, config.Epochs, clock.StepsPerEpoch, config.Lr, config.ArchLr, oneShot)
        {
            Architecture = oneShot ? null : ArchitectureOf(world, config),
            Search = oneShot ? SearchOf(world, config, clock) : null,
        };
    }

    public static ArchitectureView ArchitectureOf(World.World world, SearchConfig config)
    {
        var runtime = world.TryResource<SupernetRuntime>(out var r) ? r
            : config.Space == SearchSpace.Broad ? Nas.Systems.Spaces.Broad.BroadSpace.Resolve(world) : StackedSpace.Resolve(world);
        world.TryResource<DropMasks>(out var masks);
        var edges = EdgeNames(config.Nodes);
        var cells = new[] { CellType.Normal, CellType.Reduce }.Select(type =>
        {
            var kept = masks is null ? null : type == CellType.Normal ? masks.Normal : masks.Reduce;
            using var scope = new TensorScope();
            var w = ArchWeights.For(runtime.Alpha(world, type), runtime.Beta(world, type), config.Nodes, kept, scope);
            var probs = Derivation.Rows(w.OpWeights);
            var b = w.EdgeWeights?.ToFloatArray();
            if (b is not null)
                for (var e = 0; e < probs.Length; e++)
                    for (var o = 0; o < probs[e].Length; o++) probs[e][o] *= b[e];
            return new CellArchitectureView(type == CellType.Normal ? "normal" : "reduction", edges, probs, b, kept);
        }).ToArray();
        var weighting = "softmax(alpha)" + (config.EdgeNormalization ? " × softmax(beta)" : "") + (config.DropRate > 0 ? " over kept ops" : "");
        return new ArchitectureView(runtime.Ops.Select(o => o.Name()).ToArray(), weighting, cells);
    }

    /// <summary>Edge labels in row order: "c_{k-2} → 0", "c_{k-1} → 0", "c_{k-2} → 1", ...</summary>
    public static string[] EdgeNames(int nodes)
    {
        var names = new string[Derivation.EdgeCount(nodes)];
        for (var node = 0; node < nodes; node++)
            for (var input = 0; input < node + 2; input++)
                names[Derivation.EdgeRow(node, input)] = $"{Input(input)} → {node}";
        return names;
    }

    private static string Input(int state) => state switch { 0 => "c_{k-2}", 1 => "c_{k-1}", _ => (state - 2).ToString() };

    private static OneShotView SearchOf(World.World world, SearchConfig config, SearchClock clock)
    {
        world.TryResource<EvolutionState>(out var evolution);
        var phase = evolution is not null ? $"evolution, generation {evolution.Generation} of {config.Generations}"
            : clock.Epoch < config.Epochs ? $"supernet training, epoch {clock.Epoch + 1} of {config.Epochs}" : "supernet trained";
        double? space = world.TryResource<ActiveOptions>(out var a) ? Shrinking.SpaceSize(a) : null;
        return new OneShotView(phase, config.Generations,
            evolution?.History.Select(h => new GenerationView(h.Generation, h.Best, h.Mean, h.Evaluated)).ToArray() ?? [],
            evolution?.Population.Select(c => c.Flops).ToArray() ?? [],
            config.FlopsLimit > 0 ? config.FlopsLimit : null, space, config.Fitness.ToString(), config.ParamsLimit > 0 ? config.ParamsLimit : null,
            OneShotSession.BestOf(world)?.Flops, OneShotSession.BestOf(world) is { } best ? OneShotSession.ParamsOf(world, best.Genes) : null);
    }
}
