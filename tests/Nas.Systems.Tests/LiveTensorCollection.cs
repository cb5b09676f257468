// Tests that read the process-wide live-tensor count run alone: a parallel test's tensors would move it.
namespace Nas.Systems.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LiveTensorCollection
{
    public const string Name = "live tensor count";
}
