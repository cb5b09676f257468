// The files of a run folder (DESIGN.md): config.yaml, steps.jsonl, epochs.jsonl, genotype.txt/json, cell pictures, snapshots/.
using Nas.App.Config;
using Nas.Systems.Genotypes;
using Nas.Systems.Methods;

namespace Nas.App.Runs;

public sealed class RunFolder
{
    public string Path { get; }

    public RunFolder(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(Path);
        Directory.CreateDirectory(Snapshots);
    }

    public string Config => File("config.yaml");
    public string Steps => File("steps.jsonl");
    public string Epochs => File("epochs.jsonl");
    public string GenotypeText => File("genotype.txt");
    public string GenotypeJson => File("genotype.json");
    public string Snapshots => File("snapshots");

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void WriteConfig(SearchConfig config) => System.IO.File.WriteAllText(Config, ConfigFile.ToYaml(config));

    /// <summary>Writes genotype.txt and genotype.json, and the cell pictures when the result is a DARTS genotype.</summary>
    public void WriteResult(string text, string json)
    {
        System.IO.File.WriteAllText(GenotypeText, text + "\n");
        System.IO.File.WriteAllText(GenotypeJson, json + "\n");
        if (!text.StartsWith("Genotype(", StringComparison.Ordinal)) return;
        var g = Nas.Systems.Genotypes.GenotypeText.Parse(text, GenotypeText);
        CellPicture.Write(Path, "normal", g.Normal, g.NormalConcat);
        CellPicture.Write(Path, "reduction", g.Reduce, g.ReduceConcat);
    }
}
