// The page's data document, one shape for the live page (/page/data) and the report: status, detail, steps, epochs, cells.
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nas.App.Page;

/// <summary>The cell pictures of one genotype; <see cref="Key"/> tells the page whether it already has them.</summary>
public sealed record CellPictures(string Key, string? Normal, string? Reduction);

public static class PageDocument
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = false,
    };

    /// <summary>Writes the document. <paramref name="steps"/> and <paramref name="epochs"/> are lines of steps.jsonl and
    /// epochs.jsonl, copied as they are; <paramref name="status"/> has the /status shape.</summary>
    public static byte[] Write(string mode, DateTimeOffset now, object status, RunDetail? detail, IEnumerable<string> steps,
        IEnumerable<string> epochs, CellPictures? cells, bool tokenRequired)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("mode", mode);
            w.WriteString("now", now);
            w.WriteBoolean("token_required", tokenRequired);
            w.WritePropertyName("status");
            JsonSerializer.Serialize(w, status, Json);
            w.WritePropertyName("detail");
            JsonSerializer.Serialize(w, detail, Json);
            WriteLines(w, "steps", steps);
            WriteLines(w, "epochs", epochs);
            w.WritePropertyName("cells");
            JsonSerializer.Serialize(w, cells, Json);
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static void WriteLines(Utf8JsonWriter w, string name, IEnumerable<string> lines)
    {
        w.WriteStartArray(name);
        foreach (var line in lines) w.WriteRawValue(line, skipInputValidation: false);
        w.WriteEndArray();
    }

    /// <summary>A short key of a genotype text (the page asks for pictures only when it changes).</summary>
    public static string KeyOf(string? genotype) => genotype is null ? ""
        : Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(genotype)))[..16];
}
