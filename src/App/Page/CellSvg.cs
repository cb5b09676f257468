// The current genotype's two cell pictures as SVG text: the run folder's drawing (CellPicture.Dot) rendered by Graphviz.
using System.Diagnostics;
using Nas.App.Runs;
using Nas.Systems.Genotypes;

namespace Nas.App.Page;

public static class CellSvg
{
    /// <summary>The normal and reduction cells of a DARTS genotype literal; nulls when the text is not one (one-shot results)
    /// or Graphviz's <c>dot</c> is not installed.</summary>
    public static (string? Normal, string? Reduction) Render(string? genotype)
    {
        if (genotype is null || !genotype.StartsWith("Genotype(", StringComparison.Ordinal)) return (null, null);
        Genotype g;
        try { g = GenotypeText.Parse(genotype, "the run's genotype"); }
        catch (Exception e) when (e is FormatException or ArgumentException) { return (null, null); } // the page still shows the text
        return (Svg(CellPicture.Dot(g.Normal, g.NormalConcat, "normal")), Svg(CellPicture.Dot(g.Reduce, g.ReduceConcat, "reduction")));
    }

    /// <summary>An SVG file's text from its &lt;svg element on (no XML prolog or DOCTYPE), or null when there is none.</summary>
    public static string? Inline(string svgFileText)
    {
        var start = svgFileText.IndexOf("<svg", StringComparison.Ordinal);
        return start < 0 ? null : svgFileText[start..];
    }

    private static string? Svg(string dot)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("dot", ["-Tsvg"])
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null) return null;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            process.StandardInput.Write(dot);
            process.StandardInput.Close();
            if (!process.WaitForExit(10_000))
            {
                process.Kill();
                return null;
            }
            return process.ExitCode == 0 ? Inline(output.Result) : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // Graphviz not installed: the page shows the genotype as text only.
        }
    }
}
