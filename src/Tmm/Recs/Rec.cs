using VirtCca.Tmm.Attestation;
using VirtCca.Tmm.Realms;

namespace VirtCca.Tmm.Recs;

/// <summary>Why the last exit happened, for checking EMUL_MMIO / INJECT_SEA on the next entry.</summary>
public sealed record LastAbort(bool Emulatable, bool Unprotected, bool IsWrite, int Rt, int Size, GuestStep Step);

/// <summary>One REC: a Realm vCPU's context held by the TMM (§3.3).</summary>
public sealed class Rec(ulong pa, Realm realm, int index, bool runnable, ulong pc, ulong[] gprs, ulong[] aux)
{
    public ulong Pa { get; } = pa;
    public Realm Realm { get; } = realm;
    public int Index { get; } = index;
    public bool Runnable { get; set; } = runnable;
    public ulong Pc { get; set; } = pc;
    public ulong[] Gprs { get; } = gprs;
    public IReadOnlyList<ulong> Aux { get; } = aux;
    /// <summary>Which ABI's run page the host gives this REC: a TEC created through TMI reads and writes tmi_tec_run.</summary>
    public HostAbi RunAbi { get; set; } = HostAbi.Rmi;

    /// <summary>MPIDR this REC answers to (affinity fields from its index).</summary>
    public ulong Mpidr => Abi.Mpidr.Of(Index);

    /// <summary>A PSCI request to another REC (CPU_ON / AFFINITY_INFO) waiting for RMI_PSCI_COMPLETE.</summary>
    public (ulong Fid, ulong TargetMpidr, ulong EntryPoint, ulong Context)? PsciPending { get; set; }
    public LastAbort? LastAbort { get; set; }
    public (ulong Addr, ulong Top, ulong Value, bool ChangeDestroyed)? PendingRipas { get; set; }
    public ulong? PendingHostCall { get; set; }
    public AttestationSession? Attestation { get; set; }
    public GuestProgram Program { get; set; } = new();

    /// <summary>While the Realm runs on a simulated CPU (<see cref="Rmm.EnterOnCpu"/>): the run page REC_ENTER will return through.</summary>
    public ulong? RunningWith { get; set; }
    /// <summary>Whether the host asked WFI to exit (entry flag TRAP_WFI) for the current entry on a CPU.</summary>
    public bool TrapWfi { get; set; }

    /// <summary>The virtual GIC state the host gave on the last entry (ICH_HCR and 16 list registers), reported back on exit.</summary>
    public ulong GicHcr { get; set; }
    public ulong[] GicLrs { get; } = new ulong[16];

    /// <summary>The Realm's EL1 virtual timer (CNTV_CTL, CNTV_CVAL) as saved at its last trap on a CPU, reported in the exit record.</summary>
    public ulong CntvCtl { get; set; }
    public ulong CntvCval { get; set; }
}
