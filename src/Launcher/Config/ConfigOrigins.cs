namespace VirtCca.Launcher.Config;

/// <summary>A setting given on top of the file: <c>--set key=value</c>, or one value of a sweep. <paramref name="Source"/> is how errors name it.</summary>
public sealed record Override(string Key, string Value, string Source)
{
    public const string SetSource = "--set";

    /// <summary>Parses a <c>--set</c> argument, "key=value".</summary>
    public static Override FromSet(string set)
    {
        int eq = set.IndexOf('=');
        if (eq <= 0) throw new ConfigException(SetSource, set, "expected key=value, e.g. --set sim.threads=2");
        return new(set[..eq].Trim(), set[(eq + 1)..].Trim(), SetSource);
    }
}

/// <summary>
/// Where each value of a loaded config came from, for error messages: the override that set it (the
/// last one wins, as in the config), else the file and line that wrote it (its own, or an included
/// file's), else the experiment file (a default from reference.conf that the file left alone).
/// </summary>
public sealed class ConfigOrigins(string file, IReadOnlyDictionary<string, HoconLocator.Position> written, IReadOnlyList<Override> overrides)
{
    /// <summary>No positions and nothing set by the user: a config handed over already checked (a worker's).</summary>
    public static ConfigOrigins None(string file) => new(file, new Dictionary<string, HoconLocator.Position>(), []);

    public string SourceOf(string path)
    {
        for (int i = overrides.Count - 1; i >= 0; i--)
            if (ConfigPath.Covers(overrides[i].Key, path)) return overrides[i].Source;
        for (string? p = path; p != null; p = ConfigPath.Parent(p))
            if (written.TryGetValue(p, out var at)) return at.ToString();
        return file;
    }

    /// <summary>True when the user's file, an include or an override gave this path (not only reference.conf).</summary>
    public bool IsSet(string path) => written.ContainsKey(path) || overrides.Any(o => ConfigPath.Covers(o.Key, path));
}
