namespace VirtCca.Launcher.Config;

/// <summary>
/// Paths into a HOCON tree as errors print them and origins are looked up: keys joined by dots (quoted
/// when they hold anything but letters, digits, '-' and '_'), list elements as [i] —
/// e.g. <c>machine.guests[1].programs.all[0].body[2].target</c> or <c>sweep."machine.vcpus"[0]</c>.
/// </summary>
public static class ConfigPath
{
    public static string Key(string prefix, string key)
    {
        var k = IsPlain(key) ? key : $"\"{key.Replace("\"", "\\\"")}\"";
        return prefix.Length == 0 ? k : $"{prefix}.{k}";
    }

    public static string Index(string prefix, int i) => $"{prefix}[{i}]";

    /// <summary>The enclosing path (one key or index less), or null at the root.</summary>
    public static string? Parent(string path)
    {
        if (path.Length == 0) return null;
        if (path[^1] == ']') return path[..path.LastIndexOf('[')];
        int cut = path[^1] == '"' ? path.LastIndexOf('"', path.Length - 2) - 1 : path.LastIndexOf('.');
        return cut > 0 ? path[..cut] : "";
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="ancestor"/> or lies inside it.</summary>
    public static bool Covers(string ancestor, string path) =>
        path.StartsWith(ancestor, StringComparison.Ordinal)
        && (path.Length == ancestor.Length || path[ancestor.Length] is '.' or '[');

    private static bool IsPlain(string key) => key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
