// Every snapshot name, version and key of the engine's types matches the committed list (tests/snapshot-keys.txt), so a rename cannot reset state on resume.
using Nas.Components;
using Nas.Systems.Methods;
using Nas.Systems.Search;
using Nas.World;
using Nas.World.Snapshots;

namespace Nas.Systems.Tests.Snapshots;

[Resource("keytest.settings", 1)]
public sealed record KeyedSettings([SnapshotKey("arch_lr")] double ArchLr, [SnapshotKey("steps")] long Steps);

/// <summary><see cref="KeyedSettings"/> after a C# rename that keeps the key: the same snapshot layout.</summary>
[Resource("keytest.settings", 1)]
public sealed record RenamedMember([SnapshotKey("arch_lr")] double ArchitectureLearningRate, [SnapshotKey("steps")] long Steps);

/// <summary><see cref="KeyedSettings"/> with its key changed: a different layout, which the check must report.</summary>
[Resource("keytest.settings", 1)]
public sealed record ChangedKey([SnapshotKey("architecture_lr")] double ArchLr, [SnapshotKey("steps")] long Steps);

public sealed record Unkeyed(double ArchLr);

public sealed class SnapshotKeysTests
{
    /// <summary>tests/snapshot-keys.txt, found upwards from the test assembly.</summary>
    private static string ExpectedFile()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            var candidate = Path.Combine(d.FullName, "tests", "snapshot-keys.txt");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"tests/snapshot-keys.txt not found above {AppContext.BaseDirectory}");
    }

    /// <summary>Every named type of World, Components and Systems, as a search or one-shot world registers them.</summary>
    private static string EngineSchema()
    {
        var types = new TypeRegistry();
        types.RegisterAssembly(typeof(TypeRegistry).Assembly);
        types.RegisterAssembly(typeof(Network).Assembly);
        types.RegisterAssembly(typeof(SearchSession).Assembly);
        return SnapshotSchema.Describe(types);
    }

    private static string SchemaOf<T>()
    {
        var types = new TypeRegistry();
        types.Of(typeof(T));
        return SnapshotSchema.Describe(types);
    }

    [Fact]
    public void EverySnapshotKeyMatchesTheCommittedList()
    {
        var expected = File.ReadAllText(ExpectedFile());
        var actual = EngineSchema();
        var differences = SnapshotSchema.Differences(expected, actual);
        // A new type or key is added to the list on purpose; a changed one breaks every existing snapshot's resume.
        Assert.True(differences.Count == 0,
            "snapshot keys differ from tests/snapshot-keys.txt (a key is permanent; give the renamed member its old [SnapshotKey]):\n"
            + string.Join("\n", differences) + "\n\nwhole actual list:\n" + actual);
    }

    [Fact]
    public void RenamingAMemberKeepsItsKeyAndTheLayout()
    {
        Assert.Empty(SnapshotSchema.Differences(SchemaOf<KeyedSettings>(), SchemaOf<RenamedMember>()));
        Assert.Contains("  arch_lr: float64", SchemaOf<RenamedMember>());
    }

    [Fact]
    public void ChangingAKeyIsReportedWithItsPath()
    {
        var differences = SnapshotSchema.Differences(SchemaOf<KeyedSettings>(), SchemaOf<ChangedKey>());
        Assert.Equal(["- resource keytest.settings v1 / arch_lr: float64", "+ resource keytest.settings v1 / architecture_lr: float64"], differences);
    }

    [Fact]
    public void AMemberWithoutAKeyCannotBeSnapshotted()
    {
        var ex = Assert.Throws<NotSupportedException>(() => new ValueCodec().Layout(typeof(Unkeyed)));
        Assert.Contains("ArchLr", ex.Message);
        Assert.Contains("[SnapshotKey]", ex.Message);
    }
}
