using VirtCca.Cores.Host;
using VirtCca.Cores.Vcpu;
using VirtCca.Interconnect;
using VirtCca.Kvm.Exits;
using VirtCca.Kvm.Guests;
using VirtCca.Kvm.Vcpus;
using VirtCca.SecureMonitor;
using VirtCca.Tmm.Abi;

namespace VirtCca.Kvm.Host;

/// <summary>
/// KVM's exit handlers for the vCPUs of one CPU: the one place that dispatches on why a guest left.
/// Each handler is host work as a sequence of <see cref="HostOp"/>s — its cycles at NS-EL2, the SMCs it
/// makes (RMI calls for a realm), the messages it sends (vGIC updates, doorbells, the VMM) — and leaves
/// in the vCPU what its next entry must carry.
/// </summary>
public sealed partial class ExitHandler(IHostCpu cpu, KvmCosts costs, int gic)
{
    public IEnumerable<HostOp> Handle(KvmVcpu v, KvmExit e)
    {
        // A normal VM's RAM access that faulted is not a device access, whatever its syndrome says: KVM asks its memslots.
        if (!v.Guest.IsRealm && e.Kind == ExitKind.Mmio && v.Guest.Memory.IsRam(e.Address)) e = e with { Kind = ExitKind.Stage2Fault };
        v.Exits[(int)e.Kind]++;
        return e.Kind switch
        {
            ExitKind.Hypercall => NullExit(v, x0: 0),
            ExitKind.HostCall => NullExit(v, x0: null),
            ExitKind.Smc => NullExit(v, x0: SmcRouter.SmcUnknown), // a normal VM's SMC: no firmware behind it, KVM answers
            ExitKind.Irq => Work(costs.NullExit, "KVM takes the host interrupt"),
            ExitKind.Mmio => Mmio(v, e),
            ExitKind.SgiWrite => SgiWrite(v, e.Value),
            ExitKind.Wfi => Wfi(v),
            ExitKind.Psci => Psci(v, e),
            ExitKind.RipasChange => RipasChange(v, e.Address, e.Top),
            ExitKind.Stage2Fault => Stage2Fault(v, e),
            _ => throw new SimulationException($"{v}: KVM got {e}; a guest SError kills the VM"),
        };
    }

    private static IEnumerable<HostOp> Work(long cycles, string what) { yield return HostOp.Work(cycles, what); }

    /// <summary>A null exit: KVM's part of the round trip; a normal VM gets <paramref name="x0"/> in X0.</summary>
    private IEnumerable<HostOp> NullExit(KvmVcpu v, ulong? x0)
    {
        yield return HostOp.Work(costs.NullExit, "KVM handles the exit");
        if (x0 is { } value && !v.Guest.IsRealm) v.Vcpu.Context.X[0] = value;
    }

    /// <summary>
    /// A device register access: KVM's MMIO bus says who emulates it — in the kernel (and for an
    /// ioeventfd, signal its backend), or the VMM in user space (which passes a notify to its device thread). A read returns zero in X0 (a realm's on
    /// the next entry, with EMUL_MMIO).
    /// </summary>
    private IEnumerable<HostOp> Mmio(KvmVcpu v, KvmExit e)
    {
        ulong address = e.Address & ~v.Guest.UnprotectedIpaBit;
        var (handler, backend) = v.Guest.Io.Find(address);
        yield return HostOp.Work(handler == IoHandler.Kernel ? costs.MmioKernel : costs.MmioUser,
            handler == IoHandler.Kernel ? "KVM emulates the MMIO access" : "the VMM emulates the MMIO access");
        // A queue-notify register: KVM's ioeventfd signals the vhost worker, or the VMM hands the
        // notification to its device thread; either way the written value is the notification data.
        if (backend >= 0 && e.Write) yield return HostOp.Send(backend, Devices.DeviceKinds.VirtioNotify, (long)(uint)e.Value);
        if (v.Guest.IsRealm)
        {
            v.EntryFlags |= RecEntryFlags.EmulMmio; // the TMM completes the access on the next entry
            if (!e.Write) v.EntryGprs[0] = 0;
            yield break;
        }
        if (!e.Write) v.Vcpu.Context.X[0] = 0;
        v.Vcpu.Complete(); // KVM moves the VM's PC past the emulated instruction
    }

    /// <summary>
    /// ICC_SGI1R_EL1: KVM's vGIC makes the SGI pending for each target vCPU — on this CPU directly, on
    /// another CPU by a message to it and a physical SGI that kicks it out of its guest.
    /// </summary>
    private IEnumerable<HostOp> SgiWrite(KvmVcpu v, ulong value)
    {
        yield return HostOp.Work(costs.NullExit, "KVM's vGIC emulates the SGI write");
        var (targets, intid) = VcpuSgi.Decode(value);
        foreach (int t in targets)
        {
            if (t < 0 || t >= v.Guest.VcpuCount) throw new SimulationException($"{v} sent SGI {intid} to vCPU {t}; {v.Guest.Name} has {v.Guest.VcpuCount} vCPUs");
            v.IpisSent++;
            int pe = v.Guest.PeOfVcpu[t];
            long arg = (long)v.Guest.VcpuComponent[t] << 16 | (uint)intid;
            if (pe == cpu.Self)
            {
                yield return HostOp.Send(pe, KvmKinds.VirtualIrq, arg); // to itself: taken when this CPU's host runs next
                continue;
            }
            yield return HostOp.Send(pe, KvmKinds.VirtualIrq, arg);
            if (gic >= 0) yield return HostOp.Send(gic, Devices.Gic.GicActor.KindSgi, (long)v.Guest.CpuOfVcpu[t] << 16 | KvmKinds.KickSgi);
        }
    }

    /// <summary>WFI: the vCPU blocks until a virtual interrupt is pending for it (KVM set TRAP_WFI, so a realm's WFI comes here too).</summary>
    private IEnumerable<HostOp> Wfi(KvmVcpu v)
    {
        yield return HostOp.Work(costs.NullExit, "KVM blocks the vCPU in WFI");
        if (!v.Vgic.HasPending) v.Blocked = true;
    }
}
