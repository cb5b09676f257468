// The NAS-Bench-201 cell (methods.md part 2 §5.1, §5.3): ops, edges, the arch string, and the canonical enumeration.
using System.Text;

namespace Nas.Systems.OneShot.NasBench201;

/// <summary>The five candidate ops, in the benchmark's order (§5.1); the value is the op's gene.</summary>
public enum Nb201Op { None = 0, SkipConnect = 1, NorConv1x1 = 2, NorConv3x3 = 3, AvgPool3x3 = 4 }

/// <summary>
/// A cell is 6 op genes, one per edge in the order (0→1), (0→2), (1→2), (0→3), (1→3), (2→3), which is also the
/// order the arch string lists them. Everything is keyed by the arch string (§5.3); the enumeration index is ours
/// and is NOT the benchmark file's index (that one is a seeded Python shuffle).
/// </summary>
public static class Nb201Cell
{
    public const int Nodes = 4;
    public const int EdgeCount = 6;
    public const int OpCount = 5;
    /// <summary>5^6 cells (§5.1).</summary>
    public const int Count = 15_625;
    public const string FormatHint = "|op~0|+|op~0|op~1|+|op~0|op~1|op~2|";

    public static readonly IReadOnlyList<string> OpNames = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"];
    public static readonly IReadOnlyList<(int From, int To)> Edges = [(0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3)];

    public static string Format(ReadOnlySpan<int> ops)
    {
        Check(ops);
        var sb = new StringBuilder();
        for (int e = 0; e < EdgeCount; e++)
        {
            var (from, to) = Edges[e];
            if (from == 0 && to > 1) sb.Append('+');
            sb.Append('|').Append(OpNames[ops[e]]).Append('~').Append(from);
            if (from == to - 1) sb.Append('|');
        }
        return sb.ToString();
    }

    /// <summary>Parses an arch string; a bad one throws <see cref="FormatException"/> naming the character position.</summary>
    public static int[] Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ops = new int[EdgeCount];
        int pos = 0, edge = 0;
        for (int node = 1; node < Nodes; node++)
        {
            if (node > 1) Expect(text, ref pos, '+', $"'+' before the group of node {node}");
            Expect(text, ref pos, '|', $"'|' opening the group of node {node}");
            for (int input = 0; input < node; input++)
            {
                int start = pos;
                while (pos < text.Length && text[pos] != '~' && text[pos] != '|' && text[pos] != '+') pos++;
                var name = text[start..pos];
                int op = IndexOf(name);
                if (op < 0)
                    throw Error(text, start, $"unknown op '{name}' for node {node}'s input {input} (expected one of {string.Join(", ", OpNames)})");
                Expect(text, ref pos, '~', $"'~' after op '{name}'");
                int numberAt = pos;
                while (pos < text.Length && char.IsAsciiDigit(text[pos])) pos++;
                if (!int.TryParse(text.AsSpan(numberAt, pos - numberAt), out int from) || from != input)
                    throw Error(text, numberAt, $"node {node}'s input number {input} must read '~{input}', found '~{text[numberAt..pos]}'");
                Expect(text, ref pos, '|', $"'|' closing '{name}~{from}'");
                ops[edge++] = op;
            }
        }
        if (pos != text.Length) throw Error(text, pos, $"unexpected text after node 3's group: '{text[pos..]}'");
        return ops;
    }

    /// <summary>enum_index = Σ_e op_e · 5^(5−e): the last edge varies fastest (§5.3).</summary>
    public static int Index(ReadOnlySpan<int> ops)
    {
        Check(ops);
        int index = 0;
        foreach (var op in ops) index = index * OpCount + op;
        return index;
    }

    public static int[] FromIndex(int index)
    {
        if (index is < 0 or >= Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"must be in 0..{Count - 1}");
        var ops = new int[EdgeCount];
        for (int e = EdgeCount - 1; e >= 0; e--) { ops[e] = index % OpCount; index /= OpCount; }
        return ops;
    }

    /// <summary>All 15,625 cells in canonical order.</summary>
    public static IEnumerable<int[]> All()
    {
        for (int i = 0; i < Count; i++) yield return FromIndex(i);
    }

    private static int IndexOf(string name)
    {
        for (int i = 0; i < OpNames.Count; i++) if (OpNames[i] == name) return i;
        return -1;
    }

    private static void Expect(string text, ref int pos, char c, string what)
    {
        if (pos >= text.Length) throw Error(text, pos, $"expected {what}, found the end of the string");
        if (text[pos] != c) throw Error(text, pos, $"expected {what}, found '{text[pos]}'");
        pos++;
    }

    private static FormatException Error(string text, int pos, string message) =>
        new($"NAS-Bench-201 arch string \"{text}\", at character {pos}: {message}; the format is {FormatHint}");

    private static void Check(ReadOnlySpan<int> ops)
    {
        if (ops.Length != EdgeCount) throw new ArgumentException($"a NAS-Bench-201 cell has {EdgeCount} edges, got {ops.Length} ops");
        for (int e = 0; e < ops.Length; e++)
            if (ops[e] is < 0 or >= OpCount)
                throw new ArgumentException($"edge {e} has op {ops[e]}, expected 0..{OpCount - 1} ({string.Join(", ", OpNames)})");
    }
}
