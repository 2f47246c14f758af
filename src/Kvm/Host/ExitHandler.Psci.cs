using VirtCca.Cores.Host;
using VirtCca.Interconnect;
using VirtCca.Kvm.Exits;
using VirtCca.Kvm.Realms;
using VirtCca.Kvm.Vcpus;
using VirtCca.Tmm.Abi;

namespace VirtCca.Kvm.Host;

/// <summary>
/// PSCI for the guest. A normal VM's PSCI call is an HVC that KVM answers itself. A realm's reaches KVM
/// as the TMM's PSCI exit, which KVM completes with RMI_PSCI_COMPLETE where the spec asks it to
/// (CPU_ON, AFFINITY_INFO); the realm gets its answer from the TMM on its next entry.
/// </summary>
public sealed partial class ExitHandler
{
    private IEnumerable<HostOp> Psci(KvmVcpu v, KvmExit e)
    {
        yield return HostOp.Work(costs.NullExit, "KVM handles the PSCI call");
        ulong fid = e.Function;
        switch (fid)
        {
            case Tmm.Abi.Psci.CpuOn or Tmm.Abi.Psci.CpuOn32:
                foreach (var op in CpuOn(v, e.Arg1)) yield return op;
                break;
            case Tmm.Abi.Psci.AffinityInfo or Tmm.Abi.Psci.AffinityInfo32:
                foreach (var op in AffinityInfo(v, e.Arg1)) yield return op;
                break;
            case Tmm.Abi.Psci.CpuOff:
                v.Power = VcpuPower.Off; // a realm's REC is already not runnable; it waits for a CPU_ON
                break;
            case Tmm.Abi.Psci.CpuSuspend or Tmm.Abi.Psci.CpuSuspend32:
                // A power-down request KVM treats as WFI: the vCPU sleeps until an interrupt; it returns SUCCESS.
                if (!v.Guest.IsRealm) v.Vcpu.Context.X[0] = Tmm.Abi.Psci.Success;
                if (!v.Vgic.HasPending) v.Blocked = true;
                break;
            case Tmm.Abi.Psci.SystemOff or Tmm.Abi.Psci.SystemReset:
                v.StopRequested = true; // this vCPU stops now; the VMM stops the others
                if (v.Guest.Vmm >= 0)
                    yield return HostOp.Send(v.Guest.Vmm, KvmKinds.GuestPower, (long)v.Guest.VcpuComponent[v.Index] << 1 | (fid == Tmm.Abi.Psci.SystemReset ? 1L : 0L));
                break;
            case Tmm.Abi.Psci.Version when !v.Guest.IsRealm:
                v.Vcpu.Context.X[0] = Tmm.Abi.Psci.Version11;
                break;
            case Tmm.Abi.Psci.Features when !v.Guest.IsRealm:
                v.Vcpu.Context.X[0] = e.Arg1 is Tmm.Abi.Psci.Version or Tmm.Abi.Psci.CpuOn or Tmm.Abi.Psci.CpuOff or Tmm.Abi.Psci.AffinityInfo
                    or Tmm.Abi.Psci.SystemOff or Tmm.Abi.Psci.SystemReset or Tmm.Abi.Psci.CpuSuspend or Tmm.Abi.Psci.Features
                    ? Tmm.Abi.Psci.Success : Tmm.Abi.Psci.NotSupported;
                break;
            default:
                if (v.Guest.IsRealm) throw new SimulationException($"{v}: a PSCI exit for function 0x{fid:X}, which the RMM answers itself");
                v.Vcpu.Context.X[0] = Tmm.Abi.Psci.NotSupported;
                break;
        }
    }

    /// <summary>The vCPU the MPIDR names, or -1.</summary>
    private static int Target(KvmVcpu v, ulong mpidr)
    {
        long t = Mpidr.IndexOf(mpidr);
        return t >= 0 && t < v.Guest.VcpuCount ? (int)t : -1;
    }

    private IEnumerable<HostOp> CpuOn(KvmVcpu v, ulong mpidr)
    {
        int t = Target(v, mpidr);
        if (v.Guest.IsRealm)
        {
            foreach (var op in PsciComplete(v, t, mpidr, "CPU_ON")) yield return op;
            yield return HostOp.Send(v.Guest.PeOfVcpu[t], KvmKinds.StartVcpu, v.Guest.VcpuComponent[t]); // the target REC is runnable now
            yield break;
        }
        if (t < 0) { v.Vcpu.Context.X[0] = Tmm.Abi.Psci.InvalidParams; yield break; }
        var target = v.Guest.Vcpus[t];
        if (target is { Power: VcpuPower.On }) { v.Vcpu.Context.X[0] = Tmm.Abi.Psci.AlreadyOn; yield break; }
        v.Vcpu.Context.X[0] = Tmm.Abi.Psci.Success;
        if (target != null) target.Power = VcpuPower.On; // as KVM does under the VM's lock; the message wakes its CPU
        yield return HostOp.Send(v.Guest.PeOfVcpu[t], KvmKinds.StartVcpu, v.Guest.VcpuComponent[t]);
    }

    private IEnumerable<HostOp> AffinityInfo(KvmVcpu v, ulong mpidr)
    {
        int t = Target(v, mpidr);
        if (v.Guest.IsRealm)
        {
            foreach (var op in PsciComplete(v, t, mpidr, "AFFINITY_INFO")) yield return op;
            yield break;
        }
        v.Vcpu.Context.X[0] = t < 0 ? Tmm.Abi.Psci.InvalidParams
            : v.Guest.Vcpus[t] is { Power: VcpuPower.On } ? Tmm.Abi.Psci.AffinityOn : Tmm.Abi.Psci.AffinityOff;
    }

    /// <summary>A realm's CPU_ON or AFFINITY_INFO on vCPU <paramref name="t"/>: KVM completes it with RMI_PSCI_COMPLETE; the TMM gives the realm its answer.</summary>
    private IEnumerable<HostOp> PsciComplete(KvmVcpu v, int t, ulong mpidr, string call)
    {
        if (t < 0) throw new SimulationException($"{v}: a {call} exit for MPIDR 0x{mpidr:X}, which names no REC of the realm (the RMM refuses those itself)");
        var rmi = new RealmRmi(cpu, v.Guest, $"{call} for {v}");
        var complete = RealmAbi.PsciComplete(v.Guest.Abi, v.Rec, v.Guest.Realm!.Recs[t]);
        yield return rmi.Call(complete.Fid, complete.X1, complete.X2, complete.X3);
        rmi.Expect($"RMI_PSCI_COMPLETE for {call} of vCPU {t}");
    }
}
