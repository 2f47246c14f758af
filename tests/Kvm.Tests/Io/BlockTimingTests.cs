using VirtCca.Devices;
using static VirtCca.Kvm.Tests.Io.IoMachines;

namespace VirtCca.Kvm.Tests.Io;

/// <summary>
/// One 4 KiB virtio-blk read through a whole machine — the guest's driver on its PE, the notify exit,
/// KVM's ioeventfd, the vhost worker on a dedicated core, the NVMe device and its DMA through the
/// SMMU and TZASC, the irqfd into the vGIC and the driver's handler — timed by hand, hop by hop,
/// from the platform's costs (kunpeng-64 defaults), on both engines.
/// </summary>
public sealed class BlockTimingTests(ActorSystemFixture fx) : IClassFixture<ActorSystemFixture>
{
    // The guest's submit: blk-mq and virtio_queue_rq (3,000 cycles), three descriptors (3 × 40), kick_prepare (30).
    private const long Submit = 3_000 + 3 * 40 + 30;
    // Its handler: interrupt entry and EOI (guest.irq-handler 200 + gic.veoi 70), virtblk_done for one request (1,500).
    private const long Handler = 270 + 1_500;

    /// <summary>From the notify's arrival at the backend to KVM's irqfd injecting the interrupt — the same for a VM and a realm.</summary>
    private static readonly long DeviceAndBack =
        Ps(4_400 + 300 + 1_430) + Ns(200)           // the vhost worker wakes, takes the ioeventfd, submits; PCIe to the NVMe
        + 85_000_000 + 2_040_816                    // read latency, then the channel: max(4,096 B / 3.2 GB/s, 1 / 490,000 s)
        + Ns(100) + Ps(1_040) + Ns(50)              // DMA: to the SMMU, an IOTLB miss (4 walk references), to the TZASC
        + Ns(50) + Ns(100) + Ns(200)                // the TZASC's answer, the SMMU's to the device, the completion over PCIe
        + Ps(4_400 + 1_430) + Ps(500)               // the worker wakes again, completes and writes the used ring, eventfd_signal
        + Ns(100);                                  // to KVM's irqfd

    private static Machine Read(PlatformConfiguration config) =>
        new(WithDevices(config, [[new BlockIo(null, Write: false, Bytes: 4096)]], Disk));

    [Fact]
    public void A_vm_read_takes_exactly_its_hops_on_both_engines()
    {
        // The notify: a data abort to NS-EL2 (530) and KVM's in-kernel emulation and ioeventfd (mmio-kernel-rt 1,660 − 530), then to the backend.
        long notify = Ps(530) + Ps(1_130) + Ns(100);
        long wake = Ns(100); // the irqfd's vGIC update reaches the vCPU's CPU, which enters the VM (halted in WFI) at once: a VM's entry adds nothing
        long expected = Ps(Submit) + notify + DeviceAndBack + wake + Ps(Handler);
        Assert.Equal(95_763_892, expected);
        foreach (var actors in new[] { false, true })
        {
            var m = Read(PlatformConfiguration.Baseline);
            RunOn(m, actors);
            var io = m.IoRun!.Guests[0]!.Metrics;
            Assert.Equal((0, expected), (io.FirstPs, io.LastPs));
            Assert.Equal(1, io.BlkLatency.Count);
            Assert.Equal(expected, io.BlkLatency.Max);
            Assert.Equal(wake, io.WakeHalted.Max);
            Assert.True(m.Vcpus.Single().Finished);
        }
    }

    [Fact]
    public void A_realm_read_adds_its_bounces_and_world_switches_exactly()
    {
        long submit = Submit + 3 * 300 + 4 + 1_065 + 0;  // three SWIOTLB maps; copies in of the header (16 B), the buffer (4 KiB: Linux ≥ 5.18 bounces it in at map), the status (1 B)
        long notify = Ps(530) + Ps(500) + Ps(235) + Ps(800) + Ps(1_130) + Ns(100); // trap to the TMM, its exit record, smc back to EL3 and the swap to NS-EL2, KVM
        long wake = Ns(100) + Ps(235) + Ps(800) + Ps(500);                        // irqfd → CPU, then REC_ENTER: smc, swap to S-EL2, the TMM's entry
        long handler = Handler + 1_065 + 0;                                         // the unmaps copy the 4 KiB and the status byte out
        var m = Read(PlatformConfiguration.VirtccaSel2);
        var t = new Tracing(m.Model);
        SequentialEngine.Run(t, new KernelSettings());
        var io = m.IoRun!.Guests[0]!;
        long latency = Ps(submit) + notify + DeviceAndBack + wake + Ps(handler);
        Assert.Equal(98_111_586, latency);
        Assert.Equal(latency, io.Metrics.LastPs - io.Metrics.FirstPs);
        // Halted in WFI, the realm vCPU is woken by its completion interrupt: its handler starts exactly REC_ENTER after the irqfd.
        long raised = t.First("irqfd", DeviceKinds.VirtioInterrupt);
        Assert.Equal((1, wake), (io.Metrics.WakeHalted.Count, io.Metrics.WakeHalted.Max));
        Assert.Equal(raised + wake + Ps(handler), io.Metrics.LastPs);
        Assert.Equal(0, io.Metrics.WakeRunning.Count);
        // It bounced its bytes: header in, buffer in and out, status in and out.
        Assert.Equal(16 + 4096 + 4096 + 1 + 1, io.Swiotlb!.BytesBounced);
        Assert.Equal(0, io.Swiotlb.SlotsInUse);
    }

    [Fact]
    public void Both_engines_agree_on_a_realm_doing_reads_and_writes()
    {
        IReadOnlyList<Op> program = [new BlockIo(null, false, 4096, Requests: 20, Depth: 4), new BlockIo(null, true, 65536, Requests: 6, Depth: 2, Sequential: true)];
        var spec = WithDevices(PlatformConfiguration.VirtccaSel2, [program, program], Disk with { Queues = 2 });
        var seq = SequentialEngine.Run(new Machine(spec).Model, new KernelSettings());
        var act = LocalEngine.Run(new Machine(spec).Model, new KernelSettings { Partitions = 2, Threads = 2 }, fx.System);
        var codec = SequentialEngine.Run(new Machine(spec).Model, new KernelSettings { PayloadCodec = PayloadCodec.Always });
        Assert.Equal(seq.Digest, act.Digest);
        Assert.Equal(seq.Digest, codec.Digest);
        Assert.Equal(seq.Events, act.Events);
    }

    private void RunOn(Machine m, bool actors)
    {
        if (actors) LocalEngine.Run(m.Model, new KernelSettings { Partitions = 2, Threads = 2 }, fx.System);
        else SequentialEngine.Run(m.Model, new KernelSettings());
    }
}
