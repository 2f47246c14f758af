namespace VirtCca.Launcher.Config;

/// <summary>
/// Where each value of a HOCON file was written: its path (<see cref="ConfigPath"/>) → file and line,
/// following includes. Akka's parser keeps no positions, so this walks the text once more with the
/// same structure (keys, dotted keys, objects, lists, includes); a later definition of a path wins, as
/// it does in HOCON. It is only for messages: on text it cannot follow it stops and keeps what it has.
/// </summary>
public static class HoconLocator
{
    public readonly record struct Position(string File, int Line)
    {
        public override string ToString() => $"{File}:{Line}";
    }

    /// <summary>Reads an included file: (the including file, the name as written) → its full path and text, or null.</summary>
    public delegate (string Path, string Text)? IncludeReader(string fromFile, string name);

    public static Dictionary<string, Position> Scan(string text, string file, IncludeReader include)
    {
        var found = new Dictionary<string, Position>(StringComparer.Ordinal);
        try { new Walker(text, file, found, include, 0).Object("", braced: false); }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentException or InvalidOperationException) { } // keep what was found
        return found;
    }

    private sealed class Walker(string t, string file, Dictionary<string, Position> found, IncludeReader include, int depth)
    {
        private int _i, _line = 1;

        private bool End => _i >= t.Length;
        private char C => t[_i];

        public void Object(string prefix, bool braced)
        {
            while (true)
            {
                SkipBlank(commas: true);
                if (End) return;
                if (C == '}') { _i++; if (braced) return; continue; }
                if (IsWord("include")) { Include(prefix); continue; }
                int line = _line;
                var segments = Key();
                if (segments.Count == 0) { _i++; continue; } // something this walker does not follow: step over it
                var path = prefix;
                for (int k = 0; k < segments.Count - 1; k++) found.TryAdd(path = ConfigPath.Key(path, segments[k]), new(file, line)); // a.b.c = 1 also writes a and a.b
                path = ConfigPath.Key(path, segments[^1]);
                SkipSpaces();
                if (End) return;
                if (C == '{') { found[path] = new(file, line); _i++; Object(path, braced: true); continue; }
                if (C is '=' or ':') _i++;
                else if (C == '+' && Next == '=') _i += 2;
                else { SkipLine(); continue; }
                found[path] = new(file, line);
                Value(path);
            }
        }

        private void Value(string path)
        {
            SkipBlank(commas: false);
            if (End) return;
            if (C == '{') { _i++; Object(path, braced: true); return; }
            if (C == '[') { _i++; List(path); return; }
            while (!End && C is not ('\n' or ',' or '}' or ']') && !AtComment())
            {
                if (C == '"') SkipString();
                else if (C == '$' && Next == '{') { while (!End && C != '}') _i++; _i++; }
                else _i++;
            }
        }

        private void List(string path)
        {
            for (int index = 0; ; index++)
            {
                SkipBlank(commas: true);
                if (End) return;
                if (C == ']') { _i++; return; }
                var element = ConfigPath.Index(path, index);
                found[element] = new(file, _line);
                int before = _i;
                Value(element);
                if (_i == before) _i++; // a stray closer: step over it rather than stand still
            }
        }

        /// <summary>include "x" / include required("x") / include file("x") / include required(file("x")): the file's keys, under this prefix.</summary>
        private void Include(string prefix)
        {
            _i += "include".Length;
            SkipSpaces();
            int parens = 0;
            while (!End && C != '"' && C != '\n') { if (C == '(') parens++; _i++; }
            if (End || C != '"') return;
            int start = _i + 1;
            SkipString();
            var name = t[start..(_i - 1)];
            for (; parens > 0 && !End; _i++) if (C == ')') parens--;
            if (depth > 16 || include(file, name) is not { } inc) return;
            new Walker(inc.Text, inc.Path, found, include, depth + 1).Object(prefix, braced: false);
        }

        /// <summary>A key: unquoted segments split at dots, quoted ones whole.</summary>
        private List<string> Key()
        {
            var segments = new List<string>();
            var current = new System.Text.StringBuilder();
            bool any = false;
            while (!End)
            {
                char c = C;
                if (c == '"')
                {
                    int start = _i + 1;
                    SkipString();
                    current.Append(t[start..(_i - 1)]);
                    any = true;
                    continue;
                }
                if (c == '.') { if (any) segments.Add(current.ToString()); current.Clear(); any = false; _i++; continue; }
                if (char.IsWhiteSpace(c) || c is '=' or ':' or '{' or '}' or '[' or ']' or ',' or '#' || (c == '+' && Next == '=') || AtComment()) break;
                current.Append(c);
                any = true;
                _i++;
            }
            if (any) segments.Add(current.ToString().Trim());
            return segments;
        }

        private char Next => _i + 1 < t.Length ? t[_i + 1] : '\0';

        private bool IsWord(string word) =>
            string.CompareOrdinal(t, _i, word, 0, word.Length) == 0 && _i + word.Length < t.Length && t[_i + word.Length] is ' ' or '\t' or '"';

        private bool AtComment() => C == '#' || (C == '/' && Next == '/');

        private void SkipSpaces() { while (!End && C is ' ' or '\t' or '\r') _i++; }

        private void SkipLine() { while (!End && C != '\n') _i++; }

        private void SkipBlank(bool commas)
        {
            while (!End)
            {
                if (C == '\n') { _line++; _i++; }
                else if (char.IsWhiteSpace(C) || (commas && C == ',')) _i++;
                else if (AtComment()) SkipLine();
                else return;
            }
        }

        /// <summary>Steps over a quoted or triple-quoted string starting at the opening quote, counting its lines.</summary>
        private void SkipString()
        {
            bool triple = Next == '"' && _i + 2 < t.Length && t[_i + 2] == '"';
            _i += triple ? 3 : 1;
            while (!End)
            {
                if (C == '\n') _line++;
                if (triple ? string.CompareOrdinal(t, _i, "\"\"\"", 0, 3) == 0 : C == '"') { _i += triple ? 3 : 1; return; }
                if (!triple && C == '\\') _i++;
                _i++;
            }
        }
    }
}
