using System.Globalization;
using VirtCca.Interconnect;

namespace VirtCca.Launcher.Config;

/// <summary>Parsing of single setting values; each returns the problem to report, or null when the value is good.</summary>
public static class Scalars
{
    public static string? Long(string v, long min, long max, out long n)
    {
        if (!long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out n)) return $"'{v}' is not a whole number";
        return n < min || n > max ? $"{n} is out of range [{min}, {max}]" : null;
    }

    public static string? Double(string v, double min, double max, out double d)
    {
        if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out d)) return $"'{v}' is not a number";
        return d < min || d > max ? $"{d} is out of range [{min}, {max}]" : null;
    }

    public static string? Bool(string v, out bool b)
    {
        b = v is "on" or "true" or "yes";
        return b || v is "off" or "false" or "no" ? null : $"'{v}' is not on/off";
    }

    public static string? OneOf(string v, IReadOnlyCollection<string> allowed) =>
        allowed.Contains(v) ? null : $"'{v}' is not one of: {string.Join(", ", allowed)}";

    public static string? Time(string v, bool positive, out SimTime t)
    {
        if (!SimTimeFormat.TryParse(v, out t, out var error)) return error;
        return positive && t.Picoseconds <= 0 ? "must be greater than zero" : null;
    }

    private static readonly (string Unit, long Bytes)[] SizeUnits =
    [
        ("B", 1), ("KiB", 1L << 10), ("MiB", 1L << 20), ("GiB", 1L << 30), ("TiB", 1L << 40),
        ("K", 1L << 10), ("M", 1L << 20), ("G", 1L << 30), ("T", 1L << 40),
        ("kB", 1_000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("TB", 1_000_000_000_000),
    ];

    /// <summary>A size such as "16 GiB", "64 KiB" or "4096" (bytes); KiB/MiB/GiB/TiB (and K/M/G/T) are powers of 1024, kB/MB/GB/TB of 1000.</summary>
    public static string? Bytes(string v, out long bytes)
    {
        bytes = 0;
        var s = v.Trim();
        int split = 0;
        while (split < s.Length && (char.IsAsciiDigit(s[split]) || s[split] is '.' or '_')) split++;
        var number = s[..split].Replace("_", "");
        var unit = s[split..].Trim();
        long scale = unit.Length == 0 ? 1 : SizeUnits.FirstOrDefault(u => u.Unit == unit).Bytes;
        if (scale == 0) return $"'{v}': unknown size unit '{unit}' (B, KiB, MiB, GiB, TiB; kB, MB, GB, TB)";
        if (!decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n)) return $"'{v}' is not a size such as \"16 GiB\"";
        var total = n * scale;
        if (total != decimal.Truncate(total) || total > long.MaxValue) return $"'{v}' is not a whole number of bytes";
        bytes = (long)total;
        return null;
    }

    /// <summary>A number or a "0x…" string (underscores allowed), e.g. an address or a function id.</summary>
    public static string? Address(string text, out ulong v)
    {
        string s = text.Replace("_", "");
        bool ok = s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(s.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out v)
            : ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out v);
        return ok ? null : $"'{s}' is not an address (a number or \"0x…\")";
    }
}
