// What the CLI and the daemon drive, whatever the method: a world stepped one step at a time, with figures and a result.
using Nas.Components;

namespace Nas.Systems.Search;

public interface ISearchSession : IDisposable
{
    World.World World { get; }
    SearchConfig Config { get; }
    SearchClock Clock { get; }
    StepMetrics Metrics { get; }
    bool Finished { get; }

    /// <summary>Steps of the whole run (for progress); a run may stop earlier with --steps.</summary>
    long TotalSteps => Clock.StepsPerEpoch * Config.Epochs;

    /// <summary>Runs one step of the method's schedule.</summary>
    void Step();

    /// <summary>The architecture found so far: `genotype.txt` content (DARTS literal or NAS-Bench-201 string) and `genotype.json` content.</summary>
    (string Text, string Json) Result();

    /// <summary>
    /// Puts the runtime-only state a resume needs (the torch generator's state, the data-stream positions) into named
    /// resources, so a world snapshot taken right after holds everything the run carries between steps.
    /// </summary>
    void CaptureRuntimeState();

    /// <summary>This session as one rank of a data-parallel run (docs/distributed.md); the returned session replaces this one.</summary>
    ISearchSession InParallel(DataParallel parallel) => throw new NotSupportedException($"{Config.Method} does not run data-parallel yet");

    /// <summary>The tensors every rank must hold bit for bit alike (the agreement check's digest covers them).</summary>
    IEnumerable<Nas.Torch.Tensor> AgreedTensors() => throw new NotSupportedException($"{Config.Method} does not run data-parallel yet");

    /// <summary>Figures for the end-of-epoch record (epochs.jsonl), e.g. validation accuracy and softmax(alpha) per edge.</summary>
    IReadOnlyDictionary<string, object> EpochReport();
}
