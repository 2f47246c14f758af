namespace VirtCca.Cores.Pe;

/// <summary>What a PE is doing: one state at a time, changed only along the transitions the flows allow.</summary>
public enum PeState
{
    /// <summary>Powered off (PSCI CPU_OFF) until another CPU powers it on.</summary>
    Off,
    /// <summary>At NS-EL2 with nothing to run (the host's idle loop).</summary>
    Idle,
    /// <summary>Host software runs a step at NS-EL2 (KVM, the scheduler, the VMM's SMC set-up).</summary>
    Host,
    /// <summary>A world-switch flow runs its local steps (traps, EL3, context swaps).</summary>
    Switching,
    /// <summary>A flow waits for the TMM's answer; the TMM's work is this PE's time.</summary>
    AwaitingTmm,
    /// <summary>A vCPU runs guest code.</summary>
    Guest,
    /// <summary>The guest waits for a memory access.</summary>
    GuestStalled,
}

/// <summary>The transitions the PE's flows allow; any other is a bug in a flow, reported as such.</summary>
public static class PeTransitions
{
    private static readonly PeState[][] Allowed = new PeState[Enum.GetValues<PeState>().Length][];

    static PeTransitions()
    {
        Allow(PeState.Off, PeState.Idle);
        Allow(PeState.Idle, PeState.Host, PeState.Switching, PeState.Guest, PeState.Idle);
        Allow(PeState.Host, PeState.Host, PeState.Switching, PeState.Guest, PeState.Idle);
        Allow(PeState.Switching, PeState.Switching, PeState.AwaitingTmm, PeState.Host, PeState.Guest, PeState.Idle, PeState.Off);
        Allow(PeState.AwaitingTmm, PeState.Switching, PeState.Host, PeState.Guest);
        Allow(PeState.Guest, PeState.Guest, PeState.GuestStalled, PeState.Switching, PeState.Idle);
        Allow(PeState.GuestStalled, PeState.Guest, PeState.Switching);
    }

    private static void Allow(PeState from, params PeState[] to) => Allowed[(int)from] = to;

    public static bool IsAllowed(PeState from, PeState to) => Array.IndexOf(Allowed[(int)from], to) >= 0;
}
