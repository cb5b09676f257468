// Reads and writes SearchConfig as YAML with snake_case keys; unknown keys and bad values name the file, key and value.
using System.Globalization;
using System.Reflection;
using System.Text;
using Nas.Components;
using Nas.Systems.Methods;
using YamlDotNet.RepresentationModel;

namespace Nas.App.Config;

public sealed class ConfigException(string message) : Exception(message);

public static class ConfigFile
{
    private static readonly PropertyInfo[] Properties = typeof(SearchConfig).GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite).ToArray();

    /// <summary>Applies the keys of a YAML mapping on top of <paramref name="baseConfig"/>; `method` in the file picks the preset first.</summary>
    public static SearchConfig Load(string path, SearchConfig? baseConfig = null)
    {
        if (!File.Exists(path)) throw new ConfigException($"{path}: config file not found");
        var yaml = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            yaml.Load(reader);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new ConfigException($"{path}: line {e.Start.Line}, column {e.Start.Column}: malformed YAML: {YamlProblem(e)}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"{path}: cannot read the config file: {e.Message}");
        }
        if (yaml.Documents.Count == 0) return baseConfig ?? Presets.For("darts");
        if (yaml.Documents[0].RootNode is not YamlMappingNode map)
            throw new ConfigException($"{path}: expected a mapping of keys to values at the top level");
        var values = new List<(string Key, string Value, int Line)>();
        foreach (var (k, v) in map.Children)
        {
            if (v is not YamlScalarNode scalar)
                throw new ConfigException($"{path}: line {k.Start.Line}: '{k}' must be a single value");
            if (k is not YamlScalarNode key)
                throw new ConfigException($"{path}: line {k.Start.Line}, column {k.Start.Column}: a key must be a plain name");
            values.Add((key.Value ?? "", scalar.Value ?? "", (int)k.Start.Line));
        }
        var config = baseConfig ?? Presets.For("darts");
        var method = values.FirstOrDefault(v => v.Key == "method");
        if (method.Key is not null && method.Value != config.Method)
            config = Apply(Presets.For(method.Value), values.Where(v => v.Key != "method").ToList(), path);
        else
            config = Apply(config, values, path);
        return config;
    }

    /// <summary>YamlDotNet's message without its "(Line: .., Col: .., Idx: ..) - (..): " prefix and on one line.</summary>
    private static string YamlProblem(YamlDotNet.Core.YamlException e)
    {
        var message = (e.InnerException is YamlDotNet.Core.YamlException inner ? inner.Message : e.Message).ReplaceLineEndings(" ");
        var cut = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith("(Line", StringComparison.Ordinal) && cut > 0 ? message[(cut + 3)..] : message;
    }

    public static SearchConfig Apply(SearchConfig config, IReadOnlyList<(string Key, string Value, int Line)> values, string source)
    {
        foreach (var (key, value, line) in values)
        {
            var prop = Properties.FirstOrDefault(p => ConfigKeys.SnakeCase(p.Name) == key)
                ?? throw new ConfigException($"{source}: line {line}: unknown key '{key}' (known: {string.Join(", ", Properties.Select(p => ConfigKeys.SnakeCase(p.Name)))})");
            object parsed;
            try { parsed = ParseValue(prop.PropertyType, value); }
            catch (FormatException) { throw new ConfigException($"{source}: line {line}: '{key}' has value '{value}', expected {Describe(prop.PropertyType)}"); }
            config = With(config, prop, parsed);
        }
        return config;
    }

    private static SearchConfig With(SearchConfig config, PropertyInfo prop, object value)
    {
        var copy = config with { };
        prop.SetValue(copy, value);
        return copy;
    }

    private static object ParseValue(Type type, string value)
    {
        var inv = CultureInfo.InvariantCulture;
        if (type == typeof(string)) return value;
        if (type == typeof(int)) return int.TryParse(value, NumberStyles.Integer, inv, out var i) ? i : throw new FormatException();
        if (type == typeof(long)) return long.TryParse(value, NumberStyles.Integer, inv, out var l) ? l : throw new FormatException();
        if (type == typeof(ulong)) return ulong.TryParse(value, NumberStyles.Integer, inv, out var u) ? u : throw new FormatException();
        if (type == typeof(double)) return double.TryParse(value, NumberStyles.Float, inv, out var d) && double.IsFinite(d) ? d : throw new FormatException();
        if (type == typeof(bool)) return value.ToLowerInvariant() switch { "true" or "yes" or "on" => true, "false" or "no" or "off" => false, _ => throw new FormatException() };
        if (type.IsEnum)
        {
            foreach (var name in Enum.GetNames(type))
                if (string.Equals(ConfigKeys.SnakeCase(name), value, StringComparison.OrdinalIgnoreCase)) return Enum.Parse(type, name);
            throw new FormatException();
        }
        throw new InvalidOperationException($"config fields of type {type.Name} are not supported");
    }

    private static string Describe(Type type) => type.IsEnum
        ? "one of " + string.Join(", ", Enum.GetNames(type).Select(ConfigKeys.SnakeCase))
        : type == typeof(bool) ? "true or false" : type == typeof(double) ? "a number" : type == typeof(string) ? "text" : "an integer";

    /// <summary>The effective configuration as YAML, every key, so a run folder documents exactly what ran.</summary>
    public static string ToYaml(SearchConfig config)
    {
        var sb = new StringBuilder("# Effective configuration of this run (preset, then config file, then flags).\n");
        foreach (var p in Properties)
        {
            var v = p.GetValue(config);
            var text = v switch
            {
                bool b => b ? "true" : "false",
                double d => d.ToString("R", CultureInfo.InvariantCulture),
                Enum e => ConfigKeys.SnakeCase(e.ToString()),
                string s => s.Length == 0 || s.Any(ch => ":#{}[],&*?|<>=!%@`'\"".Contains(ch)) ? "\"" + s.Replace("\"", "\\\"") + "\"" : s,
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => v?.ToString() ?? "",
            };
            sb.Append(ConfigKeys.SnakeCase(p.Name)).Append(": ").Append(text).Append('\n');
        }
        return sb.ToString();
    }
}
