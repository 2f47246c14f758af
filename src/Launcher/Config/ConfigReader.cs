using System.Globalization;
using VirtCca.Interconnect;

namespace VirtCca.Launcher.Config;

/// <summary>Typed reads of one loaded config; every bad value becomes a <see cref="ConfigException"/> naming its source and key.</summary>
public sealed class ConfigReader(LoadedConfig loaded)
{
    private ConfigException Bad(string key, string problem) => new(loaded.SourceOf(key), key, problem);

    /// <summary>The config itself, for readers of structured values (lists of operations, platform blocks).</summary>
    public Akka.Configuration.Config Config => loaded.Config;

    public string Raw(string key)
    {
        if (!loaded.Config.HasPath(key)) throw Bad(key, "missing");
        var v = loaded.Config.GetValue(key);
        if (v.IsObject() || v.IsArray()) throw Bad(key, "expected a single value, found an object or list");
        return v.GetString()?.Trim() ?? "";
    }

    public string OneOf(string key, params string[] allowed)
    {
        var v = Raw(key);
        return allowed.Contains(v) ? v : throw Bad(key, $"'{v}' is not one of: {string.Join(", ", allowed)}");
    }

    public long Long(string key, long min = long.MinValue, long max = long.MaxValue)
    {
        var v = Raw(key);
        if (!long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)) throw Bad(key, $"'{v}' is not a whole number");
        if (n < min || n > max) throw Bad(key, $"{n} is out of range [{min}, {max}]");
        return n;
    }

    public int Int(string key, int min = int.MinValue, int max = int.MaxValue) => (int)Long(key, min, max);

    /// <summary>A positive count, or null for "auto".</summary>
    public int? IntOrAuto(string key, int min = 1, int max = 4096) => Raw(key) == "auto" ? null : Int(key, min, max);

    public ulong ULong(string key)
    {
        var v = Raw(key);
        return ulong.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw Bad(key, $"'{v}' is not a non-negative whole number");
    }

    public double Double(string key, double min, double max)
    {
        var v = Raw(key);
        if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) throw Bad(key, $"'{v}' is not a number");
        if (d < min || d > max) throw Bad(key, $"{d} is out of range [{min}, {max}]");
        return d;
    }

    public bool Bool(string key)
    {
        var v = Raw(key);
        return v switch
        {
            "on" or "true" or "yes" => true,
            "off" or "false" or "no" => false,
            _ => throw Bad(key, $"'{v}' is not on/off"),
        };
    }

    public SimTime Time(string key, bool positive = true)
    {
        var v = Raw(key);
        if (!SimTimeFormat.TryParse(v, out var t, out var error)) throw Bad(key, error);
        if (positive && t.Picoseconds <= 0) throw Bad(key, "must be greater than zero");
        return t;
    }

    /// <summary>A time, or null when the value is the given word ("auto", "off").</summary>
    public SimTime? TimeOr(string key, string word) => Raw(key) == word ? null : Time(key);

    public ConfigException Error(string key, string problem) => Bad(key, problem);
}
