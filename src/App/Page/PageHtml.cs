// The run page: one HTML file with its CSS and script inlined from the assembly's embedded assets (nothing from the network).
using System.Reflection;

namespace Nas.App.Page;

public static class PageHtml
{
    private static readonly string Template = Asset("page.html")
        .Replace("/*CSS*/", Asset("page.css"), StringComparison.Ordinal)
        .Replace("/*JS*/", Asset("page.js"), StringComparison.Ordinal);

    /// <summary>The live page: it polls /page/data of the daemon that serves it.</summary>
    public static string Live { get; } = Build(null);

    /// <summary>The page with <paramref name="dataJson"/> (a page data document) inlined; null for the live page.</summary>
    public static string Build(string? dataJson)
    {
        if (dataJson is null) return Template.Replace("/*DATA*/null", "null", StringComparison.Ordinal);
        // Inside a <script> element only "</" can end it early; "<\/" is the same string to JavaScript.
        var safe = dataJson.Replace("</", "<\\/", StringComparison.Ordinal).Replace("<!--", "<\\!--", StringComparison.Ordinal);
        return Template.Replace("/*DATA*/null", safe, StringComparison.Ordinal);
    }

    private static string Asset(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Nas.App.Page." + name)
            ?? throw new InvalidOperationException($"the page asset {name} is not embedded in {Assembly.GetExecutingAssembly().GetName().Name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
