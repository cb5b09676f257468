// Parses the DARTS Genotype(...) literal in every form found in the wild (§1.6): flat or nested pair lists, concat as a list or range(a, b).
using Nas.Components;
using Nas.Systems.Spaces.Darts;

namespace Nas.Systems.Genotypes;

public static class GenotypeText
{
    public static Genotype Parse(string text, string source = "genotype")
    {
        var p = new Parser(text, source);
        return p.ParseGenotype();
    }

    private sealed class Parser(string text, string source)
    {
        private int _pos;

        public Genotype ParseGenotype()
        {
            SkipSpace();
            if (Peek() != '(' && TryWord() is { } head && head != "Genotype")
                throw Error($"expected 'Genotype(', found '{head}'");
            Expect('(');
            var fields = new Dictionary<string, object>(StringComparer.Ordinal);
            while (true)
            {
                SkipSpace();
                if (Peek() == ')') { _pos++; break; }
                var name = TryWord() ?? throw Error("expected a field name");
                Expect('=');
                fields[name] = name.EndsWith("_concat", StringComparison.Ordinal) ? ParseConcat() : ParsePairs();
                SkipSpace();
                if (Peek() == ',') _pos++;
            }
            T Field<T>(string key) => fields.TryGetValue(key, out var v) ? (T)v : throw Error($"missing field '{key}'");
            try
            {
                return Genotype.Validated(new Genotype(
                    Field<List<GenotypeEdge>>("normal"), Field<List<int>>("normal_concat"),
                    Field<List<GenotypeEdge>>("reduce"), Field<List<int>>("reduce_concat")));
            }
            catch (FormatException e) when (!e.Message.StartsWith(source, StringComparison.Ordinal))
            {
                throw new FormatException($"{source}: {e.Message}", e);
            }
        }

        // A list of (op, idx) tuples, possibly nested one level as a list of per-node lists.
        private List<GenotypeEdge> ParsePairs()
        {
            var result = new List<GenotypeEdge>();
            Expect('[');
            while (true)
            {
                SkipSpace();
                var c = Peek();
                if (c == ']') { _pos++; return result; }
                if (c == '[') result.AddRange(ParsePairs());
                else if (c == '(') result.Add(ParsePair());
                else throw Error($"expected '(' or '[' in a pair list, found '{c}'");
                SkipSpace();
                if (Peek() == ',') _pos++;
            }
        }

        private GenotypeEdge ParsePair()
        {
            Expect('(');
            var op = ParseString();
            Expect(',');
            var idx = ParseInt();
            SkipSpace();
            if (Peek() == ',') _pos++;
            Expect(')');
            try { return new GenotypeEdge(OpKinds.Parse(op), idx); }
            catch (FormatException e) { throw Error(e.Message); }
        }

        private List<int> ParseConcat()
        {
            SkipSpace();
            if (Peek() == '[')
            {
                _pos++;
                var list = new List<int>();
                while (true)
                {
                    SkipSpace();
                    if (Peek() == ']') { _pos++; return list; }
                    list.Add(ParseInt());
                    SkipSpace();
                    if (Peek() == ',') _pos++;
                }
            }
            var word = TryWord();
            if (word != "range") throw Error("expected a list or range(a, b) for concat");
            Expect('(');
            var a = ParseInt();
            Expect(',');
            var b = ParseInt();
            Expect(')');
            return Enumerable.Range(a, Math.Max(0, b - a)).ToList();
        }

        private string ParseString()
        {
            SkipSpace();
            var quote = Peek();
            if (quote is not ('\'' or '"')) throw Error("expected a quoted op name");
            var end = text.IndexOf(quote, _pos + 1);
            if (end < 0) throw Error("unterminated string");
            var s = text[(_pos + 1)..end];
            _pos = end + 1;
            return s;
        }

        private int ParseInt()
        {
            SkipSpace();
            var start = _pos;
            if (Peek() == '-') _pos++;
            while (_pos < text.Length && char.IsAsciiDigit(text[_pos])) _pos++;
            if (!int.TryParse(text.AsSpan(start, _pos - start), out var v)) throw Error("expected an integer");
            return v;
        }

        private string? TryWord()
        {
            SkipSpace();
            var start = _pos;
            while (_pos < text.Length && (char.IsAsciiLetterOrDigit(text[_pos]) || text[_pos] == '_')) _pos++;
            return _pos > start ? text[start.._pos] : null;
        }

        private void Expect(char c)
        {
            SkipSpace();
            if (Peek() != c) throw Error($"expected '{c}', found '{(Peek() == '\0' ? "end of text" : Peek().ToString())}'");
            _pos++;
        }

        private char Peek() => _pos < text.Length ? text[_pos] : '\0';

        private void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++;
        }

        private FormatException Error(string what) => new($"{source}: at character {_pos}: {what}");
    }
}
