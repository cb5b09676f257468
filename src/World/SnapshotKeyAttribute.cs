// The permanent name a member of a snapshotted record or struct is written under, independent of its C# name.
namespace Nas.World;

/// <summary>
/// Names a member in snapshots: <c>record struct SearchClock([SnapshotKey("Step")] long Step, ...)</c> on a positional
/// parameter, or on a settable property or field. Every member of a type a snapshot writes must carry one (the codec
/// refuses a type that lacks it), so renaming the C# member cannot change the key and silently reset the value on resume.
/// Keys are permanent, like snapshot type names; the list of all of them is checked against tests/snapshot-keys.txt.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Field, Inherited = false)]
public sealed class SnapshotKeyAttribute(string name) : Attribute
{
    public string Name { get; } = string.IsNullOrWhiteSpace(name) ? throw new ArgumentException("a snapshot key is not empty", nameof(name)) : name;
}
