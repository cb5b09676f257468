// Reads the genotype `nas train` and `nas info --genotype` take, and settles which space's evaluation network it is for.
using Nas.Components;
using Nas.Systems.Genotypes;

namespace Nas.App.Commands;

public static class GenotypeFile
{
    /// <summary>The values of --space.</summary>
    public static SearchSpace? ParseSpace(string? text) => text switch
    {
        null => null,
        "stacked" => SearchSpace.Stacked,
        "broad" => SearchSpace.Broad,
        _ => throw new ArgumentException($"--space '{text}': expected stacked or broad"),
    };

    /// <summary>
    /// The genotype and its space. genotype.json (by extension or a leading '{') written by a search records its space; a DARTS
    /// literal (and a genotype.json from before the space was recorded) does not, so <paramref name="space"/> must name it.
    /// A flag that contradicts the recorded space is refused: the reduce list means a stride-2 reduction cell in the stacked
    /// space and the stride-1 enhancement cell in the broad one (methods.md §4.9 pitfall 1), so the same lists make another network.
    /// </summary>
    public static (Genotype Genotype, SearchSpace Space) Load(FileInfo file, SearchSpace? space)
    {
        var text = File.ReadAllText(file.FullName);
        var isJson = file.Extension.Equals(".json", StringComparison.OrdinalIgnoreCase) || text.TrimStart().StartsWith('{');
        var recorded = isJson ? Genotype.SpaceOfJson(text, file.Name) : null;
        var genotype = isJson ? Genotype.FromJson(text, file.Name) : GenotypeText.Parse(text, file.Name);
        if (recorded is { } r && space is { } s && r != s)
            throw new ArgumentException($"{file.Name} records space '{Name(r)}', but --space is '{Name(s)}': " + (r == SearchSpace.Stacked
                ? "its reduce list is a stride-2 reduction cell, not the enhancement-cell genotype the broad network needs"
                : "its reduce list is the broad space's enhancement-cell genotype (stride 1), not a reduction cell of the stacked network"));
        return (genotype, recorded ?? space ?? throw new ArgumentException(
            $"{file.Name} does not say which network it is for ({(isJson ? "a genotype.json from before searches recorded their space" : "a DARTS literal")}): " +
            "pass --space stacked (DARTS cells: the reduce list is the reduction cell) or --space broad (BCNN: the normal list is the " +
            "convolution cell, the reduce list the enhancement cell)"));
    }

    public static string Name(SearchSpace space) => space.ToString().ToLowerInvariant();
}
