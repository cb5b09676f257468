// Reads a growing JSON-lines file (steps.jsonl, epochs.jsonl) incrementally: each call reads only the bytes appended since the last.
using System.Text;
using System.Text.Json;

namespace Nas.App.Page;

/// <summary>Keeps the complete lines read so far with their <c>step</c> (or other integer key). A torn last line is left
/// for the next read; a file that got shorter (a resumed run rewrote it) is read again from the start. Thread-safe.</summary>
internal sealed class JsonLinesTail(string path, string key = "step")
{
    private readonly object _gate = new();
    private readonly List<(long Key, string Line)> _lines = [];
    private long _offset;

    public string Path => path;

    /// <summary>The lines whose key is greater than <paramref name="after"/>, in file order.</summary>
    public List<string> After(long after)
    {
        lock (_gate)
        {
            Read();
            var first = _lines.Count;
            while (first > 0 && _lines[first - 1].Key > after) first--;
            return _lines.Skip(first).Select(l => l.Line).ToList();
        }
    }

    /// <summary>The lines from the <paramref name="index"/>-th on.</summary>
    public List<string> From(int index)
    {
        lock (_gate)
        {
            Read();
            return _lines.Skip(Math.Max(0, index)).Select(l => l.Line).ToList();
        }
    }

    private void Read()
    {
        if (!File.Exists(path)) return;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (stream.Length < _offset)
        {
            _lines.Clear();
            _offset = 0;
        }
        if (stream.Length == _offset) return;
        stream.Seek(_offset, SeekOrigin.Begin);
        var bytes = new byte[stream.Length - _offset];
        stream.ReadExactly(bytes);
        var end = Array.LastIndexOf(bytes, (byte)'\n');
        if (end < 0) return;
        _offset += end + 1;
        foreach (var line in Encoding.UTF8.GetString(bytes, 0, end).Split('\n'))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var k = doc.RootElement.TryGetProperty(key, out var v) && v.TryGetInt64(out var n) ? n : long.MinValue;
                _lines.Add((k, line));
            }
            catch (JsonException) { } // a damaged line is not shown; the rest of the file still is
        }
    }
}
