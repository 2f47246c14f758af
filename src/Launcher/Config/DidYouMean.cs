namespace VirtCca.Launcher.Config;

/// <summary>The message for a key nobody reads: the closest known one and the whole list.</summary>
public static class DidYouMean
{
    /// <param name="what">e.g. "setting", "field of compute"</param>
    /// <param name="prefix">printed before the suggestion, e.g. "sim." for a top-level section</param>
    public static string Unknown(string key, IReadOnlyCollection<string> known, string what, string prefix = "") =>
        known.Count == 0 ? $"unknown {what} (it takes none)" : $"unknown {what} {Suggest(key, known, prefix)}";

    /// <summary>"(did you mean X? known: …)"</summary>
    public static string Suggest(string key, IReadOnlyCollection<string> known, string prefix = "")
    {
        var hint = known.OrderBy(k => Distance(k, key)).ThenBy(k => k, StringComparer.Ordinal).First();
        return $"(did you mean {prefix}{hint}? known: {string.Join(", ", known)})";
    }

    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}
