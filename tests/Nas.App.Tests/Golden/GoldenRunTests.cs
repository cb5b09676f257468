// Every preset's short search, run through the real CLI, reproduces the golden run recorded from main bit for bit (tests/golden).
using Nas.App.Tests.Snapshots;

namespace Nas.App.Tests.Golden;

public sealed class GoldenRunTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nas-golden-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>tests/golden in the repository: found upwards from the test assembly.</summary>
    internal static string GoldenFolder()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            var candidate = Path.Combine(d.FullName, "tests", "golden");
            if (File.Exists(Path.Combine(candidate, "record.sh"))) return candidate;
        }
        throw new DirectoryNotFoundException($"tests/golden not found above {AppContext.BaseDirectory}");
    }

    public static TheoryData<string> Configs() =>
        new(Directory.GetFiles(GoldenFolder(), "*.yaml").Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal));

    /// <summary>
    /// The top-level fields of a JSON line as their raw text (numbers exactly as written). Every field of the golden line must
    /// match; fields added since the recording (a new report field) are not compared. The golden lines hold no `seconds`.
    /// </summary>
    internal static Dictionary<string, string> Fields(string line)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(line);
        return doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetRawText());
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void ThePresetReproducesItsGoldenRunBitForBit(string name)
    {
        var golden = Path.Combine(GoldenFolder(), name);
        var run = Path.Combine(_dir, "run");
        // The same flags as tests/golden/record.sh.
        using (var nas = new NasProcess("search", "--config", Path.Combine(GoldenFolder(), name + ".yaml"), "--dataset", "synthetic:1x8x8:48",
            "--layers", "3", "--channels", "8", "--batch", "8", "--seed", "7", "--threads", "1", "--snapshot-every", "6", "--out", run))
        {
            Assert.True(nas.WaitForExit(TimeSpan.FromMinutes(5)) == 0, $"{name}: nas search failed:\n{nas.Stderr}");
        }
        foreach (var file in new[] { "steps.jsonl", "epochs.jsonl" })
        {
            var expected = File.ReadAllLines(Path.Combine(golden, file));
            var actual = File.ReadAllLines(Path.Combine(run, file));
            Assert.Equal(expected.Length, actual.Length);
            for (var i = 0; i < expected.Length; i++)
                foreach (var (key, value) in Fields(expected[i]))
                {
                    var now = Fields(actual[i]).GetValueOrDefault(key);
                    Assert.True(value == now, $"{name}/{file} line {i + 1}, \"{key}\": golden {value}, now {now ?? "(missing)"}");
                }
        }
        var genotype = Path.Combine(golden, "genotype.txt");
        if (File.Exists(genotype)) Assert.Equal(File.ReadAllText(genotype), File.ReadAllText(Path.Combine(run, "genotype.txt")));
    }
}
