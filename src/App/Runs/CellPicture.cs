// Pictures of a derived cell: Graphviz dot source, rendered to SVG by Debian's `dot` when it is installed (App: it writes files and starts a process).
using System.Diagnostics;
using System.Text;
using Nas.Components;
using Nas.Systems.Genotypes;
using Nas.Systems.Spaces.Darts;

namespace Nas.App.Runs;

public static class CellPicture
{
    public static string Dot(IReadOnlyList<GenotypeEdge> pairs, IReadOnlyList<int> concat, string title)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"digraph \"{title}\" {{");
        sb.AppendLine("  rankdir=LR; node [style=filled, shape=rect, fontname=Helvetica]; edge [fontname=Helvetica, fontsize=10];");
        sb.AppendLine("  \"c_{k-2}\" [fillcolor=darkseagreen2]; \"c_{k-1}\" [fillcolor=darkseagreen2];");
        var nodes = pairs.Count / 2;
        for (var i = 0; i < nodes; i++) sb.AppendLine($"  \"{i}\" [fillcolor=lightblue];");
        sb.AppendLine("  \"c_{k}\" [fillcolor=palegoldenrod];");
        string Name(int state) => state switch { 0 => "c_{k-2}", 1 => "c_{k-1}", _ => (state - 2).ToString() };
        for (var i = 0; i < pairs.Count; i++)
        {
            var color = pairs[i].Op.IsParameterFree() ? "gray40" : "black";
            sb.AppendLine($"  \"{Name(pairs[i].Input)}\" -> \"{i / 2}\" [label=\"{pairs[i].Op.Name()}\", color={color}];");
        }
        foreach (var c in concat) sb.AppendLine($"  \"{Name(c)}\" -> \"c_{{k}}\" [color=gray];");
        sb.AppendLine("}");
        return sb.ToString();
    }

    /// <summary>Writes NAME.dot and, when Graphviz is available, NAME.svg; returns the SVG path or null (the .dot stays either way).</summary>
    public static string? Write(string folder, string name, IReadOnlyList<GenotypeEdge> pairs, IReadOnlyList<int> concat)
    {
        var dotPath = Path.Combine(folder, name + ".dot");
        File.WriteAllText(dotPath, Dot(pairs, concat, name));
        var svgPath = Path.Combine(folder, name + ".svg");
        try
        {
            using var process = Process.Start(new ProcessStartInfo("dot", ["-Tsvg", dotPath, "-o", svgPath])
            {
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null) return null;
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? svgPath : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // Graphviz not installed: the .dot file is still there.
        }
    }
}
