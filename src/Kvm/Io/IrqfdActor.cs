using VirtCca.Cores.Io;
using VirtCca.Devices;
using VirtCca.Devices.Gic;
using VirtCca.Devices.Protocol;
using VirtCca.Interconnect;
using VirtCca.Kvm.Guests;
using VirtCca.Kvm.Host;

namespace VirtCca.Kvm.Io;

/// <summary>
/// Where one backend's interrupts and ring updates go: its guest, the vCPU its queue's vector is
/// affine to, and the guest's driver that reads the device-written ring fields.
/// </summary>
public sealed record IrqRoute(KvmGuest Guest, int Vcpu, GuestIo? Io, Action<UsedPublished> Published);

/// <summary>
/// KVM's irqfds of one machine, and the guest-visible side of the backends' ring writes. A backend's
/// completion signal (<see cref="DeviceKinds.VirtioInterrupt"/>) is injected as kvm_set_irq does from
/// the signalling thread: the vGIC of the target vCPU gets the vINTID (its host CPU puts it in a list
/// register on the next entry, and wakes the vCPU if it sleeps in WFI), and if the vCPU is in guest
/// mode a physical SGI kicks it out (for a realm: an IRQ exit through the TMM). The signal's CPU cost
/// is the backend's (eventfd_signal). A backend's <see cref="DeviceKinds.VirtioUsedPublished"/> is the
/// used ring becoming visible to the guest's driver; it arrives no later than the interrupt it precedes.
/// </summary>
public sealed class IrqfdActor(IReadOnlyDictionary<int, IrqRoute> routes, int gic) : Component
{
    public long Injected { get; private set; }
    public long Kicks { get; private set; }

    public override void Handle(in SimEvent ev, ISimContext ctx)
    {
        if (!routes.TryGetValue(ev.Source, out var route))
            throw new SimulationException($"KVM's irqfd got event kind 0x{ev.Kind:X} from component {ev.Source}, which has no irqfd");
        switch (ev.Kind)
        {
            case DeviceKinds.VirtioUsedPublished:
                route.Published(ev.PayloadAs<UsedPublished>());
                break;
            case DeviceKinds.VirtioInterrupt:
                Inject(ctx, route, (int)ev.Arg);
                break;
            default:
                throw new SimulationException($"KVM's irqfd got event kind 0x{ev.Kind:X}");
        }
    }

    private void Inject(ISimContext ctx, IrqRoute r, int intid)
    {
        var g = r.Guest;
        var vcpu = g.Vcpus[r.Vcpu];
        Injected++;
        r.Io?.Raised(r.Vcpu, intid, ctx.Now.Picoseconds, halted: vcpu?.Blocked ?? false);
        ctx.Send(g.PeOfVcpu[r.Vcpu], KvmKinds.VirtualIrq, (long)g.VcpuComponent[r.Vcpu] << 16 | (uint)intid);
        if (vcpu is { InGuest: true } && gic >= 0)
        {
            Kicks++;
            ctx.Send(gic, GicActor.KindSgi, (long)g.CpuOfVcpu[r.Vcpu] << 16 | KvmKinds.KickSgi);
        }
    }
}
