namespace VirtCca.Cores.Workloads;

/// <summary>
/// One operation of a vCPU's workload program (ARCHITECTURE §5): programs are data, read from HOCON
/// by <see cref="WorkloadReader"/>, and run by the vCPU's <see cref="ProgramRunner"/>.
/// </summary>
public abstract record Op;

/// <summary>Computes for <paramref name="Cycles"/>, taking <paramref name="TlbMissesPerThousandCycles"/> TLB misses per 1,000 cycles (each walks the regime's page tables; fractions are expected values).</summary>
public sealed record Compute(long Cycles, decimal TlbMissesPerThousandCycles = 0) : Op;

/// <summary>
/// The guest kernel maps (or, <paramref name="Unmap"/>, unmaps) <paramref name="Pages"/> pages of its address
/// space: it writes that many stage-1 entries (and invalidates their TLB entries when unmapping) — a page
/// fault, mmap, munmap, fork. Under virtcca-el3's shadow mapping the TMM owns the realm's tables, so the
/// guest asks it: one SMC per <paramref name="Batch"/> entries, each entry checked and written by the TMM.
/// </summary>
public sealed record MapPages(int Pages, bool Unmap = false, int Batch = 1) : Op;

/// <summary>An operation the guest's drivers carry out (its devices' I/O): the PE hands it to the guest's <see cref="Io.GuestIo"/>.</summary>
public interface IGuestIoOp;

/// <summary>A load or store that goes to memory through the TZASC; the guest stalls until it returns.</summary>
public sealed record Touch(ulong Address, int Bytes = 64, bool Write = false) : Op;

/// <summary>A device register access: a stage-2 data abort that KVM emulates in the kernel, or in the VMM when not <paramref name="InKernel"/>.</summary>
public sealed record Mmio(ulong Address, bool Write = false, bool InKernel = true) : Op;

/// <summary>HVC to the host.</summary>
public sealed record Hypercall(ulong Function = 0) : Op;

/// <summary>An RSI call (SMC from a realm to the TMM) with up to five arguments in X1..X5. In the baseline KVM traps the SMC and answers SMC_UNKNOWN.</summary>
public sealed record RsiCall(ulong Fid, params ulong[] Args) : Op
{
    public ulong Arg(int i) => i < Args.Length ? Args[i] : 0;
}

/// <summary>Writes ICC_SGI1R_EL1 to send SGI <paramref name="Intid"/> to vCPU <paramref name="TargetVcpu"/> (a trapped system-register access).</summary>
public sealed record SendIpi(int TargetVcpu, int Intid = 1) : Op;

/// <summary>PSCI CPU_ON for vCPU <paramref name="TargetVcpu"/> (an SMC in a realm, which the TMM hands to KVM; an HVC KVM handles in a normal VM).</summary>
public sealed record PsciCpuOn(int TargetVcpu) : Op;

/// <summary>PSCI CPU_OFF: this vCPU powers itself off until another one's CPU_ON.</summary>
public sealed record PsciCpuOff : Op;

/// <summary>PSCI AFFINITY_INFO: is vCPU <paramref name="TargetVcpu"/> on? (In a realm KVM answers the TMM with RMI_PSCI_COMPLETE.)</summary>
public sealed record PsciAffinityInfo(int TargetVcpu) : Op;

/// <summary>
/// RSI_IPA_STATE_SET: the realm asks for [<paramref name="Base"/>, <paramref name="Top"/>) to become RAM
/// (<paramref name="Ram"/>) or EMPTY (e.g. to share it with the host for I/O). The TMM hands the request
/// to KVM, which applies it with RMI_RTT_SET_RIPAS. In a normal VM it is an SMC KVM answers SMC_UNKNOWN.
/// </summary>
public sealed record IpaStateSet(ulong Base, ulong Top, bool Ram) : Op;

/// <summary>PSCI SYSTEM_OFF: the guest shuts its machine down; KVM stops every vCPU (and, for a realm, destroys it).</summary>
public sealed record SystemOff : Op;

/// <summary>PSCI SYSTEM_RESET: the guest reboots. KVM stops every vCPU, tears the guest down and builds it again (a realm through RMI), then starts vCPU 0 (or all); each vCPU's program goes on where it stopped.</summary>
public sealed record SystemReset : Op;

/// <summary>PSCI CPU_SUSPEND (power-down state 0): the vCPU sleeps until an interrupt; KVM treats it as WFI.</summary>
public sealed record PsciCpuSuspend : Op;

/// <summary>One WFI instruction: traps to KVM, which blocks the vCPU until a virtual interrupt is pending.</summary>
public sealed record Wfi : Op;

/// <summary>Arms the virtual timer <paramref name="Ticks"/> counter ticks from now (CNTV_CVAL, CNTV_CTL: no trap).</summary>
public sealed record ArmTimer(long Ticks) : Op;

/// <summary>Waits (WFI in a loop) until the guest has taken an interrupt it has not waited for yet.</summary>
public sealed record WaitInterrupt : Op;

/// <summary>Runs <paramref name="Body"/> <paramref name="Count"/> times; with <paramref name="Requests"/> each iteration is one request, whose latency the vCPU records.</summary>
public sealed record Loop(int Count, IReadOnlyList<Op> Body, bool Requests = false) : Op;

/// <summary>
/// Block I/O on the guest's virtio-blk device <paramref name="Device"/> (null: its only one): <paramref name="Requests"/>
/// requests of <paramref name="Bytes"/> each, at most <paramref name="Depth"/> in flight (fio's iodepth); the operation
/// ends when the last completes. Sectors are random within the first <paramref name="SpanBytes"/> of the disk, or
/// sequential from where this vCPU's last sequential request ended. Each request is what Linux's virtio-blk driver
/// does (descriptors, bounce buffers in a realm, the notify unless suppressed); the vCPU waits in WFI for completions.
/// </summary>
public sealed record BlockIo(string? Device, bool Write, int Bytes, long Requests = 1, int Depth = 1, bool Sequential = false, long SpanBytes = 64L << 20) : Op, IGuestIoOp;

/// <summary>Sends <paramref name="Count"/> packets of <paramref name="Bytes"/> payload bytes over virtio-net to station <paramref name="To"/> (a guest's name, or "machine/guest"), waiting only while the transmit ring is full.</summary>
public sealed record NetSend(string? Device, string To, int Bytes, long Count = 1) : Op, IGuestIoOp;

/// <summary>Waits until <paramref name="Count"/> packets have arrived on the guest's virtio-net device.</summary>
public sealed record NetReceive(string? Device, long Count = 1) : Op, IGuestIoOp;

/// <summary>
/// A server loop on virtio-net: each request that arrives is served for <paramref name="Cycles"/> (with
/// <paramref name="TlbMissesPerThousandCycles"/>) and answered with a response of the size the request asks for.
/// It ends after <paramref name="Requests"/> requests on this vCPU, or — with 0 — runs until the run ends (a server
/// waiting for requests that no longer come counts as finished).
/// </summary>
public sealed record Serve(string? Device, long Cycles, long Requests = 0, int TlbMissesPerThousandCycles = 0) : Op, IGuestIoOp;
