// Small components, resources and systems shared by the World tests (types only; no shared state).
using Nas.World;

namespace Nas.World.Tests;

[Component("test.position", 1)]
public record struct Position(float X, float Y);

[Component("test.velocity", 2)]
public record struct Velocity(float X, float Y);

public record struct Mass(float Value);

public record struct Charge(int Value);

public record struct Frozen;

public record struct Dropped;

public record struct StepCount(long Value);

/// <summary>A system defined by a lambda, for tests that need several small systems.</summary>
public sealed class LambdaSystem(string name, Access access, Action<World, SystemContext> run) : ISystem
{
    public string Name { get; } = name;
    public Access Access { get; } = access;
    public void Run(World world, in SystemContext ctx) => run(world, ctx);
}
