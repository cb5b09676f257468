// Every type Nas.Systems puts into a world (component, resource, tensor role, query term) is declared in Nas.Components, so state and behaviour stay apart.
using System.Reflection;
using Nas.Components;
using Nas.Systems.Methods;
using Nas.World;

namespace Nas.Systems.Tests.Layering;

public sealed class WorldTypeHomeTests
{
    /// <summary>The world's types whose generic methods take a component, resource or tensor-role type argument.</summary>
    private static readonly HashSet<Type> Holders =
    [
        typeof(World.World), typeof(CommandBuffer), typeof(Access), typeof(TensorStore), typeof(TypeRegistry),
        typeof(Query<>), typeof(Query<,>), typeof(Query<,,>), typeof(Query<,,,>),
    ];

    /// <summary>Each use of a world type argument in <paramref name="assembly"/>: (the type used, "Caller.Method calls Holder.Method").</summary>
    public static IEnumerable<(Type Used, string Where)> WorldTypeUses(Assembly assembly)
    {
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in assembly.GetTypes())
            foreach (var method in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
                foreach (var member in NamespaceGraph.BodyMembers(method))
                {
                    if (member is not MethodInfo called || called.DeclaringType is not { } holder) continue;
                    var definition = holder.IsGenericType ? holder.GetGenericTypeDefinition() : holder;
                    if (!Holders.Contains(definition)) continue;
                    var args = (called.IsGenericMethod ? called.GetGenericArguments() : [])
                        .Concat(holder.IsGenericType ? holder.GetGenericArguments() : []);
                    foreach (var arg in args.Where(a => !a.IsGenericParameter))
                        yield return (arg, $"{type.FullName}.{method.Name} calls {definition.Name}.{called.Name}<{arg.Name}>");
                }
    }

    [Fact]
    public void EveryComponentAndResourceTypeOfNasSystemsIsDeclaredInNasComponents()
    {
        var systems = typeof(SearchSession).Assembly;
        var misplaced = WorldTypeUses(systems)
            .Where(u => u.Used.Assembly == systems)
            .Select(u => u.Where).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.True(misplaced.Count == 0, "world types declared in Nas.Systems (move them to src/Components):\n  " + string.Join("\n  ", misplaced));
    }

    [Fact]
    public void TheCheckSeesResourcesSetInsideMethodBodies()
    {
        // SessionResources sets the run's clock, a Nas.Components type, inside a method body.
        var uses = WorldTypeUses(typeof(SearchSession).Assembly).Select(u => u.Used).ToHashSet();
        Assert.Contains(typeof(SearchClock), uses);
        Assert.All(uses.Where(t => t.Assembly == typeof(SearchClock).Assembly), t => Assert.StartsWith("Nas.Components", t.Namespace));
    }
}
