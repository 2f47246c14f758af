using VirtCca.Interconnect;

namespace VirtCca.Cores.Timers;

/// <summary>Which of a PE's generic timers (each raises its own PPI).</summary>
public enum TimerKind { Physical, Virtual }

/// <summary>
/// One Arm generic timer of a PE (CNTP/CNTV: CTL.ENABLE, CTL.IMASK, CVAL), counting at CNTFRQ.
/// It asserts its PPI when enabled, unmasked and the count reaches CVAL; the time of that, in
/// picoseconds, is exact when the counter period is a whole number of picoseconds.
/// </summary>
public sealed class GenericTimer(TimerKind kind, long cntfrqHz, ulong virtualOffset = 0)
{
    /// <summary>PPIs of the non-secure EL1 physical and the virtual timer.</summary>
    public const int PhysicalPpi = 30, VirtualPpi = 27;

    public TimerKind Kind { get; } = kind;
    public int Ppi => Kind == TimerKind.Virtual ? VirtualPpi : PhysicalPpi;
    public bool Enabled { get; private set; }
    public bool Masked { get; private set; }
    public ulong CompareValue { get; private set; }

    /// <summary>Counter ticks at simulated time <paramref name="now"/> (the virtual counter subtracts CNTVOFF).</summary>
    public ulong Count(SimTime now)
    {
        ulong physical = (ulong)(now.Picoseconds / PeriodPs);
        return Kind == TimerKind.Virtual ? physical - virtualOffset : physical;
    }

    private long PeriodPs => 1_000_000_000_000 / cntfrqHz;

    /// <summary>Writes CVAL and CTL.</summary>
    public void Arm(ulong compareValue, bool enable = true, bool mask = false)
    {
        if (1_000_000_000_000 % cntfrqHz != 0) throw new ArgumentException($"CNTFRQ {cntfrqHz} Hz has no whole-picosecond period");
        CompareValue = compareValue; Enabled = enable; Masked = mask;
    }

    public void Disable() => Enabled = false;

    /// <summary>CNTV_CTL_EL0 / CNTP_CTL_EL0 bits.</summary>
    public const ulong CtlEnable = 1, CtlImask = 2, CtlIstatus = 4;

    /// <summary>The control register as software reads it (ISTATUS when the condition holds at <paramref name="now"/>).</summary>
    public ulong Control(SimTime now) => (Enabled ? CtlEnable : 0) | (Masked ? CtlImask : 0) | (Enabled && Count(now) >= CompareValue ? CtlIstatus : 0);

    /// <summary>
    /// When a timer with this control and compare value (as an exit record reports them) fires, on a
    /// counter at <paramref name="cntfrqHz"/> with no offset; null when disabled or masked.
    /// </summary>
    public static SimTime? FiresAt(ulong ctl, ulong cval, long cntfrqHz, SimTime now)
    {
        if ((ctl & CtlEnable) == 0 || (ctl & CtlImask) != 0) return null;
        var at = new SimTime((long)cval * (1_000_000_000_000 / cntfrqHz));
        return at > now ? at : now;
    }

    /// <summary>When the timer's condition becomes true (now, if already), or null if it never will.</summary>
    public SimTime? FiresAt(SimTime now)
    {
        if (!Enabled || Masked) return null;
        ulong physicalCval = Kind == TimerKind.Virtual ? CompareValue + virtualOffset : CompareValue;
        var at = new SimTime((long)physicalCval * PeriodPs);
        return at > now ? at : now;
    }
}
