namespace VirtCca.Launcher.Config;

/// <summary>
/// Akka's HOCON parser accepts an object or list that is never closed, silently dropping what
/// follows; a run on such a file would use settings the user never meant. This check finds the
/// unclosed or stray bracket first and names its line.
/// </summary>
internal static class BracketCheck
{
    public static void Verify(string text, string file)
    {
        var open = new Stack<(char Bracket, int Line)>();
        int line = 1;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\n') { line++; continue; }
            if (c == '#' || (c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
            {
                while (i + 1 < text.Length && text[i + 1] != '\n') i++;
                continue;
            }
            if (c == '"')
            {
                bool triple = i + 2 < text.Length && text[i + 1] == '"' && text[i + 2] == '"';
                i = triple ? SkipTriple(text, i + 3, ref line) : SkipQuoted(text, i + 1, file, line);
                continue;
            }
            if (c is '{' or '[') open.Push((c, line));
            else if (c is '}' or ']')
            {
                char want = c == '}' ? '{' : '[';
                if (open.Count == 0 || open.Peek().Bracket != want)
                    throw new ConfigException(file, null, $"HOCON syntax error: line {line}: '{c}' closes nothing");
                open.Pop();
            }
        }
        if (open.Count > 0)
        {
            var (b, l) = open.Peek();
            throw new ConfigException(file, null, $"HOCON syntax error: line {l}: '{b}' is never closed");
        }
    }

    private static int SkipQuoted(string text, int i, string file, int line)
    {
        for (; i < text.Length; i++)
        {
            if (text[i] == '\\') { i++; continue; }
            if (text[i] == '"') return i;
            if (text[i] == '\n') break;
        }
        throw new ConfigException(file, null, $"HOCON syntax error: line {line}: unterminated string");
    }

    private static int SkipTriple(string text, int i, ref int line)
    {
        for (; i + 2 < text.Length; i++)
        {
            if (text[i] == '\n') line++;
            if (text[i] == '"' && text[i + 1] == '"' && text[i + 2] == '"') return i + 2;
        }
        return text.Length;
    }
}
