using VirtCca.Cores.Io;
using VirtCca.Devices;
using VirtCca.Launcher.Composition.Io;
using static VirtCca.Kvm.Tests.Io.IoMachines;

namespace VirtCca.Kvm.Tests.Io;

/// <summary>
/// A completion interrupt for a realm vCPU that is running: KVM's irqfd kicks its CPU with a
/// physical SGI, the TMM exits the REC (an IRQ exit) through EL3 to KVM, and KVM injects the virtual
/// interrupt into a list register on the re-entry. The request belonged to another vCPU, asleep in
/// WFI: the handling vCPU's kernel wakes it with an IPI.
/// </summary>
public sealed class RealmInterruptTests
{
    [Fact]
    public void A_running_realm_vcpu_exits_for_its_device_interrupt_and_takes_it_on_reentry()
    {
        // One queue: its vector is affine to vCPU 0, which computes for 400 µs; vCPU 1 reads a block.
        var spec = WithDevices(PlatformConfiguration.VirtccaSel2, [[new Compute(1_040_000)], [new BlockIo(null, false, 4096)]], Disk);
        var m = new Machine(spec);
        var t = new Tracing(m.Model);
        SequentialEngine.Run(t, new KernelSettings());
        var io = m.IoRun!.Guests[0]!;

        Assert.Equal(1, m.Exits(0, ExitKind.Irq));             // the kick made vCPU 0 leave its REC once
        Assert.Equal(1, m.Kvm(0).Vcpu.InterruptsByIntid[GuestIoLayout.FirstIntid]); // and it took the vector on its next entry
        Assert.Equal(1, m.Kvm(0).IpisSent);                     // its handler woke vCPU 1 ...
        Assert.Equal(1, m.Kvm(1).Vcpu.InterruptsByIntid[GuestIo.WakeSgi]);
        Assert.Equal(1, io.Metrics.BlkRequests);                // ... whose request had completed
        Assert.True(m.Vcpus.All(v => v.Finished));

        // From the irqfd's injection to vCPU 0's handler: the kick (irqfd → GIC, gic.psgi, GIC → CPU), the
        // IRQ exit (trap to the TMM, its exit record, smc and swap back to NS-EL2), KVM's handling, REC_ENTER.
        long raised = t.First("irqfd", DeviceKinds.VirtioInterrupt);
        long kick = Ns(100) + Ps(500) + Ns(100);
        long exit = Ps(530) + Ps(500) + Ps(235) + Ps(800);
        long kvm = Ps(530);
        long enter = Ps(235) + Ps(800) + Ps(500);
        Assert.Equal((1, kick + exit + kvm + enter), (io.Metrics.WakeRunning.Count, io.Metrics.WakeRunning.Max));
        Assert.Equal(raised + Ns(100) + Ps(500) + Ns(100), t.First("pe0", DeviceKinds.GicSignal, raised));
        Assert.Equal(1, m.IoRun.Irqfd!.Kicks);
    }
}
