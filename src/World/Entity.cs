// An entity handle: a slot index plus the generation of that slot, so a handle kept past Destroy is detected as stale.
namespace Nas.World;

/// <summary>
/// A handle to an entity. <see cref="Index"/> is a recycled slot; <see cref="Generation"/> changes every time the slot
/// is freed, so an old handle never aliases a newer entity. Generations start at 1, so <c>default</c> is <see cref="Null"/>.
/// Order matters nowhere on the handle: iteration uses the entity's creation sequence (<see cref="World.SequenceOf"/>).
/// </summary>
public readonly record struct Entity(int Index, int Generation)
{
    public static readonly Entity Null = default;

    public bool IsNull => Generation == 0;

    public override string ToString() => IsNull ? "Entity(null)" : $"Entity({Index}v{Generation})";
}

/// <summary>Thrown when a handle refers to a destroyed entity (its slot has a newer generation or is free).</summary>
public sealed class StaleEntityException(Entity entity)
    : InvalidOperationException($"{entity} is not alive (destroyed, or never created in this world)")
{
    public Entity Entity { get; } = entity;
}
