// A hand-written SVG line chart of the collapse experiment: skip_connect's share of the normal cell's softmax mass per epoch.
using System.Globalization;
using System.Text;

namespace Nas.App.Experiments;

public static class CollapsePlot
{
    private static readonly string[] Colours = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e"];

    /// <summary>Thin lines per seed, a thick line for each variant's mean, axes with ticks and a legend; y from 0 to the largest share (at least 0.25).</summary>
    public static string Svg(IReadOnlyList<CollapsePoint> points, IReadOnlyList<string> variants, int epochs)
    {
        const double W = 640, H = 400, L = 60, R = 150, T = 30, B = 50;
        var yMax = Math.Max(0.25, Math.Ceiling(points.Select(p => p.SkipShare).DefaultIfEmpty(0).Max() * 20) / 20);
        string X(double e) => F(L + (W - L - R) * e / Math.Max(1, epochs));
        string Y(double v) => F(H - B - (H - T - B) * v / yMax);
        var sb = new StringBuilder();
        sb.AppendLine($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" font-family=\"sans-serif\" font-size=\"12\">");
        sb.AppendLine($"<rect width=\"{W}\" height=\"{H}\" fill=\"white\"/>");
        sb.AppendLine($"<text x=\"{F(L)}\" y=\"18\" font-size=\"14\">skip_connect share of softmax(α_normal) per epoch</text>");
        sb.AppendLine($"<line x1=\"{F(L)}\" y1=\"{Y(0)}\" x2=\"{X(epochs)}\" y2=\"{Y(0)}\" stroke=\"black\"/>");
        sb.AppendLine($"<line x1=\"{F(L)}\" y1=\"{Y(0)}\" x2=\"{F(L)}\" y2=\"{Y(yMax)}\" stroke=\"black\"/>");
        for (var e = 0; e <= epochs; e += Math.Max(1, epochs / 10))
            sb.AppendLine($"<text x=\"{X(e)}\" y=\"{F(H - B + 16)}\" text-anchor=\"middle\">{e}</text>");
        for (var v = 0.0; v <= yMax + 1e-9; v += yMax / 5)
        {
            sb.AppendLine($"<text x=\"{F(L - 6)}\" y=\"{Y(v)}\" text-anchor=\"end\" dominant-baseline=\"middle\">{F(v, "F2")}</text>");
            sb.AppendLine($"<line x1=\"{F(L)}\" y1=\"{Y(v)}\" x2=\"{X(epochs)}\" y2=\"{Y(v)}\" stroke=\"#ddd\"/>");
        }
        sb.AppendLine($"<text x=\"{F((L + W - R) / 2)}\" y=\"{F(H - 12)}\" text-anchor=\"middle\">epoch</text>");
        // 1/8 is the share of a uniform softmax over the 8 ops.
        sb.AppendLine($"<line x1=\"{F(L)}\" y1=\"{Y(0.125)}\" x2=\"{X(epochs)}\" y2=\"{Y(0.125)}\" stroke=\"#888\" stroke-dasharray=\"4 4\"/>");
        for (var i = 0; i < variants.Count; i++)
        {
            var colour = Colours[i % Colours.Length];
            var runs = points.Where(p => p.Variant == variants[i]).GroupBy(p => p.Seed).ToList();
            foreach (var run in runs)
                sb.AppendLine($"<polyline fill=\"none\" stroke=\"{colour}\" stroke-opacity=\"0.35\" stroke-width=\"1\" points=\"{string.Join(" ", run.OrderBy(p => p.Epoch).Select(p => $"{X(p.Epoch)},{Y(p.SkipShare)}"))}\"/>");
            var mean = points.Where(p => p.Variant == variants[i]).GroupBy(p => p.Epoch).OrderBy(g => g.Key).Select(g => $"{X(g.Key)},{Y(g.Average(p => p.SkipShare))}");
            sb.AppendLine($"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2.5\" points=\"{string.Join(" ", mean)}\"/>");
            var ly = T + 20 + 20 * i;
            sb.AppendLine($"<line x1=\"{F(W - R + 10)}\" y1=\"{F(ly)}\" x2=\"{F(W - R + 34)}\" y2=\"{F(ly)}\" stroke=\"{colour}\" stroke-width=\"2.5\"/>");
            sb.AppendLine($"<text x=\"{F(W - R + 40)}\" y=\"{F(ly)}\" dominant-baseline=\"middle\">{variants[i]}</text>");
        }
        sb.AppendLine("</svg>");
        return sb.ToString();
    }

    private static string F(double v, string format = "F1") => v.ToString(format, CultureInfo.InvariantCulture);
}
