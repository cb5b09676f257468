// Which namespaces of an assembly use which: every type a type names in its signatures, attributes or method bodies (IL), grouped by namespace.
using System.Reflection;
using System.Reflection.Emit;

namespace Nas.Systems.Tests.Layering;

/// <summary>
/// The use graph between the parts of an assembly: a part is the namespace segment after <c>root</c>
/// (<c>Nas.Systems.OneShot.Search</c> is part "OneShot"). An edge A → B holds one example use ("A.Type uses B.Type").
/// Uses are read from the compiled assembly, so qualified names, aliases and usings all count alike: base types,
/// interfaces, fields, properties, method signatures, attributes and every type, method or field token in a method body.
/// </summary>
public sealed class NamespaceGraph
{
    private static readonly Dictionary<short, OpCode> ByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    public SortedDictionary<string, SortedDictionary<string, string>> Edges { get; } = new(StringComparer.Ordinal);

    public void Add(string from, string to, string example)
    {
        if (from == to) return;
        if (!Edges.TryGetValue(from, out var targets)) Edges[from] = targets = new(StringComparer.Ordinal);
        targets.TryAdd(to, example);
    }

    public static NamespaceGraph Of(Assembly assembly, string root)
    {
        var graph = new NamespaceGraph();
        foreach (var type in assembly.GetTypes())
        {
            var from = PartOf(type, root);
            if (from is null) continue;
            foreach (var used in UsedBy(type))
                foreach (var t in Expand(used))
                    if (t.Assembly == assembly && PartOf(t, root) is { } to)
                        graph.Add(from, to, $"{Outer(type).FullName} uses {Outer(t).FullName}");
        }
        return graph;
    }

    /// <summary>The strongly connected groups of more than one part (Tarjan), each sorted; empty when the graph has no cycle.</summary>
    public List<List<string>> Cycles()
    {
        var nodes = Edges.Keys.Concat(Edges.Values.SelectMany(t => t.Keys)).Distinct().Order(StringComparer.Ordinal).ToList();
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var groups = new List<List<string>>();
        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in Edges.TryGetValue(v, out var ts) ? ts.Keys.ToList() : [])
            {
                if (!index.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (onStack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            }
            if (low[v] != index[v]) return;
            var group = new List<string>();
            string x;
            do { x = stack.Pop(); onStack.Remove(x); group.Add(x); } while (x != v);
            if (group.Count > 1) groups.Add(group.Order(StringComparer.Ordinal).ToList());
        }
        foreach (var n in nodes)
            if (!index.ContainsKey(n)) Visit(n);
        return groups;
    }

    /// <summary>The edges inside one cycle group, with their examples, for a failure message.</summary>
    public IEnumerable<string> Describe(IReadOnlyCollection<string> group) =>
        group.SelectMany(a => Edges.TryGetValue(a, out var ts) ? ts.Where(t => group.Contains(t.Key)).Select(t => $"{a} -> {t.Key}: {t.Value}") : []);

    private static string? PartOf(Type type, string root)
    {
        var ns = Outer(type).Namespace;
        if (ns is null || !(ns == root || ns.StartsWith(root + ".", StringComparison.Ordinal))) return null;
        var rest = ns.Length == root.Length ? "" : ns[(root.Length + 1)..];
        var dot = rest.IndexOf('.');
        return rest.Length == 0 ? "(root)" : dot < 0 ? rest : rest[..dot];
    }

    private static Type Outer(Type type)
    {
        while (type.DeclaringType is { } outer) type = outer;
        return type;
    }

    /// <summary>A type and the types it is made of: elements of arrays, pointers and by-refs, and generic arguments.</summary>
    private static IEnumerable<Type> Expand(Type type)
    {
        if (type.HasElementType) { foreach (var t in Expand(type.GetElementType()!)) yield return t; yield break; }
        if (type.IsGenericParameter) yield break;
        yield return type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        if (type.IsGenericType)
            foreach (var a in type.GetGenericArguments())
                foreach (var t in Expand(a)) yield return t;
    }

    private static IEnumerable<Type> UsedBy(Type type)
    {
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        if (type.BaseType is { } b) yield return b;
        foreach (var i in type.GetInterfaces()) yield return i;
        foreach (var a in type.GetCustomAttributesData()) yield return a.AttributeType;
        foreach (var f in type.GetFields(All)) yield return f.FieldType;
        foreach (var p in type.GetProperties(All)) yield return p.PropertyType;
        foreach (var m in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
        {
            if (m is MethodInfo mi) yield return mi.ReturnType;
            foreach (var p in m.GetParameters()) yield return p.ParameterType;
            foreach (var a in m.GetCustomAttributesData()) yield return a.AttributeType;
            foreach (var t in BodyTypes(m)) yield return t;
        }
    }

    /// <summary>The declaring types of the members and the types whose tokens a method body holds.</summary>
    private static IEnumerable<Type> BodyTypes(MethodBase method)
    {
        foreach (var member in BodyMembers(method))
            switch (member)
            {
                case Type t: yield return t; break;
                case FieldInfo f: yield return f.DeclaringType!; yield return f.FieldType; break;
                case MethodBase m:
                    if (m.DeclaringType is { } d) yield return d;
                    if (m is MethodInfo { IsGenericMethod: true } g) foreach (var a in g.GetGenericArguments()) yield return a;
                    break;
            }
    }

    /// <summary>Every type, field and method (generic ones instantiated) whose token a method body holds.</summary>
    public static IEnumerable<MemberInfo> BodyMembers(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        var module = method.Module;
        Type[]? typeArgs = method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null;
        Type[]? methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var at = 0; at < il.Length;)
        {
            var code = il[at] == 0xFE ? ByValue[(short)(0xFE00 | il[at + 1])] : ByValue[il[at]];
            at += code.Size;
            var token = code.OperandType is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok
                ? BitConverter.ToInt32(il, at) : 0;
            at += code.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, at),
                _ => 4,
            };
            if (token == 0) continue;
            MemberInfo? member;
            try { member = module.ResolveMember(token, typeArgs, methodArgs); }
            catch (ArgumentException) { continue; } // a token of another generic context: its signature types are seen elsewhere
            if (member is not null) yield return member;
        }
    }
}
