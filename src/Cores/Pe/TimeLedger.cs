using VirtCca.Cores.Host;
using VirtCca.SecureMonitor;

namespace VirtCca.Cores.Pe;

/// <summary>
/// A PE's time breakdown with a cursor: every picosecond from zero to <see cref="Cursor"/> is charged
/// to exactly one category, in order, so the categories always add up to the time accounted for.
/// Steps are charged when they start, so the cursor may run ahead of the current time. Each charge is
/// also attributed to the guest the work was for (if any) and to its phase, and idle time is split into
/// waiting (a vCPU of this CPU has more to do) and finished (none has).
/// </summary>
public sealed class TimeLedger
{
    private readonly List<TimeBreakdown> _byGuest = new();
    private readonly long[] _phase = new long[Enum.GetValues<HostPhase>().Length];

    public TimeBreakdown Breakdown { get; } = new();
    public long Cursor { get; private set; }
    public long this[TimeCategory c] => Breakdown[c];

    /// <summary>The guest (index) the PE works for now, or -1.</summary>
    public int Guest { get; set; } = -1;
    /// <summary>The phase of what the PE does now (creation and teardown SMCs of a VMM; everything else runs).</summary>
    public HostPhase Phase { get; set; }
    /// <summary>Idle time while every vCPU placed on this CPU had finished or stopped.</summary>
    public long IdleFinished { get; private set; }
    public long IdleWaiting => Breakdown[TimeCategory.Idle] - IdleFinished;

    /// <summary>Busy (non-idle) picoseconds charged in a phase.</summary>
    public long PhaseBusy(HostPhase p) => _phase[(int)p];

    /// <summary>The busy time of the run phase by category: what the guests' work cost, without creating and destroying them.</summary>
    public TimeBreakdown RunBreakdown { get; } = new();

    /// <summary>The breakdown of the time charged for guest <paramref name="guest"/> (empty if none was).</summary>
    public TimeBreakdown OfGuest(int guest) => guest < _byGuest.Count ? _byGuest[guest] : new TimeBreakdown();

    public void Charge(TimeCategory category, long ps)
    {
        Breakdown.Add(category, ps);
        Cursor += ps;
        if (category == TimeCategory.Idle || ps == 0) return;
        _phase[(int)Phase] += ps;
        if (Phase == HostPhase.Run) RunBreakdown.Add(category, ps);
        if (Guest < 0) return;
        while (_byGuest.Count <= Guest) _byGuest.Add(new TimeBreakdown());
        _byGuest[Guest].Add(category, ps);
    }

    /// <summary>Charges everything from the cursor up to <paramref name="time"/>.</summary>
    public void ChargeUntil(TimeCategory category, long time)
    {
        if (time < Cursor) throw new InvalidOperationException($"charging {category} until {time} ps, but {Cursor} ps are already accounted for");
        Charge(category, time - Cursor);
    }

    /// <summary>Idle from the cursor to <paramref name="time"/>; <paramref name="finished"/>: nothing was left to do.</summary>
    public void IdleUntil(long time, bool finished)
    {
        long before = Cursor;
        ChargeUntil(TimeCategory.Idle, time);
        if (finished) IdleFinished += Cursor - before;
    }

    /// <summary>For reports: the PE idled from the cursor to <paramref name="end"/>.</summary>
    public void CloseAt(long end, bool finished) { if (end > Cursor) IdleUntil(end, finished); }
}
