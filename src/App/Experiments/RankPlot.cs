// A hand-written SVG scatter plot of the rank experiment: one score against the ground-truth accuracy, τ_b in the title.
using System.Globalization;
using System.Security;
using System.Text;

namespace Nas.App.Experiments;

public static class RankPlot
{
    /// <summary>
    /// One dot per cell, x = score, y = ground-truth accuracy, axes with five ticks each. Non-finite scores (−∞: a
    /// singular kernel) have no x, so they sit in a grey strip left of the axis, labelled −∞, and the title counts them.
    /// </summary>
    public static string Svg(string score, IReadOnlyList<double> x, IReadOnlyList<double> truth, double tau)
    {
        if (x.Count != truth.Count) throw new ArgumentException($"{x.Count} scores but {truth.Count} ground-truth values");
        const double W = 580, H = 420, L = 130, R = 20, T = 40, B = 50, Strip = 40;
        var finite = Enumerable.Range(0, x.Count).Where(i => double.IsFinite(x[i])).ToList();
        int infinite = x.Count - finite.Count;
        var (xLo, xHi) = Range(finite.Select(i => x[i]));
        var (yLo, yHi) = Range(truth);
        string X(double v) => F(L + (W - L - R) * (v - xLo) / (xHi - xLo));
        string Y(double v) => F(H - B - (H - T - B) * (v - yLo) / (yHi - yLo));
        var sb = new StringBuilder();
        sb.AppendLine($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" font-family=\"sans-serif\" font-size=\"12\">");
        sb.AppendLine($"<rect width=\"{W}\" height=\"{H}\" fill=\"white\"/>");
        var title = $"{score}: Kendall τ_b = {F(tau, "F3")} (n = {x.Count}{(infinite > 0 ? $", {infinite} at −∞" : "")})";
        sb.AppendLine($"<text x=\"{F(L)}\" y=\"22\" font-size=\"14\">{SecurityElement.Escape(title)}</text>");
        for (int t = 0; t <= 4; t++)
        {
            double xv = xLo + (xHi - xLo) * t / 4, yv = yLo + (yHi - yLo) * t / 4;
            sb.AppendLine($"<text x=\"{X(xv)}\" y=\"{F(H - B + 16)}\" text-anchor=\"middle\">{Tick(xv)}</text>");
            sb.AppendLine($"<text x=\"{F(L - 6)}\" y=\"{Y(yv)}\" text-anchor=\"end\" dominant-baseline=\"middle\">{F(yv, "F3")}</text>");
            sb.AppendLine($"<line x1=\"{F(L)}\" y1=\"{Y(yv)}\" x2=\"{F(W - R)}\" y2=\"{Y(yv)}\" stroke=\"#eee\"/>");
        }
        // The axes after the grid lines, so the grid does not paint over them.
        sb.AppendLine($"<line x1=\"{F(L)}\" y1=\"{F(H - B)}\" x2=\"{F(W - R)}\" y2=\"{F(H - B)}\" stroke=\"black\"/>");
        sb.AppendLine($"<line x1=\"{F(L)}\" y1=\"{F(H - B)}\" x2=\"{F(L)}\" y2=\"{F(T)}\" stroke=\"black\"/>");
        sb.AppendLine($"<text x=\"{F((L + W - R) / 2)}\" y=\"{F(H - 12)}\" text-anchor=\"middle\">{SecurityElement.Escape(score)}</text>");
        sb.AppendLine($"<text x=\"16\" y=\"{F((T + H - B) / 2)}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {F((T + H - B) / 2)})\">ground-truth accuracy</text>");
        if (infinite > 0)
        {
            sb.AppendLine($"<rect x=\"{F(L - Strip - 50)}\" y=\"{F(T)}\" width=\"{F(Strip)}\" height=\"{F(H - T - B)}\" fill=\"#f2f2f2\"/>");
            sb.AppendLine($"<text x=\"{F(L - Strip / 2 - 50)}\" y=\"{F(H - B + 16)}\" text-anchor=\"middle\">−∞</text>");
        }
        for (int i = 0; i < x.Count; i++)
        {
            var cx = double.IsFinite(x[i]) ? X(x[i]) : F(L - Strip / 2 - 50);
            sb.AppendLine($"<circle cx=\"{cx}\" cy=\"{Y(truth[i])}\" r=\"3.5\" fill=\"#1f77b4\" fill-opacity=\"0.7\"/>");
        }
        sb.AppendLine("</svg>");
        return sb.ToString();
    }

    /// <summary>A file name from a score's column name: lower-case letters and digits joined by single dashes.</summary>
    public static string Slug(string name)
    {
        var sb = new StringBuilder();
        foreach (var ch in name.ToLowerInvariant())
            if (char.IsAsciiLetterOrDigit(ch)) sb.Append(ch);
            else if (sb.Length > 0 && sb[^1] != '-') sb.Append('-');
        return sb.ToString().TrimEnd('-');
    }

    /// <summary>The span of the values padded by 5 % on each side; a single value (or none) gets a unit span.</summary>
    private static (double Lo, double Hi) Range(IEnumerable<double> values)
    {
        var v = values.ToList();
        if (v.Count == 0) return (0, 1);
        double lo = v.Min(), hi = v.Max();
        if (hi == lo) return (lo - 0.5, hi + 0.5);
        double pad = (hi - lo) * 0.05;
        return (lo - pad, hi + pad);
    }

    private static string Tick(double v) => Math.Abs(v) >= 1e4 || (Math.Abs(v) < 1e-2 && v != 0) ? v.ToString("0.##E0", CultureInfo.InvariantCulture) : F(v, "G4");
    private static string F(double v, string format = "F1") => v.ToString(format, CultureInfo.InvariantCulture);
}
