using VirtCca.SecureMonitor;

namespace VirtCca.Cores.Pe;

/// <summary>
/// A PE's time breakdown with a cursor: every picosecond from zero to <see cref="Cursor"/> is charged
/// to exactly one category, in order, so the categories always add up to the time accounted for.
/// Steps are charged when they start, so the cursor may run ahead of the current time.
/// </summary>
public sealed class TimeLedger
{
    public TimeBreakdown Breakdown { get; } = new();
    public long Cursor { get; private set; }
    public long this[TimeCategory c] => Breakdown[c];

    public void Charge(TimeCategory category, long ps)
    {
        Breakdown.Add(category, ps);
        Cursor += ps;
    }

    /// <summary>Charges everything from the cursor up to <paramref name="time"/>.</summary>
    public void ChargeUntil(TimeCategory category, long time)
    {
        if (time < Cursor) throw new InvalidOperationException($"charging {category} until {time} ps, but {Cursor} ps are already accounted for");
        Charge(category, time - Cursor);
    }

    /// <summary>For reports: the PE idled from the cursor to <paramref name="end"/>.</summary>
    public void CloseAt(long end) { if (end > Cursor) ChargeUntil(TimeCategory.Idle, end); }
}
