// Small components, resources and systems shared by the World tests (types only; no shared state).
using Nas.World;

namespace Nas.World.Tests;

[Component("test.position", 1)]
public record struct Position([SnapshotKey("X")] float X, [SnapshotKey("Y")] float Y);

[Component("test.velocity", 2)]
public record struct Velocity([SnapshotKey("X")] float X, [SnapshotKey("Y")] float Y);

public record struct Mass([SnapshotKey("Value")] float Value);

public record struct Charge([SnapshotKey("Value")] int Value);

public record struct Frozen;

public record struct Dropped;

public record struct StepCount([SnapshotKey("Value")] long Value);

/// <summary>A system defined by a lambda, for tests that need several small systems.</summary>
public sealed class LambdaSystem(string name, Access access, Action<World, SystemContext> run) : ISystem
{
    public string Name { get; } = name;
    public Access Access { get; } = access;
    public void Run(World world, in SystemContext ctx) => run(world, ctx);
}
