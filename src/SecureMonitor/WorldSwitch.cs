using VirtCca.Interconnect;

namespace VirtCca.SecureMonitor;

/// <summary>What EL3 does to the register contexts during a step.</summary>
public enum WorldChange
{
    None,
    /// <summary>Save the normal world; in virtcca-sel2 also restore the S-EL2 context (not in virtcca-el3: the TMM lives in EL3).</summary>
    ToSecure,
    /// <summary>Save the secure context (virtcca-sel2 only) and restore the normal world's.</summary>
    ToNormal,
}

/// <summary>
/// One named, costed step of a flow. <paramref name="Level"/> is where the PE is during it. A step
/// <paramref name="ByTmm"/> is the TMM's work: the PE reaches it by a message to the TmmActor and the
/// TMM decides its cost, so <paramref name="Cycles"/> is what the configuration expects it to charge.
/// </summary>
public readonly record struct Step(string Name, long Cycles, TimeCategory Category, PeLevel Level,
    WorldChange Switch = WorldChange.None, bool ByTmm = false)
{
    public long Picoseconds(long hz) => SimTime.FromCycles(Cycles, hz).Picoseconds;
}

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
    /// <summary>A guest's exception entry into whoever handles it (KVM, the TMM, or EL3).</summary>
    public long GuestTrap { get; init; } = 530;          // tmm.guest_trap (D): half of kvm.hvc_rt
    public long TmmExitMarshal { get; init; } = 500;     // tmm.exit_marshal (E, assumed)
    public long TmmEntryMarshal { get; init; } = 500;    // tmm.entry_marshal (E, assumed)

    private long SmcIn => El3FastSmcRoundTrip / 2;
    private long SmcOut => El3FastSmcRoundTrip - SmcIn;
    internal long KvmNullHandling => KvmHvcRoundTrip - GuestTrap;

    internal Step SmcToEl3(string why) => new($"smc to EL3 ({why})", SmcIn, TimeCategory.Monitor, PeLevel.El3);
    internal Step SmcBackToEl3 => new("smc back to EL3", SmcOut, TimeCategory.Monitor, PeLevel.El3);
    internal Step EretToNs => new("eret to NS-EL2", SmcOut, TimeCategory.Monitor, PeLevel.NsEl2);
}

/// <summary>
/// The step sequences of the per-CPU software, per configuration: an RMI call from KVM, a guest exit
/// up to KVM's handler, the re-entry after it, an RSI call, and an SMC EL3 answers itself.
/// </summary>
public static class WorldSwitch
{
    /// <summary>KVM at NS-EL2 issues an RMI call and gets the answer back.</summary>
    public static IReadOnlyList<Step> RmiCall(PlatformConfiguration config, WorldSwitchCosts c) =>
    [
        .. ToSecure(config, c, "RMI call"),
        new("TMM handles the command", c.TmmCommandBase, TimeCategory.Tmm, TmmLevel(config), ByTmm: true),
        .. ToNormal(config, c),
    ];

    /// <summary>From the guest's trap until KVM's exit handler starts at NS-EL2.</summary>
    public static IReadOnlyList<Step> GuestExitLeg(PlatformConfiguration config, WorldSwitchCosts c) => config switch
    {
        PlatformConfiguration.Baseline => [new("guest trap to NS-EL2", c.GuestTrap, TimeCategory.Kvm, PeLevel.NsEl2)],
        _ =>
        [
            new("guest trap to the TMM", c.GuestTrap, TimeCategory.Tmm, TmmLevel(config)),
            new("TMM saves the REC, fills the exit record", c.TmmExitMarshal, TimeCategory.Tmm, TmmLevel(config), ByTmm: true),
            .. ToNormal(config, c),
        ],
    };

    /// <summary>After the TMM saved the REC and filled the exit record: from the secure world back to KVM at NS-EL2.</summary>
    public static IReadOnlyList<Step> ReturnToHost(PlatformConfiguration config, WorldSwitchCosts c) => [.. ToNormal(config, c)];

    /// <summary>KVM's handling of an exit at NS-EL2, including its return towards the guest.</summary>
    public static Step KvmHandling(long cycles, string what = "KVM handles the exit") => new(what, cycles, TimeCategory.Kvm, PeLevel.NsEl2);

    /// <summary>From KVM's (re-)entry request until the guest runs: REC_ENTER through EL3 in a realm, nothing more in the baseline.</summary>
    public static IReadOnlyList<Step> GuestEntryLeg(PlatformConfiguration config, WorldSwitchCosts c) => config switch
    {
        PlatformConfiguration.Baseline => [],
        _ =>
        [
            .. ToSecure(config, c, "REC_ENTER"),
            new("TMM loads the REC and list registers, eret", c.TmmEntryMarshal, TimeCategory.Tmm, TmmLevel(config), ByTmm: true),
        ],
    };

    /// <summary>A null exit (hypercall) handled by KVM and the re-entry: in a realm, through the TMM and two world switches each way.</summary>
    public static IReadOnlyList<Step> GuestExit(PlatformConfiguration config, WorldSwitchCosts c) =>
        [.. GuestExitLeg(config, c), KvmHandling(c.KvmNullHandling), .. GuestEntryLeg(config, c)];

    /// <summary>A realm's RSI call: trapped by the TMM, answered, straight back to the realm (no world switch).</summary>
    public static IReadOnlyList<Step> RsiCall(PlatformConfiguration config, WorldSwitchCosts c) => config switch
    {
        PlatformConfiguration.Baseline => throw new InvalidOperationException("the baseline has no TMM: RSI calls do not exist there"),
        _ =>
        [
            new("guest trap to the TMM", c.GuestTrap, TimeCategory.Tmm, TmmLevel(config)),
            new("TMM handles the RSI command and returns to the realm", c.TmmCommandBase, TimeCategory.Tmm, TmmLevel(config), ByTmm: true),
        ],
    };

    /// <summary>An SMC from NS-EL2 that EL3 answers itself (PSCI firmware, SMC_UNKNOWN): no world switch.</summary>
    public static IReadOnlyList<Step> FirmwareCall(WorldSwitchCosts c) => [c.SmcToEl3("firmware call"), c.EretToNs];

    public static long Total(IEnumerable<Step> steps) => steps.Sum(s => s.Cycles);

    private static PeLevel TmmLevel(PlatformConfiguration config) => config == PlatformConfiguration.VirtccaSel2 ? PeLevel.SEl2 : PeLevel.El3;

    private static IEnumerable<Step> ToSecure(PlatformConfiguration config, WorldSwitchCosts c, string why) => config switch
    {
        PlatformConfiguration.VirtccaSel2 =>
        [
            c.SmcToEl3(why),
            new("EL3 swaps NS-EL2 -> S-EL2", c.El3ContextSwap, TimeCategory.Monitor, PeLevel.SEl2, WorldChange.ToSecure),
        ],
        PlatformConfiguration.VirtccaEl3 =>
        [
            c.SmcToEl3(why),
            new("EL3 saves NS-EL2 (TMM inside EL3)", c.El3ContextSwapNoSel2, TimeCategory.Monitor, PeLevel.El3, WorldChange.ToSecure),
        ],
        _ => throw new InvalidOperationException("the baseline has no TMM: nothing crosses to the secure world"),
    };

    private static IEnumerable<Step> ToNormal(PlatformConfiguration config, WorldSwitchCosts c) => config switch
    {
        PlatformConfiguration.VirtccaSel2 =>
        [
            c.SmcBackToEl3,
            new("EL3 swaps S-EL2 -> NS-EL2", c.El3ContextSwap, TimeCategory.Monitor, PeLevel.NsEl2, WorldChange.ToNormal),
        ],
        PlatformConfiguration.VirtccaEl3 =>
        [
            new("EL3 restores NS-EL2", c.El3ContextSwapNoSel2, TimeCategory.Monitor, PeLevel.El3, WorldChange.ToNormal),
            c.EretToNs,
        ],
        _ => throw new InvalidOperationException("the baseline has no TMM: nothing crosses to the secure world"),
    };
}
