using Akka.Configuration.Hocon;
using VirtCca.Launcher.Config;

namespace VirtCca.Launcher.Run;

/// <summary>One combination of a sweep: the settings it overrides, as (key, value) pairs and as overrides that name the sweep value they came from.</summary>
public sealed record SweepRun(int Index, IReadOnlyList<(string Key, string Value)> Settings, IReadOnlyList<Override> Overrides)
{
    public static string Quote(string v) => v.Any(c => char.IsWhiteSpace(c) || c is ',' or '#' or '"') ? $"\"{v.Replace("\"", "\\\"")}\"" : v;
}

/// <summary>The combinations a config's <c>sweep { }</c> asks for; keys sorted so the order never depends on the file's layout.</summary>
public sealed record SweepPlan(IReadOnlyList<string> Keys, IReadOnlyList<SweepRun> Runs)
{
    public const int MaxRuns = 10_000;

    public static SweepPlan From(LoadedConfig loaded)
    {
        var config = loaded.Config;
        if (!config.HasPath("sweep")) return new([], []);
        var value = config.GetValue("sweep");
        if (value.IsString() && value.GetString() is null or "null") return new([], []); // --set sweep=null: run the file once
        if (!value.IsObject()) throw new ConfigException(loaded.SourceOf("sweep"), "sweep", "must be an object { \"setting.path\" = [values...] }");
        var axes = new List<(string Key, string[] Values, Override[] Overrides)>();
        foreach (var (rawKey, list) in value.GetObject().Items.OrderBy(kv => kv.Key.Trim('"'), StringComparer.Ordinal))
        {
            string key = rawKey.Trim('"');
            string path = ConfigPath.Key("sweep", key);
            ConfigException Bad(string problem) => new(loaded.SourceOf(path), path, problem);
            if (key == "sweep" || key.StartsWith("sweep.", StringComparison.Ordinal) || key.StartsWith("cluster.", StringComparison.Ordinal))
                throw Bad("cluster settings and the sweep itself cannot be swept");
            if (!config.HasPath(key) || config.GetValue(key).IsObject())
                throw Bad("is not a setting (give the full path of one value, e.g. \"machine.configuration\")");
            if (!list.IsArray()) throw Bad("must be a list of values, e.g. [1, 2, 4]");
            var values = list.GetArray().Select(v => v.IsString() ? v.GetString() : throw Bad("values must be single values, not objects or lists")).ToArray();
            if (values.Length == 0) throw Bad("the list is empty");
            // A value the run refuses is blamed on this line of the sweep, not on an override the user never typed.
            var overrides = values.Select((v, i) =>
                new Override(key, SweepRun.Quote(v), $"{loaded.SourceOf(ConfigPath.Index(path, i))} (sweep value {v} of \"{key}\")")).ToArray();
            axes.Add((key, values, overrides));
        }
        if (axes.Count == 0) return new([], []);
        long count = axes.Aggregate(1L, (n, a) => n * a.Values.Length);
        if (count > MaxRuns) throw new ConfigException(loaded.SourceOf("sweep"), "sweep", $"{count} combinations; at most {MaxRuns}");

        var runs = new List<SweepRun>();
        var index = new int[axes.Count];
        for (int r = 0; r < count; r++)
        {
            runs.Add(new SweepRun(r, axes.Select((a, i) => (a.Key, a.Values[index[i]])).ToArray(), axes.Select((a, i) => a.Overrides[index[i]]).ToArray()));
            for (int i = axes.Count - 1; i >= 0 && ++index[i] == axes[i].Values.Length; i--) index[i] = 0; // the last key varies fastest
        }
        return new(axes.Select(a => a.Key).ToArray(), runs);
    }
}
