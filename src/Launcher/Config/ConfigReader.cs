using VirtCca.Interconnect;

namespace VirtCca.Launcher.Config;

/// <summary>Typed reads of one loaded config; every bad value becomes a <see cref="ConfigException"/> naming where it came from and its key.</summary>
public sealed class ConfigReader(LoadedConfig loaded)
{
    private ConfigException Bad(string key, string problem) => new(loaded.SourceOf(key), key, problem);

    /// <summary>The config itself, for readers of structured values (lists of operations, platform blocks).</summary>
    public Akka.Configuration.Config Config => loaded.Config;

    public LoadedConfig Loaded => loaded;

    /// <summary>True when the key holds something other than null.</summary>
    public bool Has(string key) => loaded.Config.HasPath(key) && !Hocon.IsNull(loaded.Config.GetValue(key));

    public string Raw(string key)
    {
        if (!Has(key)) throw Bad(key, "missing");
        var v = loaded.Config.GetValue(key);
        if (v.IsObject() || Hocon.IsList(v)) throw Bad(key, "expected a single value, found an object or list");
        return v.GetString()?.Trim() ?? "";
    }

    public string OneOf(string key, params string[] allowed) => Check(key, Scalars.OneOf(Raw(key), allowed), Raw(key));

    public long Long(string key, long min = long.MinValue, long max = long.MaxValue) => Check(key, Scalars.Long(Raw(key), min, max, out var n), n);

    public int Int(string key, int min = int.MinValue, int max = int.MaxValue) => (int)Long(key, min, max);

    /// <summary>A positive count, or null for "auto".</summary>
    public int? IntOrAuto(string key, int min = 1, int max = 4096) => Raw(key) == "auto" ? null : Int(key, min, max);

    public ulong ULong(string key)
    {
        var v = Raw(key);
        return ulong.TryParse(v, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n)
            ? n : throw Bad(key, $"'{v}' is not a non-negative whole number");
    }

    public double Double(string key, double min, double max) => Check(key, Scalars.Double(Raw(key), min, max, out var d), d);

    public bool Bool(string key) => Check(key, Scalars.Bool(Raw(key), out var b), b);

    public SimTime Time(string key, bool positive = true) => Check(key, Scalars.Time(Raw(key), positive, out var t), t);

    /// <summary>A time, or null when the value is the given word ("auto", "off").</summary>
    public SimTime? TimeOr(string key, string word) => Raw(key) == word ? null : Time(key);

    public ConfigException Error(string key, string problem) => Bad(key, problem);

    /// <summary>A reader's <see cref="ConfigPathException"/> as a config error naming where that path was written.</summary>
    public ConfigException Error(ConfigPathException e) => Bad(e.Path, e.Problem);

    private T Check<T>(string key, string? problem, T value) => problem == null ? value : throw Bad(key, problem);
}
