namespace VirtCca.SecureMonitor;

/// <summary>Where simulated time is spent (the PE's breakdown).</summary>
public enum TimeCategory { Guest, Kvm, Monitor, Tmm, Idle }

/// <summary>Accumulates a PE's time by category, in picoseconds; the parts always add up to the whole.</summary>
public sealed class TimeBreakdown
{
    private readonly long[] _ps = new long[Enum.GetValues<TimeCategory>().Length];

    public long this[TimeCategory c] => _ps[(int)c];
    public long Total => _ps.Sum();

    public void Add(TimeCategory category, long picoseconds)
    {
        if (picoseconds < 0) throw new ArgumentOutOfRangeException(nameof(picoseconds), $"{category}: {picoseconds} ps");
        _ps[(int)category] += picoseconds;
    }

    /// <summary>Charges every step of a flow at <paramref name="hz"/>; returns the picoseconds charged.</summary>
    public long Charge(IEnumerable<Step> steps, long hz)
    {
        long total = 0;
        foreach (var s in steps)
        {
            long ps = s.Picoseconds(hz);
            Add(s.Category, ps);
            total += ps;
        }
        return total;
    }

    public override string ToString() => string.Join(", ", Enum.GetValues<TimeCategory>().Select(c => $"{c}={this[c]}"));
}
