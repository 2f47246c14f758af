using Akka.Configuration.Hocon;
using VirtCca.Interconnect;

namespace VirtCca.Launcher.Config;

/// <summary>
/// Typed reads of one HOCON object's fields (an operation, a guest, a realm block). A field it does not
/// know is an error with a suggestion, like a misspelt top-level key; every error names the field's
/// full path (<see cref="ConfigPathException"/>). Absent and null fields are alike.
/// </summary>
public sealed class Fields
{
    private readonly HoconObject _object;

    /// <param name="what">names a field in messages, e.g. "field of a guest"</param>
    public Fields(HoconValue value, string path, IReadOnlyCollection<string> known, string what)
    {
        if (!value.IsObject()) throw new ConfigPathException(path, "expected an object { ... }");
        _object = value.GetObject();
        Path = path;
        foreach (var key in _object.Items.Keys)
            if (!known.Contains(key)) throw new ConfigPathException(ConfigPath.Key(path, key), DidYouMean.Unknown(key, known, what));
    }

    public string Path { get; }

    public string At(string key) => ConfigPath.Key(Path, key);

    public ConfigPathException Error(string key, string problem) => new(At(key), problem);

    public HoconValue? Value(string key) => _object.Items.TryGetValue(key, out var v) && !Hocon.IsNull(v) ? v : null;

    public bool Has(string key) => Value(key) != null;

    public string Raw(string key)
    {
        var v = Value(key) ?? throw Error(key, "missing");
        if (v.IsObject() || Hocon.IsList(v)) throw Error(key, "expected a single value, found an object or list");
        return v.GetString()?.Trim() ?? "";
    }

    public long Long(string key, long? fallback = null, long min = 0, long max = long.MaxValue)
    {
        if (!Has(key) && fallback is { } f) return f;
        return Scalars.Long(Raw(key), min, max, out var n) is { } problem ? throw Error(key, problem) : n;
    }

    public int Int(string key, int? fallback = null, int min = 0, int max = int.MaxValue) => (int)Long(key, fallback, min, max);

    public double Double(string key, double min, double max) =>
        Scalars.Double(Raw(key), min, max, out var d) is { } problem ? throw Error(key, problem) : d;

    public bool Bool(string key, bool fallback) =>
        !Has(key) ? fallback : Scalars.Bool(Raw(key), out var b) is { } problem ? throw Error(key, problem) : b;

    public string OneOf(string key, string? fallback, params string[] allowed)
    {
        if (!Has(key)) return fallback ?? throw Error(key, "missing");
        var v = Raw(key);
        return Scalars.OneOf(v, allowed) is { } problem ? throw Error(key, problem) : v;
    }

    public SimTime Time(string key, bool positive = true) =>
        Scalars.Time(Raw(key), positive, out var t) is { } problem ? throw Error(key, problem) : t;

    public long Bytes(string key) => Scalars.Bytes(Raw(key), out var b) is { } problem ? throw Error(key, problem) : b;

    public ulong Address(string key) => Scalars.Address(Raw(key), out var a) is { } problem ? throw Error(key, problem) : a;
}

/// <summary>What Akka's HOCON values are, in the cases its own predicates get wrong.</summary>
public static class Hocon
{
    public static bool IsNull(HoconValue v) => !v.IsObject() && !IsList(v) && v.Values.Count <= 1 && v.GetString() == null;

    /// <summary>A list, including the empty one: Akka reads `[]` as an array that is not IsArray(), and `[ ]` as one holding a valueless element.</summary>
    public static bool IsList(HoconValue v) => v.IsArray() || IsEmptyList(v);

    public static bool IsEmptyList(HoconValue v) => v.Values.OfType<HoconArray>().FirstOrDefault() is { } list && list.All(e => e.Values.Count == 0);

    public static IReadOnlyList<HoconValue> Elements(HoconValue v) => IsEmptyList(v) ? [] : v.GetArray().ToArray();
}
