// Appends one JSON object per line (steps.jsonl, epochs.jsonl), flushed per line so a killed run loses at most the line being written.
using System.Text.Json;

namespace Nas.App.Runs;

public sealed class JsonLines : IDisposable
{
    private readonly StreamWriter _writer;
    private readonly string _path;
    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public JsonLines(string path, bool append = true)
    {
        _path = path;
        StreamWriter? writer = null;
        RunFolder.Write(path, () => writer = new StreamWriter(new FileStream(path, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.Read)) { NewLine = "\n" });
        _writer = writer!;
    }

    /// <summary>Appends one line and flushes it; an I/O failure (disk full) becomes a <see cref="RunIOException"/> naming the file.</summary>
    public void Write<T>(T record)
    {
        RunFolder.Write(_path, () =>
        {
            _writer.WriteLine(JsonSerializer.Serialize(record, Options));
            _writer.Flush();
        });
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
        RunFolder.Write(path, () => File.WriteAllLines(path, kept));
    }

    /// <summary>Closes the file; a line that could not be flushed (disk full, already reported) is dropped, not thrown again.</summary>
    public void Dispose()
    {
        try { _writer.Dispose(); }
        catch (IOException) { }
    }
}
