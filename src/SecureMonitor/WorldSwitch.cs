namespace VirtCca.SecureMonitor;

/// <summary>The three platform configurations (ARCHITECTURE §2).</summary>
public enum PlatformConfiguration { Baseline, VirtccaSel2, VirtccaEl3 }

/// <summary>Where simulated time is spent (the PE's breakdown).</summary>
public enum TimeCategory { Guest, Kvm, Monitor, Tmm, Idle }

/// <summary>One named, costed step of a flow.</summary>
public readonly record struct Step(string Name, long Cycles, TimeCategory Category);

/// <summary>
/// Named world-switch costs in cycles (defaults: ../shared/spec/costs.md §8.1–8.2, the table's tags
/// in comments). Every step of every flow is one of these, so a flow's cost is the sum of
/// configured numbers and nothing else.
/// </summary>
public sealed record WorldSwitchCosts
{
    public long KvmHvcRoundTrip { get; init; } = 1_060;  // kvm.hvc_rt (D): guest trap + return, handled at NS-EL2
    public long El3FastSmcRoundTrip { get; init; } = 470; // el3.fast_smc_rt (D)
    public long El3ContextSwap { get; init; } = 800;     // el3.ctx_swap (E, assumed)
    public long El3ContextSwapNoSel2 { get; init; } = 365; // virtcca-el3: 600 per direction − fast_smc/2 (E, assumed)
    public long TmmCommandBase { get; init; } = 300;     // tmm.cmd_base (E, assumed)
    public long TmmGuestTrap { get; init; } = 530;       // tmm.guest_trap (D): exception entry into the TMM
    public long TmmExitMarshal { get; init; } = 500;     // tmm.exit_marshal (E, assumed)
    public long TmmEntryMarshal { get; init; } = 500;    // tmm.entry_marshal (E, assumed)
}

/// <summary>The step sequences of an RMI call from KVM and of a realm exit and re-entry, per configuration.</summary>
public static class WorldSwitch
{
    /// <summary>KVM at NS-EL2 issues an RMI call and gets the answer back.</summary>
    public static IReadOnlyList<Step> RmiCall(PlatformConfiguration config, WorldSwitchCosts c) => config switch
    {
        PlatformConfiguration.Baseline => throw new InvalidOperationException("the baseline has no TMM: RMI calls do not exist there"),
        PlatformConfiguration.VirtccaSel2 =>
        [
            new("smc to EL3", c.El3FastSmcRoundTrip / 2, TimeCategory.Monitor),
            new("EL3 swaps NS-EL2 -> S-EL2", c.El3ContextSwap, TimeCategory.Monitor),
            new("TMM handles the command", c.TmmCommandBase, TimeCategory.Tmm),
            new("smc back to EL3", c.El3FastSmcRoundTrip - c.El3FastSmcRoundTrip / 2, TimeCategory.Monitor),
            new("EL3 swaps S-EL2 -> NS-EL2", c.El3ContextSwap, TimeCategory.Monitor),
        ],
        _ =>
        [
            new("smc to EL3", c.El3FastSmcRoundTrip / 2, TimeCategory.Monitor),
            new("EL3 saves NS-EL2 (TMM inside EL3)", c.El3ContextSwapNoSel2, TimeCategory.Monitor),
            new("TMM handles the command", c.TmmCommandBase, TimeCategory.Tmm),
            new("EL3 restores NS-EL2", c.El3ContextSwapNoSel2, TimeCategory.Monitor),
            new("eret to NS-EL2", c.El3FastSmcRoundTrip - c.El3FastSmcRoundTrip / 2, TimeCategory.Monitor),
        ],
    };

    /// <summary>A guest exit handled by KVM and the re-entry: in a realm, through the TMM and two world switches each way.</summary>
    public static IReadOnlyList<Step> GuestExit(PlatformConfiguration config, WorldSwitchCosts c) => config switch
    {
        PlatformConfiguration.Baseline => [new("guest trap to KVM and back", c.KvmHvcRoundTrip, TimeCategory.Kvm)],
        _ =>
        [
            new("guest trap to TMM", c.TmmGuestTrap, TimeCategory.Tmm),
            new("TMM saves the REC, fills the exit record", c.TmmExitMarshal, TimeCategory.Tmm),
            .. RmiReturnLeg(config, c),
            new("KVM handles the exit", c.KvmHvcRoundTrip - c.TmmGuestTrap, TimeCategory.Kvm),
            .. RmiCall(config, c).Where(s => s.Category == TimeCategory.Monitor).Take(2),
            new("TMM loads the REC and list registers, eret", c.TmmEntryMarshal, TimeCategory.Tmm),
        ],
    };

    private static IEnumerable<Step> RmiReturnLeg(PlatformConfiguration config, WorldSwitchCosts c) =>
        RmiCall(config, c).Where(s => s.Category == TimeCategory.Monitor).Skip(2);

    public static long Total(IEnumerable<Step> steps) => steps.Sum(s => s.Cycles);
}

/// <summary>Accumulates a PE's time by category, in picoseconds; the parts always add up to the whole.</summary>
public sealed class TimeBreakdown
{
    private readonly long[] _ps = new long[Enum.GetValues<TimeCategory>().Length];

    public long this[TimeCategory c] => _ps[(int)c];
    public long Total => _ps.Sum();

    public void Add(TimeCategory category, long picoseconds)
    {
        if (picoseconds < 0) throw new ArgumentOutOfRangeException(nameof(picoseconds));
        _ps[(int)category] += picoseconds;
    }

    /// <summary>Charges every step of a flow at <paramref name="hz"/>; returns the picoseconds charged.</summary>
    public long Charge(IEnumerable<Step> steps, long hz)
    {
        long total = 0;
        foreach (var s in steps)
        {
            long ps = VirtCca.Interconnect.SimTime.FromCycles(s.Cycles, hz).Picoseconds;
            Add(s.Category, ps);
            total += ps;
        }
        return total;
    }
}
