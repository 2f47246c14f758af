using VirtCca.Cores.Vcpu;
using VirtCca.SecureMonitor;

namespace VirtCca.Cores.Pe;

/// <summary>Why a guest left (the exception class KVM dispatches on).</summary>
public enum ExitReason { Hypercall, Mmio, SystemRegister, Wfi, Irq, Smc, Psci, RipasChange, SystemOff, CpuOff, AffinityInfo }

/// <summary>
/// One guest exit as KVM sees it. <paramref name="Address"/>: the MMIO address, or the target vCPU of
/// an SGI write, a PSCI CPU_ON or AFFINITY_INFO, or the base of a RIPAS change; <paramref name="Value"/>: the SGI's INTID,
/// 1 for an MMIO write, or the top of a RIPAS change.
/// </summary>
public readonly record struct GuestExit(ExitReason Reason, int Vcpu, ulong Address = 0, ulong Value = 0, bool InKernel = true);

/// <summary>What KVM's handler did: its cycles at NS-EL2, whether the vCPU blocks (WFI), an IPI to deliver, a vCPU to power on (PSCI CPU_ON), a RIPAS change to apply.</summary>
public readonly record struct ExitOutcome(long Cycles, bool Block = false, (int Vcpu, int Intid)? Ipi = null, int? CpuOn = null,
    (ulong Base, ulong Top)? Ripas = null, bool SystemOff = false, bool PowerOff = false, int? AffinityOf = null);

/// <summary>KVM's exit handlers, called by the PE at NS-EL2 once the exit has reached the host. Later work plugs in richer ones.</summary>
public interface IExitHandler
{
    ExitOutcome Handle(in GuestExit exit, VcpuActor vcpu);
}

/// <summary>KVM costs beyond the null exit in cycles (costs.md §8.1).</summary>
public sealed record KvmCosts
{
    public long MmioKernelRoundTrip { get; init; } = 1_660; // kvm.mmio_kernel_rt (D): mmio_read_vgic 638 ns
    public long MmioUserRoundTrip { get; init; } = 6_000;   // kvm.mmio_user_rt (D): mmio_read_user 2306 ns
}

/// <summary>
/// The default handlers: each costs its measured round trip minus the guest trap (which the exit leg
/// already charged), so a baseline exit costs exactly its costs.md row.
/// </summary>
public sealed class KvmExitHandler(WorldSwitchCosts ws, KvmCosts kvm) : IExitHandler
{
    public ExitOutcome Handle(in GuestExit exit, VcpuActor vcpu)
    {
        long nullExit = ws.KvmHvcRoundTrip - ws.GuestTrap;
        switch (exit.Reason)
        {
            case ExitReason.Mmio:
                return new((exit.InKernel ? kvm.MmioKernelRoundTrip : kvm.MmioUserRoundTrip) - ws.GuestTrap);
            case ExitReason.SystemRegister:
                return new(nullExit, Ipi: ((int)exit.Address, (int)exit.Value));
            case ExitReason.Wfi:
                return new(nullExit, Block: true);
            case ExitReason.Psci:
                return new(nullExit, CpuOn: (int)exit.Address);
            case ExitReason.RipasChange:
                return new(nullExit, Ripas: (exit.Address, exit.Value));
            case ExitReason.SystemOff:
                return new(nullExit, SystemOff: true);
            case ExitReason.CpuOff:
                return new(nullExit, PowerOff: true);
            case ExitReason.AffinityInfo:
                return new(nullExit, AffinityOf: (int)exit.Address);
            case ExitReason.Smc:
                vcpu.Context.X[0] = SmcRouter.SmcUnknown; // a normal VM's SMC: KVM answers it, no firmware behind it
                return new(nullExit);
            default:
                if (exit.Reason == ExitReason.Hypercall) vcpu.Context.X[0] = 0;
                return new(nullExit);
        }
    }
}
