using VirtCca.Cores.Host;
using VirtCca.Kvm.Vcpus;
using VirtCca.Tmm.Abi;

namespace VirtCca.Kvm.Attacks;

/// <summary>
/// A malicious KVM inside one vCPU's run loop, on the CPU that runs it — where the REC is certainly not
/// running. <see cref="Host.KvmCpu"/> asks it before each entry of the vCPU whether to tamper with the run
/// page's entry half, tells it whether the TMM refused or accepted that entry, and after each exit
/// lets it make host calls of its own. It reports back to the attacker with the host steps it returns.
/// </summary>
public interface IRunLoopAttack
{
    /// <summary>Before KVM writes the entry: change it (list registers, flags, GPRs) and return true, or leave it and return false.</summary>
    bool TamperEntry(KvmVcpu v, RecEntry entry);

    /// <summary>The REC_ENTER that carried the tampered entry was refused with <paramref name="status"/>; KVM enters honestly next.</summary>
    IEnumerable<HostOp> Refused(KvmVcpu v, SmcResult status, string reason);

    /// <summary>The TMM accepted the tampered entry: the realm ran with it.</summary>
    IEnumerable<HostOp> Accepted(KvmVcpu v);

    /// <summary>After KVM handled an exit of <paramref name="v"/> (its REC is not running): host work to do now, on this CPU.</summary>
    IEnumerable<HostOp> AfterExit(IHostCpu cpu, KvmVcpu v);
}
