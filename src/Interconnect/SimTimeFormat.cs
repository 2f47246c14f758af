using System.Globalization;

namespace VirtCca.Interconnect;

/// <summary>Reads durations such as "10 us", "2.5ns", "1000 ps" into exact picoseconds.</summary>
public static class SimTimeFormat
{
    private static readonly (string Unit, long Ps)[] Units =
        [("ps", 1), ("ns", 1_000), ("us", 1_000_000), ("µs", 1_000_000), ("ms", 1_000_000_000), ("s", 1_000_000_000_000)];

    public static bool TryParse(string text, out SimTime time, out string error)
    {
        time = default;
        var s = text.Trim();
        foreach (var (unit, ps) in Units.OrderByDescending(u => u.Unit.Length))
        {
            if (!s.EndsWith(unit, StringComparison.Ordinal)) continue;
            var number = s[..^unit.Length].Trim();
            if (number.Length == 0 || char.IsLetter(number[^1])) continue;
            if (!decimal.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                error = $"'{text}' is not a number followed by a unit";
                return false;
            }
            var total = value * ps;
            if (total != decimal.Truncate(total)) { error = $"'{text}' is not a whole number of picoseconds"; return false; }
            if (total < 0) { error = $"'{text}' is negative"; return false; }
            if (total > long.MaxValue) { error = $"'{text}' is too large"; return false; }
            time = new SimTime((long)total);
            error = "";
            return true;
        }
        error = $"'{text}' has no time unit (use ps, ns, us, ms or s, e.g. \"10 us\")";
        return false;
    }
}
