using VirtCca.Cores.Vcpu;
using VirtCca.Interconnect;
using VirtCca.Tmm.Abi;

namespace VirtCca.Cores.Host;

/// <summary>What host software decides when its PE has no host work left.</summary>
public enum HostDecisionKind { Idle, EnterVm, EnterRealm }

/// <summary>
/// Idle, or enter a vCPU: a normal VM's directly (its list registers already loaded into
/// <see cref="VcpuActor.Context"/>), a realm's with RMI_REC_ENTER(<see cref="Rec"/>, <see cref="Run"/>) —
/// the run page's entry half already written to memory. <see cref="Cycles"/> of host work come first
/// (the scheduler switching this CPU to another vCPU thread).
/// </summary>
public readonly record struct HostDecision(HostDecisionKind Kind, VcpuActor? Vcpu = null, ulong Rec = 0, ulong Run = 0, long Cycles = 0)
{
    /// <summary>The SMC that enters the realm vCPU: RMI_REC_ENTER unless the host speaks virtCCA's TMI (TMI_TEC_ENTER).</summary>
    public ulong EnterFid { get; init; } = RmiFid.RecEnter;

    public static readonly HostDecision Idle = new(HostDecisionKind.Idle);
}

/// <summary>How a guest's run on the PE ended, as the host sees it at NS-EL2.</summary>
public enum ExitSource
{
    /// <summary>A normal VM trapped to EL2: the syndrome is the hardware's (ESR_EL2, FAR_EL2, HPFAR_EL2).</summary>
    VmTrap,
    /// <summary>A normal VM was interrupted by a physical IRQ.</summary>
    VmIrq,
    /// <summary>REC_ENTER returned SUCCESS: the exit record is in the run page.</summary>
    RecExit,
    /// <summary>REC_ENTER returned an error status (<see cref="ExitInfo.Status"/>): the realm did not run, or its exit could not be reported.</summary>
    RecEnterFailed,
}

/// <summary>A guest exit as it reaches the host.</summary>
public readonly record struct ExitInfo(VcpuActor Vcpu, ExitSource Source, ulong Esr = 0, ulong Far = 0, ulong Hpfar = 0, SmcResult Status = default, string Error = "");

/// <summary>
/// The host software of one PE (KVM's per-CPU run loop and the host scheduler): the narrow interface
/// through which the PE hands over everything that is not hardware. The PE calls it at NS-EL2 and
/// runs the host steps it returns.
/// </summary>
public interface IHostSoftware
{
    /// <summary>At time zero, once the PE is wired.</summary>
    void Start(IHostCpu cpu);

    /// <summary>The PE is at NS-EL2 with nothing queued: enter a vCPU, or idle.</summary>
    HostDecision Next();

    /// <summary>A guest exit reached NS-EL2: KVM's handling of it.</summary>
    IEnumerable<HostOp> OnExit(ExitInfo exit);

    /// <summary>Whether events of this kind are for the host software (not the hardware).</summary>
    bool Handles(int kind);

    /// <summary>An event for the host software: what it runs because of it (empty for nothing). It may kick the guest.</summary>
    IEnumerable<HostOp> OnEvent(in SimEvent ev);

    /// <summary>A reschedule IPI reached this CPU while <paramref name="running"/> is in the guest: should it exit?</summary>
    bool WantsExit(VcpuActor running);

    /// <summary>The virtual timer of <paramref name="running"/>, in the guest on this CPU, fired (its physical PPI reached EL2).</summary>
    void OnVirtualTimer(VcpuActor running);

    /// <summary>Whether every vCPU this CPU hosts has finished its program or been stopped (idle time is then "finished", not "waiting").</summary>
    bool AllFinished { get; }
}

/// <summary>What host software may use of the PE it runs on.</summary>
public interface IHostCpu
{
    int Cpu { get; }
    /// <summary>The PE's component id.</summary>
    int Self { get; }
    SimTime Now { get; }
    /// <summary>The result of the last <see cref="HostOpKind.Smc"/> step (X0..X4 as the normal world sees them), and the TMM's reason behind a failure.</summary>
    SmcResult LastSmc { get; }
    string LastSmcError { get; }
    /// <summary>The machine's one physical memory (the host's stores and loads).</summary>
    PhysicalMemory Memory { get; }
    /// <summary>The vCPU in guest mode on this PE (or being entered), if any.</summary>
    VcpuActor? InGuest { get; }
    /// <summary>Interrupts the guest now running here (the host's reschedule IPI to itself): it exits as for a physical IRQ.</summary>
    void Kick();
    /// <summary>Asks for <see cref="IHostSoftware.OnEvent"/> with <paramref name="kind"/> after <paramref name="delay"/> (a host timer).</summary>
    void ScheduleHostEvent(SimTime delay, int kind, long arg);
    /// <summary>The vCPU component with this id, resident on this PE.</summary>
    VcpuActor Vcpu(int componentId);
}
