// Appends one JSON object per line (steps.jsonl, epochs.jsonl), flushed per line so a killed run loses at most the line being written.
using System.Text.Json;

namespace Nas.App.Runs;

public sealed class JsonLines : IDisposable
{
    private readonly StreamWriter _writer;
    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public JsonLines(string path, bool append = true)
    {
        _writer = new StreamWriter(new FileStream(path, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.Read)) { NewLine = "\n" };
    }

    public void Write<T>(T record)
    {
        _writer.WriteLine(JsonSerializer.Serialize(record, Options));
        _writer.Flush();
    }

    /// <summary>Keeps only the lines whose `step` is at most <paramref name="lastStep"/>: a resumed run rewrites what came after its snapshot.</summary>
    public static void TruncateAfterStep(string path, long lastStep, string key = "step")
    {
        if (!File.Exists(path)) return;
        var kept = File.ReadLines(path).Where(line =>
        {
            if (string.IsNullOrWhiteSpace(line)) return false;
            try
            {
                using var doc = JsonDocument.Parse(line);
                return doc.RootElement.TryGetProperty(key, out var s) && s.GetInt64() <= lastStep;
            }
            catch (JsonException) { return false; } // a torn last line from a killed process
        }).ToList();
        File.WriteAllLines(path, kept);
    }

    public void Dispose() => _writer.Dispose();
}
